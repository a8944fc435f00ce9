/**
 * The PgpEngine port on OpenPGP.js 6 (`openpgp`). The library is loaded on first use (a dynamic import), so a
 * plain message never pays for it: the intake loads it only for encrypted mail or a known key.
 * Keys are made as v4 keys (ed25519 + cv25519 by default, the "legacy" Curve25519 formats every current
 * OpenPGP implementation reads, GnuPG included; or RSA 4096).
 */
import { NotDecryptable, type Decrypted, type PgpEngine, type PublicKeyInfo, type SignatureResult } from '../ports/pgp';

type OpenPgp = typeof import('openpgp');
type Key = Awaited<ReturnType<OpenPgp['readKey']>>;
type PrivateKey = Awaited<ReturnType<OpenPgp['readPrivateKey']>>;

let loaded: Promise<OpenPgp> | undefined;
/** OpenPGP.js, required on first use only. */
export function loadOpenPgp(): Promise<OpenPgp> {
  loaded ??= import('openpgp');
  return loaded;
}

const ARMOR = /^\s*-----BEGIN PGP /;

function text(data: string | Uint8Array): string | undefined {
  if (typeof data === 'string') return data;
  const head = Buffer.from(data.subarray(0, 64)).toString('latin1');
  return ARMOR.test(head) ? Buffer.from(data).toString('utf8') : undefined;
}

async function info(openpgp: OpenPgp, key: Key | PrivateKey): Promise<PublicKeyInfo> {
  const pub = key.toPublic();
  return {
    armored: pub.armor(),
    base64: Buffer.from(pub.write()).toString('base64'),
    fingerprint: pub.getFingerprint().toUpperCase(),
    userIds: pub.getUserIDs(),
  };
}

export class OpenPgpEngine implements PgpEngine {
  private readonly privateKeys = new Map<string, Promise<PrivateKey>>();

  async generate(userId: { name?: string; email: string }, type: 'curve25519' | 'rsa4096'): Promise<string> {
    const openpgp = await loadOpenPgp();
    const options = type === 'rsa4096' ? { type: 'rsa' as const, rsaBits: 4096 } : { type: 'ecc' as const, curve: 'curve25519Legacy' as const };
    const { privateKey } = await openpgp.generateKey({ ...options, userIDs: [userId.name ? { name: userId.name, email: userId.email } : { email: userId.email }], format: 'armored' });
    return privateKey;
  }

  async publicOf(armoredPrivateKey: string): Promise<PublicKeyInfo> {
    const openpgp = await loadOpenPgp();
    return info(openpgp, await this.privateKey(armoredPrivateKey));
  }

  async readPublicKey(data: string | Uint8Array): Promise<PublicKeyInfo | undefined> {
    const openpgp = await loadOpenPgp();
    try {
      const armored = text(data);
      const keys = armored !== undefined ? await openpgp.readKeys({ armoredKeys: armored }) : await openpgp.readKeys({ binaryKeys: data as Uint8Array });
      for (const key of keys) {
        // a key we could not encrypt to (expired, revoked, signing only) is no key for us
        if (await key.getEncryptionKey().then(() => true, () => false)) return info(openpgp, key);
      }
    } catch {
      // not a key: hostile or broken input is simply no key
    }
    return undefined;
  }

  async decrypt(message: string | Uint8Array, armoredPrivateKey: string, verificationKeys: string[]): Promise<Decrypted> {
    const openpgp = await loadOpenPgp();
    const key = await this.privateKey(armoredPrivateKey);
    let parsed: Awaited<ReturnType<OpenPgp['readMessage']>>;
    try {
      const armored = text(message);
      parsed = armored !== undefined ? await openpgp.readMessage({ armoredMessage: armored }) : await openpgp.readMessage({ binaryMessage: message as Uint8Array });
    } catch (err) {
      throw new NotDecryptable(`not a readable OpenPGP message: ${reason(err)}`);
    }
    const recipients = parsed.getEncryptionKeyIDs().map((id) => id.toHex().toUpperCase());
    const ours = key.getKeys().map((k) => k.getKeyID().toHex().toUpperCase());
    if (recipients.length && !recipients.some((id) => ours.includes(id)) && !recipients.every((id) => /^0+$/.test(id))) {
      throw new NotDecryptable(`encrypted to another key (key ID ${recipients.join(', ')}), not to the project's key (${ours[0]})`);
    }
    const verifiers = (await Promise.all(verificationKeys.map((k) => openpgp.readKeys({ armoredKeys: k }).catch(() => [] as Key[])))).flat();
    let out: Awaited<ReturnType<typeof openpgp.decrypt<Uint8Array>>>;
    try {
      out = await openpgp.decrypt({ message: parsed, decryptionKeys: key, ...(verifiers.length ? { verificationKeys: verifiers } : {}), format: 'binary' });
      // the data is complete once read; streamed formats are not used here
    } catch (err) {
      throw new NotDecryptable(`could not decrypt: ${reason(err)}`);
    }
    return { data: Buffer.from(out.data as Uint8Array), signature: await signatureOf(out.signatures, verifiers) };
  }

  async encrypt(data: Uint8Array, recipients: string[], armoredPrivateKey: string): Promise<string> {
    const openpgp = await loadOpenPgp();
    const encryptionKeys = await Promise.all(recipients.map((armoredKey) => openpgp.readKey({ armoredKey })));
    const signingKeys = await this.privateKey(armoredPrivateKey);
    const message = await openpgp.createMessage({ binary: data });
    return openpgp.encrypt({ message, encryptionKeys, signingKeys, format: 'armored' }) as Promise<string>;
  }

  /** Parsed once per container: reading a key costs more than the operations on it. */
  private privateKey(armored: string): Promise<PrivateKey> {
    let key = this.privateKeys.get(armored);
    if (!key) {
      key = loadOpenPgp().then(async (openpgp) => {
        const k = await openpgp.readPrivateKey({ armoredKey: armored });
        if (!k.isDecrypted()) throw new Error('the project key is protected by a passphrase: import it unprotected (it is kept in the secret store)');
        return k;
      });
      key.catch(() => this.privateKeys.delete(armored));
      this.privateKeys.set(armored, key);
    }
    return key;
  }
}

async function signatureOf(signatures: { keyID: { toHex(): string }; verified: Promise<unknown> }[], verifiers: Key[]): Promise<SignatureResult> {
  if (!signatures.length) return { result: 'unsigned' };
  const unknown: string[] = [];
  for (const s of signatures) {
    const id = s.keyID.toHex().toUpperCase();
    const signer = verifiers.find((k) => k.getKeys(s.keyID as never).length > 0);
    if (!signer) {
      unknown.push(id);
      // an unknown signer's verification rejects too: keep the rejection handled
      s.verified.catch(() => undefined);
      continue;
    }
    try {
      await s.verified;
      return { result: 'valid', fingerprint: signer.getFingerprint().toUpperCase() };
    } catch (err) {
      return { result: 'bad', reason: `the signature by ${signer.getFingerprint().toUpperCase()} does not verify: ${reason(err)}` };
    }
  }
  return { result: 'unknown-key', keyIds: unknown };
}

function reason(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 300);
}
