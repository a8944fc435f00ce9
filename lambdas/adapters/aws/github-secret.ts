/**
 * GitHub credentials from Secrets Manager: the stack creates the secret empty; an operator puts
 * {"token": "..."} or {"appId", "privateKey", "installationId"} in it (README: GitHub). Read per container;
 * an empty secret is read again on the next tick.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
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
