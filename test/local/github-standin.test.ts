/**
 * The GitHub stand-in checks what we send against GitHub's published OpenAPI description, and the Octokit
 * adapter talks to it over HTTP (issue 14).
 */
import { OctokitGitHub } from '../../lambdas/adapters/github/octokit-github';
import { startGitHubStandIn, type GitHubStandIn } from '../../lambdas/local/github-standin';
import { advisoryDraft, markerOf } from '../../lambdas/core/disclosure';

let gh: GitHubStandIn;
beforeAll(async () => {
  gh = await startGitHubStandIn();
});
afterAll(() => gh.close());

const client = () => new OctokitGitHub({ get: async () => ({ token: gh.token, baseUrl: gh.baseUrl }) });

test('issues, comments, advisories and releases round-trip through Octokit, each response valid by the description', async () => {
  const github = client();
  const issue = await github.createIssue('bases/bases', { title: 'T', body: `x\n${markerOf('K7QM-2XPD', 'announce')}` });
  expect(issue.url).toBe('https://github.com/bases/bases/issues/1');
  expect(await github.findIssue('bases/bases', markerOf('K7QM-2XPD', 'announce'))).toEqual({ ...issue, state: 'open' });
  expect(await github.findIssue('bases/bases', markerOf('OTHER-1', 'announce'))).toBeUndefined();
  await github.commentIssue('bases/bases', issue.ref, `done ${markerOf('K7QM-2XPD', 'publish')}`);
  expect(await github.findComment('bases/bases', issue.ref, markerOf('K7QM-2XPD', 'publish'))).toBeDefined();
  await github.closeIssue('bases/bases', issue.ref);
  expect(gh.state.issues[0].state).toBe('closed');

  const adv = await github.createAdvisory('o/r', {
    summary: 'S', description: `D ${markerOf('K7QM-2XPD', 'advisory')}`, cwe_ids: ['CWE-79'],
    cvss_vector_string: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    vulnerabilities: [{ package: { ecosystem: 'pip', name: 'bases' }, vulnerable_version_range: '>= 0.2.0, < 0.3.1', patched_versions: '0.3.1' }],
  });
  await github.requestCve('o/r', adv.ref);
  const found = await github.findAdvisory('o/r', markerOf('K7QM-2XPD', 'advisory'));
  expect(found?.cveId).toMatch(/^CVE-/);
  await github.publishAdvisory('o/r', adv.ref);
  expect(gh.state.advisories[0].state).toBe('published');
  const rel = await github.createDraftRelease('bases/bases', { tag_name: 'v0.3.1', name: 'n', body: 'b' });
  expect(await github.findRelease('bases/bases', 'b')).toEqual(rel);
  expect(gh.problems).toEqual([]);
  expect(gh.rejected).toEqual([]);
});

test('a request body the OpenAPI description rejects is answered 422, and the call fails', async () => {
  const github = client();
  const bad = { summary: 'S', description: 'D', cwe_ids: [], vulnerabilities: [{ package: { ecosystem: 'not-an-ecosystem', name: 'x' }, vulnerable_version_range: '<1', patched_versions: null }] };
  await expect(github.createAdvisory('o/r', bad)).rejects.toMatchObject({ status: 422 });
  expect(gh.rejected.at(-1)).toMatch(/ecosystem/);
  // the draft we build from the facts maps OSV ecosystems to GitHub's (PyPI -> pip), which the description accepts
  expect(advisoryDraft({ id: 'X', facts: { affected: [{ ecosystem: 'PyPI', package: 'bases', range: '>=0.2.0, <0.3.1' }], fixed: [], cwe: [] } } as never, { name: 'bases' } as never).vulnerabilities[0]!.package.ecosystem).toBe('pip');
});

test('without the token the stand-in answers 401 as GitHub does', async () => {
  const github = new OctokitGitHub({ get: async () => ({ token: 'wrong', baseUrl: gh.baseUrl }) });
  await expect(github.createIssue('o/r', { title: 't', body: 'b' })).rejects.toMatchObject({ status: 401 });
});

test('a GitHub App: @octokit/auth-app exchanges its JWT for an installation token, which then works', async () => {
  const { generateKeyPairSync } = await import('node:crypto');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const app = await startGitHubStandIn({ app: { appId: '4242', installationId: '77', publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() } });
  try {
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const github = new OctokitGitHub({ get: async () => ({ appId: '4242', privateKey: pem, installationId: '77', baseUrl: app.baseUrl }) });
    const issue = await github.createIssue('o/r', { title: 't', body: 'b' });
    expect(issue.ref).toBe('1');
    // another app's key is refused
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const intruder = new OctokitGitHub({ get: async () => ({ appId: '4242', privateKey: other, installationId: '77', baseUrl: app.baseUrl }) });
    await expect(intruder.createIssue('o/r', { title: 't', body: 'b' })).rejects.toMatchObject({ status: 401 });
    expect(app.state.issues).toHaveLength(1);
    expect(app.problems).toEqual([]);
  } finally {
    await app.close();
  }
});
