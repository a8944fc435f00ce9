/**
 * SPF, DKIM and DMARC verdicts for mail received on this machine, computed with mailauth and no network: DNS
 * answers come from a JSON file of records (`--dns FILE`), everything else is ENOTFOUND. This stands in for
 * the verdicts SES puts in its receipt event (with the From they judged, as SES's `commonHeaders.from`), so the
 * maintainer check is the same code locally and on AWS.
 *
 * File shape: { "TXT": { "sel._domainkey.hashberg.io": ["v=DKIM1; k=rsa; p=..."], "_dmarc.hashberg.io":
 * ["v=DMARC1; p=reject"], "hashberg.io": ["v=spf1 ip4:127.0.0.1 -all"] }, "A": { "mx.hashberg.io": ["127.0.0.1"] },
 * "MX": { "hashberg.io": [{ "exchange": "mx.hashberg.io", "priority": 10 }] } }
 */
import { promises as fs } from 'node:fs';
import type { Readable } from 'node:stream';
import { authenticate, type AuthenticateResult } from 'mailauth';
import { dkimVerify } from 'mailauth/lib/dkim/verify';
import type { DkimSignature } from '../../core/maintainer';
import type { DkimVerifier } from '../../ports/dkim-verifier';
import { MailauthDkimVerifier, signedHeaders } from '../mailauth-dkim';
import type { Verdict, Verdicts } from '../../core/report';

const RRTYPES = ['TXT', 'A', 'AAAA', 'MX'] as const;
type RrType = (typeof RRTYPES)[number];
type MxRecord = { exchange: string; priority: number };

export interface DnsRecords {
  TXT?: Record<string, string[]>;
  A?: Record<string, string[]>;
  AAAA?: Record<string, string[]>;
  MX?: Record<string, MxRecord[]>;
}

export class DnsRecordsFileError extends Error {
  override readonly name = 'DnsRecordsFileError';
  constructor(readonly file: string, reason: string) {
    super(`DNS records file ${file}: ${reason} (expected {"TXT": {"name": ["record", ...]}, "A": {...}, "MX": {...}})`);
  }
}

