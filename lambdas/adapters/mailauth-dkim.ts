/**
 * DkimVerifier on mailauth (the verifier the local stack also uses for its SPF/DKIM/DMARC verdicts). DNS comes
 * from the given resolver: Node's resolver on AWS, an offline records file locally.
 *
 * The signed header values are read from the very lines mailauth hashed (its `signingHeaders`), decoded here:
 * the core compares them with what mailparser read, so a header the two split differently never acts.
 */
import type { Readable } from 'node:stream';
import { decodeHeaderWords, headerAddresses } from './header-values';
import type { dkimVerify as DkimVerifyFn } from 'mailauth/lib/dkim/verify';
import type { DkimResult, DkimSignature, SignedHeaders } from '../core/maintainer';
import type { DkimVerifier } from '../ports/dkim-verifier';

export type DnsResolver = (name: string, rrtype: string) => Promise<unknown>;

const RESULTS: DkimResult[] = ['pass', 'fail', 'neutral', 'policy', 'temperror', 'permerror', 'none'];

interface MailauthDkimResult {
  signingDomain?: string;
  status?: { result?: string };
  signingHeaders?: { headers?: string[] };
  canonBodyLength?: number;
  canonBodyLengthTotal?: number;
  canonBodyLengthLimited?: boolean;
}

let dkimVerifyLoaded: typeof DkimVerifyFn | undefined;
/** Loaded on first use: most mail is not a maintainer's and never needs a DKIM verifier in memory. */
function dkimVerify(...args: Parameters<typeof DkimVerifyFn>): ReturnType<typeof DkimVerifyFn> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  dkimVerifyLoaded ??= (require('mailauth/lib/dkim/verify') as { dkimVerify: typeof DkimVerifyFn }).dkimVerify;
  return dkimVerifyLoaded(...args);
}

export class MailauthDkimVerifier implements DkimVerifier {
  constructor(private readonly resolver?: DnsResolver) {}

  async verify(raw: Readable | Buffer): Promise<DkimSignature[]> {
    let result;
    try {
      result = await dkimVerify(raw, this.resolver ? ({ resolver: this.resolver } as never) : {});
    } finally {
      // released on every path, like the parser's source (a half-read S3 body holds a pooled socket)
      if (!Buffer.isBuffer(raw)) raw.on('error', () => undefined).destroy();
    }
    return ((result.results ?? []) as MailauthDkimResult[])
      .filter((r) => r.signingDomain !== undefined)
      .map((r) => ({
        domain: (r.signingDomain ?? '').trim().toLowerCase(),
        result: RESULTS.includes(r.status?.result as DkimResult) ? (r.status!.result as DkimResult) : 'none',
        signed: signedHeaders(r.signingHeaders?.headers ?? []),
        coversWholeBody: !r.canonBodyLengthLimited || (r.canonBodyLength ?? 0) >= (r.canonBodyLengthTotal ?? Infinity),
      }));
  }
}

/** Decoded values of From, To, Cc, Subject and Message-ID among raw header lines ("Name: value", folded). */
export function signedHeaders(lines: string[]): SignedHeaders {
  const out: SignedHeaders = { from: [], to: [], cc: [] };
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).replace(/\r?\n(?=[ \t])/g, '').trim();
    if (name === 'from' || name === 'to' || name === 'cc') out[name].push(...headerAddresses(value));
    else if (name === 'subject' && out.subject === undefined) out.subject = decodeHeaderWords(value);
    else if (name === 'message-id' && out.messageId === undefined) {
      const id = /<([^<>\s]+)>/.exec(value)?.[1] ?? value;
      if (id) out.messageId = id;
    }
  }
  return out;
}
