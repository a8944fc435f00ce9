/**
 * Project OpenPGP keys in Secrets Manager: the stack creates one secret per project, empty (a placeholder)
 * until `secintake keys create|import --aws` puts an armored private key in it. Only the intake and tick
 * functions may read them, each its project's secret only (infra). Read once per container; an empty secret is
 * checked again after a while, so a key imported later is picked up without a deployment.
 */
import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ProjectKeyStore } from '../../ports/pgp';

/** The value the stack creates the secret with: "no key yet". */
export const EMPTY_PROJECT_KEY = 'none';
const RECHECK_EMPTY_MS = 5 * 60_000;

export class SecretsManagerProjectKeys implements ProjectKeyStore {
  private readonly cache = new Map<string, { key: string | undefined; at: number }>();

  /** `secrets`: project ID -> secret ARN or name (the stack passes it as PROJECT_KEY_SECRETS, JSON). */
  constructor(private readonly opts: { client: Pick<SecretsManagerClient, 'send'>; secrets: Record<string, string>; now?: () => number }) {}

  async privateKey(projectId: string): Promise<string | undefined> {
    const secretId = this.opts.secrets[projectId];
    if (!secretId) return undefined;
    const now = (this.opts.now ?? Date.now)();
    const cached = this.cache.get(projectId);
    if (cached && (cached.key !== undefined || now - cached.at < RECHECK_EMPTY_MS)) return cached.key;
    const out = await this.opts.client.send(new GetSecretValueCommand({ SecretId: secretId }));
    const value = out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : '');
    const key = /-----BEGIN PGP PRIVATE KEY BLOCK-----/.test(value) ? value : undefined;
    this.cache.set(projectId, { key, at: now });
    return key;
  }

  async put(projectId: string, armoredPrivateKey: string): Promise<void> {
    const secretId = this.opts.secrets[projectId];
    if (!secretId) throw new Error(`the stack has no key secret for project ${projectId} (deploy it first)`);
    await this.opts.client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: armoredPrivateKey }));
    this.cache.delete(projectId);
  }
}
