/**
 * Encrypted mail at intake (issue 17), right after parsing:
 * - PGP/MIME (RFC 3156, `multipart/encrypted`) and inline PGP (an armored `PGP MESSAGE` in the text) addressed
 *   to the project's key are decrypted; decrypted MIME is parsed with the same limits and becomes the message's
 *   text and attachments (the raw ciphertext stays stored as received);
 * - the signature inside is verified against the sender's key when known (attached, Autocrypt, an earlier
 *   message): the `pgp-signature` check says valid (pass), unknown key (skip) or bad (fail);
 * - what cannot be decrypted (another key, a broken packet, no project key yet) stays as it came, marked with
 *   the reason (`encryption` check fail): the report still opens, and the receipt says so;
 * - S/MIME is recognised and named, not decrypted;
 * - a public key of the sender's (attached, or an Autocrypt header for the From address) is read, so our mail
 *   to them can be encrypted.
 * Plain mail without any of these never loads OpenPGP.js.
 */
import type { Project } from '../core/config';
import type { MessageEncryption, ParsedAttachment, ParsedMessage, SenderKey } from '../core/parsed-message';
import { UnparseableMessage } from '../core/parsed-message';
import type { CheckResult } from '../core/report';
import { NotDecryptable, type Decrypted, type PgpEngine, type ProjectKeyStore } from '../ports/pgp';
import type { Deps } from './deps';

const ARMORED_MESSAGE = /-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/;
const ARMORED_PUBLIC_KEY = /-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*?-----END PGP PUBLIC KEY BLOCK-----/;
/** A public key bigger than this is not one we keep on a record (an RSA 4096 key with signatures is ~10 KB). */
const MAX_KEY_BYTES = 64 * 1024;
const SMIME_ENVELOPED = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime']);

export interface PgpIntakeDeps {
  pgp?: PgpEngine;
  projectKeys?: ProjectKeyStore;
}

export interface Opened {
  msg: ParsedMessage;
  checks: CheckResult[];
}

/** Whether the message needs OpenPGP at all: encrypted, S/MIME, or carrying a key. Pure, cheap. */
export function needsPgp(msg: ParsedMessage): boolean {
  return (
    msg.contentType === 'multipart/encrypted' ||
    SMIME_ENVELOPED.has(msg.contentType) ||
    ARMORED_MESSAGE.test(msg.text) ||
    ARMORED_PUBLIC_KEY.test(msg.text) ||
    (msg.headers['autocrypt']?.length ?? 0) > 0 ||
    msg.attachments.some(keyLike)
  );
}

function keyLike(a: ParsedAttachment): boolean {
  return a.size <= MAX_KEY_BYTES && (a.contentType.toLowerCase() === 'application/pgp-keys' || /\.(asc|key|pub|gpg)$/i.test(a.filename ?? ''));
}

