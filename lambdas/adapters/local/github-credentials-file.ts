/**
 * GitHub credentials for the local stack: a JSON file in the data folder (mode 0600), never in the config.
 * `{"token": "...", "baseUrl": "http://127.0.0.1:<port>"}` or `{"appId", "privateKey", "installationId"}`.
 * `npm start` writes one for its GitHub stand-in (a random token the stand-in requires).
 */
import { readFile } from 'node:fs/promises';
import type { GitHubCredentialSource, GitHubCredentials } from '../../ports/github';
import { parseGitHubCredentials } from '../github/credentials';

export class GitHubCredentialsFile implements GitHubCredentialSource {
  constructor(private readonly file: string) {}

  async get(): Promise<GitHubCredentials | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return parseGitHubCredentials(text, this.file);
  }
}
