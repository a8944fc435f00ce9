/**
 * OpenPGP keys and messages for tests (issue 17): keys are generated during the run (Curve25519: fast), never
 * committed. Messages are built the way mail clients build them: PGP/MIME (RFC 3156) with the inner entity
 * composed by nodemailer, or inline PGP in a text/plain body.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import { randomBytes } from 'node:crypto';
import { OpenPgpEngine, loadOpenPgp } from '../../lambdas/adapters/openpgp-engine';

export const engine = new OpenPgpEngine();

export interface TestKey {
  privateKey: string;
  publicKey: string;
  fingerprint: string;
}

export async function makeKey(email: string): Promise<TestKey> {
  const privateKey = await engine.generate({ email }, 'curve25519');
  const pub = await engine.publicOf(privateKey);
  return { privateKey, publicKey: pub.armored, fingerprint: pub.fingerprint };
}

/** Encrypts (and signs, when `signWith` is given) `data` to `to` (armored public keys). */
export async function encryptTo(data: Buffer | string, to: string[], signWith?: string): Promise<string> {
  const openpgp = await loadOpenPgp();
  const encryptionKeys = await Promise.all(to.map((armoredKey) => openpgp.readKey({ armoredKey })));
  const signingKeys = signWith ? await openpgp.readPrivateKey({ armoredKey: signWith }) : undefined;
  const message = typeof data === 'string' ? await openpgp.createMessage({ text: data }) : await openpgp.createMessage({ binary: data });
  return (await openpgp.encrypt({ message, encryptionKeys, ...(signingKeys ? { signingKeys } : {}), format: 'armored' })) as string;
}

/** The inner MIME entity of a PGP/MIME message: text and files, with the real subject as a protected header. */
export async function innerEntity(opts: { subject?: string; text: string; attachments?: { filename: string; content: Buffer | string; contentType?: string }[] }): Promise<Buffer> {
  const node = new MailComposer({
    ...(opts.subject ? { subject: opts.subject } : {}),
    text: opts.text,
    attachments: (opts.attachments ?? []).map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType ?? 'application/octet-stream' })),
  }).compile();
  const built = await new Promise<Buffer>((resolve, reject) => node.build((err, out) => (err ? reject(err) : resolve(out))));
  // an entity, not a message: only the MIME headers (and the protected Subject) stay
  const text = built.toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  const headers = text
    .slice(0, split)
    .replace(/\r\n(?=[ \t])/g, ' ')
    .split('\r\n')
    .filter((l) => /^(content-|subject:)/i.test(l));
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${text.slice(split + 4)}`);
}

export function pgpMimeMail(h: { from: string; to: string; subject?: string; armored: string; messageId?: string; headers?: Record<string, string>; inReplyTo?: string }): string {
  return [
    `From: ${h.from}`,
    `To: ${h.to}`,
    `Subject: ${h.subject ?? '...'}`,
    'Date: Fri, 12 Mar 2027 21:01:00 +0000',
    `Message-ID: <${h.messageId ?? randomBytes(6).toString('hex') + '@mail.example.org'}>`,
    ...(h.inReplyTo ? [`In-Reply-To: <${h.inReplyTo}>`, `References: <${h.inReplyTo}>`] : []),
    ...Object.entries(h.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="enc-b"',
    '',
    'This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)',
    '--enc-b',
    'Content-Type: application/pgp-encrypted',
    'Content-Description: PGP/MIME version identification',
    '',
    'Version: 1',
    '',
    '--enc-b',
    'Content-Type: application/octet-stream; name="encrypted.asc"',
    'Content-Description: OpenPGP encrypted message',
    'Content-Disposition: inline; filename="encrypted.asc"',
    '',
    h.armored.trim(),
    '',
    '--enc-b--',
    '',
  ].join('\r\n');
}

/** A reporter's public key as Autocrypt carries it (Autocrypt Level 1: addr and base64 keydata). */
export async function autocryptHeader(address: string, publicKey: string): Promise<string> {
  const info = await engine.readPublicKey(publicKey);
  return `addr=${address}; prefer-encrypt=mutual; keydata=${info!.base64}`;
}
