/**
 * GitHub credentials from Secrets Manager: the stack creates the secret empty; an operator puts
 * {"token": "..."} or {"appId", "privateKey", "installationId"} in it (README: GitHub). Read per container;
 * an empty secret is read again on the next tick.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { GitHubCredentialSource, GitHubCredentials } from '../../ports/github';
import { parseGitHubCredentials } from '../github/credentials';

export class GitHubSecret implements GitHubCredentialSource {
  private value: Promise<GitHubCredentials | undefined> | undefined;

  constructor(private readonly opts: { client: Pick<SecretsManagerClient, 'send'>; secretId: string }) {}

  get(): Promise<GitHubCredentials | undefined> {
    this.value ??= this.load().then(
      (v) => {
        if (!v) this.value = undefined;
        return v;
      },
      (err: unknown) => {
        this.value = undefined;
        throw err;
      },
    );
    return this.value;
  }

  private async load(): Promise<GitHubCredentials | undefined> {
    const out = await this.opts.client.send(new GetSecretValueCommand({ SecretId: this.opts.secretId }));
    return parseGitHubCredentials(out.SecretString ?? '', `secret ${this.opts.secretId}`);
  }
}

/** The Tick's credentials: the stack's GitHubCredentials secret (GITHUB_SECRET_ARN), read with the SDK's own client. */
export function gitHubSecretIn(region: string | undefined, secretId: string): GitHubSecret {
  return new GitHubSecret({ client: new SecretsManagerClient({ region }), secretId });
}
