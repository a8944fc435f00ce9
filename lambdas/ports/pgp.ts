/**
 * OpenPGP (issue 17): the project's private key and the operations on keys and messages. The engine is
 * OpenPGP.js behind this port (adapters/openpgp-engine.ts), loaded only when a message is encrypted or a key is
 * known; the key store is a 0600 file in the data folder locally, one Secrets Manager secret per project on AWS.
 * A private key never leaves these two ports: never in a record, a log line, a workflow input or a test snapshot.
 */

/** Where each project's armored private key is kept. */
export interface ProjectKeyStore {
  /** The armored private key, or undefined when the project has none (its secret is still empty). */
  privateKey(projectId: string): Promise<string | undefined>;
  /** Stores (replaces) the project's key: `secintake keys create|import`. */
  put(projectId: string, armoredPrivateKey: string): Promise<void>;
}

export interface PublicKeyInfo {
  /** Armored public key (no secret material). */
  armored: string;
  /** Binary public key, base64 (Autocrypt `keydata`). */
  base64: string;
  /** Upper-case hex fingerprint. */
  fingerprint: string;
  userIds: string[];
}

export type SignatureResult =
  | { result: 'valid'; fingerprint: string }
  | { result: 'unknown-key'; keyIds: string[] }
  | { result: 'bad'; reason: string }
  | { result: 'unsigned' };

export interface Decrypted {
  data: Buffer;
  signature: SignatureResult;
}

/** The message could not be decrypted (another key, a broken packet): `reason` is for the record. */
export class NotDecryptable extends Error {
  override readonly name = 'NotDecryptable';
  constructor(readonly reason: string) {
    super(reason);
  }
}

export interface PgpEngine {
  /** A new key for `address`: Curve25519 (ed25519 + x25519), or RSA 4096. Armored, unprotected. */
  generate(userId: { name?: string; email: string }, type: 'curve25519' | 'rsa4096'): Promise<string>;
  /** The public half of a private key (throws when `armored` is not a private key). */
  publicOf(armoredPrivateKey: string): Promise<PublicKeyInfo>;
  /** Public keys read from armored or binary text; undefined when it holds none usable for encryption. */
  readPublicKey(data: string | Uint8Array): Promise<PublicKeyInfo | undefined>;
  /** Decrypts an armored or binary OpenPGP message with the project's key; verifies against `verificationKeys`. */
  decrypt(message: string | Uint8Array, armoredPrivateKey: string, verificationKeys: string[]): Promise<Decrypted>;
  /** Signs with the project's key and encrypts to `recipients` (armored public keys); armored output. */
  encrypt(data: Uint8Array, recipients: string[], armoredPrivateKey: string): Promise<string>;
}
