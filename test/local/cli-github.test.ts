/** `secintake github`: what the local GitHub stand-in holds, read from the data folder (issue 14). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OctokitGitHub } from '../../lambdas/adapters/github/octokit-github';
import { run } from '../../lambdas/local/cli/main';
import { startGitHubStandIn } from '../../lambdas/local/github-standin';

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await run(argv, { out: (t) => void (out += t), err: (t) => void (out += t) });
  return { code, out };
}

test('lists issues, advisories and releases with their text; --json gives the whole state', async () => {
  const data = await mkdtemp(join(tmpdir(), 'secintake-gh-'));
  try {
    expect((await cli('--data', data, 'github')).out).toBe('the GitHub stand-in holds nothing yet\n');
    const gh = await startGitHubStandIn({ stateFile: join(data, 'github-standin.json') });
    const github = new OctokitGitHub({ get: async () => ({ token: gh.token, baseUrl: gh.baseUrl }) });
    await github.createIssue('hashberg-io/bases', { title: 'Security vulnerability announcement: report K7QM-2XPD', body: 'Security report UID: K7QM-2XPD' });
    await github.createDraftRelease('hashberg-io/bases', { tag_name: 'v0.3.1', name: 'bases 0.3.1', body: 'Credit: Jane' });
    await gh.close();
    const text = await cli('--data', data, 'github');
    expect(text.code).toBe(0);
    expect(text.out).toContain('issue hashberg-io/bases#1 (open) https://github.com/hashberg-io/bases/issues/1');
    expect(text.out).toContain('    Security report UID: K7QM-2XPD');
    expect(text.out).toContain('release hashberg-io/bases v0.3.1 (draft)');
    const json = JSON.parse((await cli('--data', data, 'github', '--json')).out);
    expect(json.issues).toHaveLength(1);
    expect(json.releases[0]).toMatchObject({ tag_name: 'v0.3.1', draft: true });
  } finally {
    await rm(data, { recursive: true, force: true });
  }
});