/** Reads and checks a DNS records file; names are matched case-insensitively, without a trailing dot. */
export async function loadDnsRecords(file: string): Promise<DnsRecords> {
  let data: unknown;
  try {
    data = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    throw new DnsRecordsFileError(file, (err as Error).message);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new DnsRecordsFileError(file, 'not a JSON object');
  const records: DnsRecords = {};
  for (const [type, byName] of Object.entries(data)) {
    if (!(RRTYPES as readonly string[]).includes(type)) {
      throw new DnsRecordsFileError(file, `record type ${type} is not supported (use ${RRTYPES.join(', ')})`);
    }
    if (!byName || typeof byName !== 'object' || Array.isArray(byName)) {
      throw new DnsRecordsFileError(file, `${type} must map names to arrays of records`);
    }
    const table: Record<string, unknown[]> = {};
    for (const [name, values] of Object.entries(byName as Record<string, unknown>)) {
      if (!Array.isArray(values)) throw new DnsRecordsFileError(file, `${type} ${name} must be an array`);
      table[normalizeName(name)] = values;
    }
    (records as Record<string, unknown>)[type] = table;
  }
  return records;
}

const normalizeName = (name: string) => name.trim().toLowerCase().replace(/\.$/, '');

function notFound(name: string, rrtype: string): Error {
  // the same code Node's resolver uses: mailauth treats it as "no such record", not as a DNS failure
  return Object.assign(new Error(`query${rrtype} ENOTFOUND ${name}`), { code: 'ENOTFOUND', hostname: name });
}

/** A resolver in the shape of dns.promises.resolve, answering only from the given records. */
export function offlineResolver(records: DnsRecords): (name: string, rrtype: string) => Promise<string[][] | string[]> {
  return async (name, rrtype) => {
    const type = rrtype.toUpperCase() as RrType;
    const values = (records[type] as Record<string, unknown[]> | undefined)?.[normalizeName(name)];
    if (!values?.length) throw notFound(name, rrtype);
    // dns.resolve returns TXT records as arrays of <=255-byte chunks; one chunk per record is equivalent
    if (type === 'TXT') return values.map((v) => [String(v)]);
    return values as string[];
  };
}

/** What the SMTP session knows about the sender (SPF is checked against the client IP and MAIL FROM). */
export interface SmtpSessionFacts {
  mailFrom: string;
  clientIp: string;
  helo?: string;
}

export interface LocalMailAuthOptions {
  dns?: DnsRecords;
  /**
   * Treat every local sender as DMARC PASS. For trying maintainer commands without signing mail; it lets anyone
   * who can reach the port act as a maintainer, so it is off by default and the stack warns loudly when on.
   */
  trustLocalSenders?: boolean;
}

const UNKNOWN_VERDICTS: Verdicts = { spf: 'UNKNOWN', dkim: 'UNKNOWN', dmarc: 'UNKNOWN', spam: 'UNKNOWN', virus: 'UNKNOWN' };

export class LocalMailAuth {
  private readonly resolver: (name: string, rrtype: string) => Promise<string[][] | string[]>;

  constructor(private readonly opts: LocalMailAuthOptions = {}) {
    this.resolver = offlineResolver(opts.dns ?? {});
  }

  /** The offline resolver, for a DKIM verifier that must see the same DNS. */
  get dkimResolver(): (name: string, rrtype: string) => Promise<string[][] | string[]> {
    return this.resolver;
  }

  get trustsLocalSenders(): boolean {
    return this.opts.trustLocalSenders === true;
  }

  /** The DKIM verifier intake uses: mailauth on the same offline DNS, or, when trusting local senders, one that
   *  takes every message as fully signed by its From domain (DESIGN section 6). */
  dkimVerifier(): DkimVerifier {
    return this.trustsLocalSenders ? new TrustingDkimVerifier() : new MailauthDkimVerifier(this.resolver);
  }

  /** Verdicts for one stored message. Never throws: a verifier failure is PROCESSING_FAILED, as SES reports it. */
  async verdicts(raw: Readable | Buffer, session: SmtpSessionFacts): Promise<Verdicts> {
    let verdicts: Verdicts;
    try {
      const result = await authenticate(raw, {
        sender: session.mailFrom,
        ip: session.clientIp,
        helo: session.helo,
        mta: 'localhost',
        resolver: this.resolver,
        disableArc: true,
        disableBimi: true,
      });
      verdicts = verdictsOf(result);
    } catch {
      verdicts = { ...UNKNOWN_VERDICTS, spf: 'PROCESSING_FAILED', dkim: 'PROCESSING_FAILED', dmarc: 'PROCESSING_FAILED' };
    }
    if (this.trustsLocalSenders) verdicts = { ...verdicts, dmarc: 'PASS' };
    return verdicts;
  }
}

type Status = { result?: string } | undefined;

function statusVerdict(status: Status): Verdict {
  switch (status?.result) {
    case 'pass':
      return 'PASS';
    case 'fail':
    case 'softfail':
    case 'policy':
      return 'FAIL';
    case 'temperror':
    case 'temperr':
    case 'permerror':
      return 'PROCESSING_FAILED';
    default:
      // none, neutral, skipped: no policy to judge by (SES says GRAY)
      return 'GRAY';
  }
}

/** SES-style verdicts from mailauth's result: DKIM PASS when any signature verified. */
export function verdictsOf(result: AuthenticateResult): Verdicts {
  const signatures = result.dkim?.results ?? [];
  const passed = signatures.filter((r) => r.status?.result === 'pass');
  let dkim: Verdict = 'GRAY';
  if (passed.length) dkim = 'PASS';
  else if (signatures.some((r) => statusVerdict(r.status) === 'FAIL')) dkim = 'FAIL';
  else if (signatures.some((r) => statusVerdict(r.status) === 'PROCESSING_FAILED')) dkim = 'PROCESSING_FAILED';
  return {
    spf: statusVerdict(result.spf ? result.spf.status : undefined),
    dkim,
    dmarc: result.dmarc ? statusVerdict(result.dmarc.status) : 'GRAY',
    spam: 'UNKNOWN',
    virus: 'UNKNOWN',
    evaluatedFrom: (result.dkim?.headerFrom ?? []).map((a) => a.toLowerCase()),
  };
}

/**
 * `--trust-local-senders`: every message counts as signed by its From domain over its whole header and body, so
 * commands can be tried without DKIM keys. It still reads the header fields as a verifier does (the last
 * instance of each), so an ambiguous header is refused as it would be with real signatures.
 */
export class TrustingDkimVerifier implements DkimVerifier {
  async verify(raw: Readable | Buffer): Promise<DkimSignature[]> {
    const result = await dkimVerify(raw, { resolver: async () => [] } as never);
    const parsed = ((result as unknown as { headers?: { parsed?: { key: string; line: Buffer }[] } }).headers?.parsed ?? []);
    const last = new Map<string, string>();
    for (const h of parsed) last.set(h.key, h.line.toString());
    const signed = signedHeaders(['from', 'to', 'cc', 'subject', 'message-id'].flatMap((k) => (last.has(k) ? [last.get(k)!] : [])));
    const from = signed.from[0];
    if (!from) return [];
    return [{ domain: from.slice(from.lastIndexOf('@') + 1), result: 'pass', signed, coversWholeBody: true }];
  }
}