export async function openEncrypted(
  deps: Pick<Deps, 'parser' | 'raw' | 'config'> & PgpIntakeDeps,
  project: Project,
  rawKey: string,
  msg: ParsedMessage,
  knownKeys: string[] = [],
): Promise<Opened> {
  if (!needsPgp(msg)) return { msg, checks: [] };
  if (SMIME_ENVELOPED.has(msg.contentType)) {
    const reason = 'S/MIME encrypted (application/pkcs7-mime): recognised, not decrypted (this intake reads OpenPGP only)';
    return { msg: { ...msg, encryption: { kind: 'smime', decrypted: false, reason } }, checks: [{ name: 'encryption', result: 'fail', reason }] };
  }
  const engine = deps.pgp;
  const pgpMime = msg.contentType === 'multipart/encrypted';
  // the parts' bytes (the ciphertext, attached keys) come from a second parse that keeps them, unless intake's
  // parse kept an attached key's already (it keeps the smallest files: a key is one of them, see evidence.ts)
  let full = msg;
  if (pgpMime || msg.attachments.some((a) => keyLike(a) && !a.content)) {
    try {
      full = await deps.parser.parse(await deps.raw.get(rawKey), { limits: deps.config.limits, keepAttachmentContent: true });
    } catch (err) {
      if (!(err instanceof UnparseableMessage)) throw err;
    }
  }
  const senderKey = engine ? await senderKeyOf(engine, full) : undefined;
  const withKey: ParsedMessage = senderKey ? { ...msg, senderKey } : msg;
  const inline = !pgpMime && ARMORED_MESSAGE.test(msg.text);
  if (!pgpMime && !inline) return { msg: withKey, checks: [] };

  const kind: MessageEncryption['kind'] = pgpMime ? 'pgp-mime' : 'inline-pgp';
  const notDecrypted = (reason: string): Opened => ({
    msg: { ...withKey, encryption: { kind, decrypted: false, reason } },
    checks: [{ name: 'encryption', result: 'fail', reason: `encrypted, could not decrypt: ${reason}` }],
  });
  const ciphertext = pgpMime ? pgpMimeCiphertext(full) : ARMORED_MESSAGE.exec(msg.text)![0];
  if (ciphertext === undefined) return notDecrypted('a multipart/encrypted message without an OpenPGP message part');
  const privateKey = await deps.projectKeys?.privateKey(project.id);
  if (!engine || !privateKey) return notDecrypted(`project ${project.id} has no OpenPGP key yet (secintake keys create --project ${project.id})`);

  const verifiers = [...(senderKey ? [senderKey.armored] : []), ...knownKeys];
  let decrypted: Decrypted;
  try {
    decrypted = await engine.decrypt(ciphertext, privateKey, verifiers);
  } catch (err) {
    if (err instanceof NotDecryptable) return notDecrypted(err.reason);
    // an unusable project key (protected, corrupt) must not lose the report: it opens, marked, with the reason
    return notDecrypted(`the project key cannot be used: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300));
  }

  let opened: ParsedMessage;
  if (pgpMime) {
    let inner: ParsedMessage;
    try {
      inner = await deps.parser.parse(decrypted.data, { limits: deps.config.limits, keepAttachmentContent: true });
    } catch (err) {
      if (!(err instanceof UnparseableMessage)) throw err;
      return notDecrypted(`the decrypted content is not a readable MIME entity: ${err.reason}`);
    }
    // a key attached inside the encrypted part (what Thunderbird does) verifies the signature too
    const innerKey = senderKey ?? (await senderKeyOf(engine, inner));
    if (innerKey && !senderKey && decrypted.signature.result === 'unknown-key') {
      decrypted = await engine.decrypt(ciphertext, privateKey, [innerKey.armored, ...knownKeys]).catch(() => decrypted);
    }
    // RFC 9788: the real subject is inside (the outer one is often "..." or a placeholder)
    const protectedSubject = inner.headers['subject'] !== undefined ? inner.subject : undefined;
    opened = {
      ...withKey,
      ...(innerKey ? { senderKey: innerKey } : {}),
      subject: protectedSubject ?? msg.subject,
      text: inner.text,
      bodyText: inner.bodyText,
      attachments: inner.attachments,
      defects: [...msg.defects, ...inner.defects],
    };
    if (inner.html !== undefined) opened.html = inner.html;
    else delete opened.html;
  } else {
    const clear = decrypted.data.toString('utf8');
    const block = ARMORED_MESSAGE.exec(msg.text)![0];
    const bodyBlock = ARMORED_MESSAGE.exec(msg.bodyText)?.[0];
    opened = {
      ...withKey,
      text: msg.text.replace(block, () => clear),
      bodyText: bodyBlock ? msg.bodyText.replace(bodyBlock, () => clear) : msg.bodyText,
    };
  }
  const signature = decrypted.signature;
  opened.encryption = { kind, decrypted: true, signature: signature.result };
  const { fingerprint } = await engine.publicOf(privateKey).catch(() => ({ fingerprint: 'unknown' }));
  const checks: CheckResult[] = [
    { name: 'encryption', result: 'pass', reason: `${kind === 'pgp-mime' ? 'PGP/MIME' : 'inline PGP'} message decrypted with the project key ${fingerprint}` },
  ];
  if (signature.result === 'valid') checks.push({ name: 'pgp-signature', result: 'pass', reason: `valid OpenPGP signature by ${signature.fingerprint}` });
  else if (signature.result === 'unknown-key') checks.push({ name: 'pgp-signature', result: 'skip', reason: `signed by an unknown key (key ID ${signature.keyIds.join(', ')}): not verified` });
  else if (signature.result === 'bad') checks.push({ name: 'pgp-signature', result: 'fail', reason: `bad OpenPGP signature: ${signature.reason}` });
  return { msg: opened, checks };
}

/** The armored or binary OpenPGP message of a PGP/MIME message (RFC 3156 section 4: the second part). */
function pgpMimeCiphertext(full: ParsedMessage): string | Buffer | undefined {
  const parts = full.attachments.filter((a) => a.content && a.contentType.toLowerCase() !== 'application/pgp-encrypted');
  const armored = parts.find((a) => /-----BEGIN PGP MESSAGE-----/.test(a.content!.subarray(0, 4096).toString('latin1')));
  return armored ? armored.content!.toString('utf8') : parts[0]?.content;
}

/** The sender's public key: an Autocrypt header for the From address, an attached key, or one in the text. */
async function senderKeyOf(engine: PgpEngine, msg: ParsedMessage): Promise<SenderKey | undefined> {
  const from = msg.from?.address?.toLowerCase();
  for (const header of msg.headers['autocrypt'] ?? []) {
    const attrs = autocryptAttributes(header);
    if (!from || attrs.addr?.toLowerCase() !== from || !attrs.keydata) continue;
    const bytes = Buffer.from(attrs.keydata.replace(/\s+/g, ''), 'base64');
    if (bytes.length > MAX_KEY_BYTES) continue;
    const key = await engine.readPublicKey(bytes);
    if (key) return { armored: key.armored, fingerprint: key.fingerprint, source: 'autocrypt' };
  }
  for (const a of msg.attachments) {
    if (!a.content || !keyLike(a)) continue;
    const key = await engine.readPublicKey(a.content);
    if (key) return { armored: key.armored, fingerprint: key.fingerprint, source: 'attached' };
  }
  const inText = ARMORED_PUBLIC_KEY.exec(msg.text)?.[0];
  if (inText && inText.length <= MAX_KEY_BYTES) {
    const key = await engine.readPublicKey(inText);
    if (key) return { armored: key.armored, fingerprint: key.fingerprint, source: 'attached' };
  }
  return undefined;
}

/** `addr=a@b; prefer-encrypt=mutual; keydata=...` (Autocrypt Level 1, section 2.1). */
export function autocryptAttributes(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of String(value).split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    if (name && !(name in out)) out[name] = part.slice(eq + 1).trim();
  }
  return out;
}
