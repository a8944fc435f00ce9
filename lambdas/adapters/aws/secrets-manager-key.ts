/**
 * The reply-address HMAC key from Secrets Manager (the CDK stack generates it: 64 alphanumeric characters,
 * about 380 bits). Read once per Lambda container: the key only changes by a deliberate manual rotation, after
 * which new containers pick it up.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretKeySource } from '../../ports/secret-key';

/** HMAC-SHA256 keys shorter than the hash output weaken it (RFC 2104 section 3). */
const MIN_KEY_BYTES = 32;

export class ReplyKeyUnusable extends Error {
  override readonly name = 'ReplyKeyUnusable';
  constructor(readonly secretId: string, reason: string) {
    super(`reply-address key secret ${secretId}: ${reason}`);
  }
}

export class SecretsManagerKey implements SecretKeySource {
  private key: Promise<Buffer> | undefined;

  constructor(private readonly opts: { client: Pick<SecretsManagerClient, 'send'>; secretId: string }) {}

  replyAddressKey(): Promise<Buffer> {
    // A failed read is not cached: the next message retries it.
    this.key ??= this.load().catch((err: unknown) => {
      this.key = undefined;
      throw err;
    });
    return this.key;
  }

  private async load(): Promise<Buffer> {
    const out = await this.opts.client.send(new GetSecretValueCommand({ SecretId: this.opts.secretId }));
    const bytes = out.SecretString !== undefined ? Buffer.from(out.SecretString, 'utf8') : Buffer.from(out.SecretBinary ?? []);
    if (bytes.length < MIN_KEY_BYTES) {
      throw new ReplyKeyUnusable(this.opts.secretId, `${bytes.length} bytes; put at least ${MIN_KEY_BYTES} random bytes in it`);
    }
    return bytes;
  }
}
