/** The one shape of stored GitHub credentials (local file or Secrets Manager secret). Empty: none yet. */
import type { GitHubCredentials } from '../../ports/github';

export class GitHubCredentialsUnusable extends Error {
  override readonly name = 'GitHubCredentialsUnusable';
}

export function parseGitHubCredentials(text: string, where: string): GitHubCredentials | undefined {
  if (text.trim() === '' || text.trim() === '{}') return undefined;
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new GitHubCredentialsUnusable(`${where}: not JSON (write {"token": "..."} or {"appId", "privateKey", "installationId"})`);
  }
  const baseUrl = typeof v.baseUrl === 'string' ? { baseUrl: v.baseUrl } : {};
  if (typeof v.token === 'string' && v.token) return { token: v.token, ...baseUrl };
  if (typeof v.appId === 'string' || typeof v.appId === 'number') {
    if (typeof v.privateKey !== 'string' || (typeof v.installationId !== 'string' && typeof v.installationId !== 'number')) {
      throw new GitHubCredentialsUnusable(`${where}: a GitHub App needs appId, privateKey and installationId`);
    }
    return { appId: String(v.appId), privateKey: v.privateKey, installationId: String(v.installationId), ...baseUrl };
  }
  throw new GitHubCredentialsUnusable(`${where}: neither a token nor a GitHub App (appId, privateKey, installationId)`);
}
