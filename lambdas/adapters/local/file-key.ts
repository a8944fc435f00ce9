/**
 * The reply-address HMAC key on this machine: 32 random bytes generated once into a file readable only by its
 * owner (on AWS the key lives in Secrets Manager). Losing the file makes old reply addresses unrecognised, so
 * it is never regenerated over an existing one.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { SecretKeySource } from '../../ports/secret-key';

const KEY_BYTES = 32;

export class KeyFileError extends Error {
  override readonly name = 'KeyFileError';
  constructor(readonly file: string, reason: string) {
    super(`reply-address key file ${file}: ${reason}`);
  }
}

export class FileKey implements SecretKeySource {
  private key: Promise<Buffer> | undefined;

  constructor(readonly file: string) {}

  replyAddressKey(): Promise<Buffer> {
    this.key ??= this.load();
    return this.key;
  }

  private async load(): Promise<Buffer> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    try {
      // 'wx': create only if absent, so two processes starting at once never overwrite each other's key
      await fs.writeFile(this.file, randomBytes(KEY_BYTES).toString('hex') + '\n', { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const text = (await fs.readFile(this.file, 'utf8')).trim();
    if (!/^[0-9a-f]{64}$/i.test(text)) throw new KeyFileError(this.file, `expected ${KEY_BYTES * 2} hex characters`);
    return Buffer.from(text, 'hex');
  }
}
