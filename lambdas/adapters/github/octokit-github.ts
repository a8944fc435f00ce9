/**
 * The GitHub port on @octokit/rest: a fine-grained token, or a GitHub App installation through @octokit/auth-app.
 * `baseUrl` points it at the local stand-in (lambdas/local/github-standin.ts) on the local stack.
 *
 * Octokit is required when the first call is made, never at module load: only the tick uses GitHub, and the
 * intake bundle does not import this file (issue 16 budgets its size).
 */
import type { AdvisoryDraft } from '../../core/disclosure';
import type { Created, GitHub, GitHubCredentialSource, GitHubCredentials } from '../../ports/github';

// the Octokit type is kept loose here so that importing this module loads nothing of Octokit
type Client = {
  request: (route: string, params?: Record<string, unknown>) => Promise<{ status: number; data: any }>;
};

export class NoGitHubCredentials extends Error {
  override readonly name = 'NoGitHubCredentials';
  constructor() {
    super('no GitHub credentials configured (the secret is empty): the disclosure step waits');
  }
}

const PAGES = 10;

export class OctokitGitHub implements GitHub {
  private client?: Promise<Client>;

  constructor(private readonly credentials: GitHubCredentialSource) {}

  private octokit(): Promise<Client> {
    this.client ??= this.credentials.get().then((c) => {
      if (!c) {
        this.client = undefined;
        throw new NoGitHubCredentials();
      }
      return makeClient(c);
    });
    return this.client;
  }

  private async call(route: string, params: Record<string, unknown>): Promise<any> {
    return (await (await this.octokit()).request(route, params)).data;
  }

  private async findIn(route: string, repo: string, extra: Record<string, unknown>, marker: string, text: (item: any) => string | null | undefined) {
    for (let page = 1; page <= PAGES; page++) {
      const items: any[] = await this.call(route, { ...split(repo), ...extra, per_page: 100, page });
      const hit = items.find((i) => (text(i) ?? '').includes(marker));
      if (hit || items.length < 100) return hit;
    }
    return undefined;
  }

  async findIssue(repo: string, marker: string) {
    const hit = await this.findIn('GET /repos/{owner}/{repo}/issues', repo, { state: 'all' }, marker, (i) => i.body);
    return hit ? { ref: String(hit.number), url: hit.html_url, state: hit.state } : undefined;
  }

  async createIssue(repo: string, issue: { title: string; body: string }): Promise<Created> {
    const data = await this.call('POST /repos/{owner}/{repo}/issues', { ...split(repo), title: issue.title, body: issue.body });
    return { ref: String(data.number), url: data.html_url };
  }

  async findComment(repo: string, issue: string, marker: string) {
    const hit = await this.findIn('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', repo, { issue_number: Number(issue) }, marker, (c) => c.body);
    return hit ? { ref: String(hit.id), url: hit.html_url } : undefined;
  }

  async commentIssue(repo: string, issue: string, body: string): Promise<Created> {
    const data = await this.call('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...split(repo), issue_number: Number(issue), body });
    return { ref: String(data.id), url: data.html_url };
  }

  async closeIssue(repo: string, issue: string): Promise<void> {
    await this.call('PATCH /repos/{owner}/{repo}/issues/{issue_number}', { ...split(repo), issue_number: Number(issue), state: 'closed', state_reason: 'completed' });
  }

  async findAdvisory(repo: string, marker: string) {
    const hit = await this.findIn('GET /repos/{owner}/{repo}/security-advisories', repo, {}, marker, (a) => a.description);
    return hit ? { ref: hit.ghsa_id, url: hit.html_url, state: hit.state, ...(hit.cve_id ? { cveId: hit.cve_id } : {}) } : undefined;
  }

  async createAdvisory(repo: string, draft: AdvisoryDraft): Promise<Created> {
    const data = await this.call('POST /repos/{owner}/{repo}/security-advisories', { ...split(repo), ...draft });
    return { ref: data.ghsa_id, url: data.html_url };
  }

  async requestCve(repo: string, ghsaId: string): Promise<void> {
    await this.call('POST /repos/{owner}/{repo}/security-advisories/{ghsa_id}/cve', { ...split(repo), ghsa_id: ghsaId });
  }

  async publishAdvisory(repo: string, ghsaId: string): Promise<Created> {
    const data = await this.call('PATCH /repos/{owner}/{repo}/security-advisories/{ghsa_id}', { ...split(repo), ghsa_id: ghsaId, state: 'published' });
    return { ref: data.ghsa_id, url: data.html_url };
  }

  async findRelease(repo: string, marker: string) {
    const hit = await this.findIn('GET /repos/{owner}/{repo}/releases', repo, {}, marker, (r) => r.body);
    return hit ? { ref: String(hit.id), url: hit.html_url } : undefined;
  }

  async createDraftRelease(repo: string, release: { tag_name: string; name: string; body: string }): Promise<Created> {
    const data = await this.call('POST /repos/{owner}/{repo}/releases', { ...split(repo), ...release, draft: true });
    return { ref: String(data.id), url: data.html_url };
  }
}

function split(repo: string): { owner: string; repo: string } {
  const [owner, name] = repo.split('/');
  return { owner: owner!, repo: name! };
}

function makeClient(c: GitHubCredentials): Client {
  // required here, at the first call: the modules are ES modules, loaded by Node's require(esm)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Octokit } = require('@octokit/rest') as typeof import('@octokit/rest');
  const common = { ...(c.baseUrl ? { baseUrl: c.baseUrl } : {}), userAgent: 'security-intake', request: { retries: 0 } };
  if ('token' in c) return new Octokit({ ...common, auth: c.token }) as unknown as Client;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createAppAuth } = require('@octokit/auth-app') as typeof import('@octokit/auth-app');
  return new Octokit({
    ...common,
    authStrategy: createAppAuth,
    auth: { appId: c.appId, privateKey: c.privateKey, installationId: Number(c.installationId) },
  }) as unknown as Client;
}
