/**
 * DKIM keys made in the test (never a key in the repo), their DNS records for the offline resolver, and signing
 * with mailauth's signer, so tests send mail exactly as a maintainer's provider would: signed, then verified by
 * the same code the stack runs.
 */
import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth/lib/dkim/sign';
import type { DnsRecords } from '../../lambdas/adapters/local/mail-auth';

export const SELECTOR = 'test';

let cached: { privateKey: string; publicKey: string } | undefined;
/** One 1024-bit key per test process (key generation is the slow part; the size does not matter here). */
function keyPair() {
  if (!cached) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    cached = {
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    };
  }
  return cached;
}

/** DNS for these domains: our DKIM key, and a DMARC record (`p=reject`) unless `dmarc: 'none'` (no record). */
export function dkimDns(domains: string[], opts: { dmarc?: 'reject' | 'none' } = {}): DnsRecords {
  const TXT: Record<string, string[]> = {};
  for (const domain of domains) {
    TXT[`${SELECTOR}._domainkey.${domain}`] = [`v=DKIM1; k=rsa; p=${keyPair().publicKey}`];
    if (opts.dmarc !== 'none') TXT[`_dmarc.${domain}`] = ['v=DMARC1; p=reject'];
  }
  return { TXT };
}

export interface SignOptions {
  /** Header fields to sign (default: mailauth's list: From, To, Cc, Subject, Date, Message-ID, ...). */
  headerList?: string[];
  /** An `l=` tag: sign only this many bytes of the canonical body. */
  bodyLength?: number;
}

/** The message with a DKIM-Signature of `domain` prepended, as the signer's outgoing server adds it. */
export async function signMessage(raw: Buffer | string, domain: string, opts: SignOptions = {}): Promise<Buffer> {
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
  const result = await dkimSign(bytes, {
    canonicalization: 'relaxed/relaxed',
    ...(opts.headerList ? { headerList: opts.headerList } : {}),
    signatureData: [
      {
        signingDomain: domain,
        selector: SELECTOR,
        privateKey: keyPair().privateKey,
        algorithm: 'rsa-sha256',
        ...(opts.bodyLength !== undefined ? { maxBodyLength: opts.bodyLength } : {}),
      },
    ],
  } as never);
  if (result.errors?.length) throw new Error(`signing failed: ${JSON.stringify(result.errors)}`);
  return Buffer.concat([Buffer.from(result.signatures), bytes]);
}
