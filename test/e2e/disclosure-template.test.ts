/**
 * Issue 14 on the local stack, the template: the advisory draft is created at triage (CVSS and ranges), a CVE is
 * requested, and it is published at the embargo end once a maintainer approved it (`Publish: at-embargo-end`).
 * A crash between GitHub's answer and our record (the adapter throws after the advisory was created) is retried
 * 5 minutes later: the retry finds the draft by its marker and creates nothing twice.
 */
import { example, plainMail, startScenario, type Scenario } from './scenario-support';

const ALICE = 'alice@yourdomain.com';
const ARRIVAL = '2026-11-02T09:00:00Z';

let s: Scenario;
beforeAll(async () => {
  s = await startScenario({ config: example('template'), startAt: ARRIVAL, maintainerDomains: ['yourdomain.com'] });
});
afterAll(() => s.close());

test('template: advisory draft at triage, CVE requested, published at the embargo end; a crash after the call opens nothing twice', async () => {
  const gh = s.stack.github!;
  const github = s.stack.deps.github!;
  // the crash: the first createAdvisory reaches GitHub, then the process "dies" before the record
  const createAdvisory = github.createAdvisory.bind(github);
  let crashes = 0;
  github.createAdvisory = async (repo, draft) => {
    const created = await createAdvisory(repo, draft);
    if (crashes++ === 0) throw new Error('simulated crash after the GitHub call');
    return created;
  };

  const body = 'Hello,\n\nThe login form of example-project reflects the next parameter unescaped (XSS).\nSteps: open /login?next=<script>.\n';
  await s.deliver(plainMail({ from: 'sam@finder.example', to: 'security@yourdomain.com', subject: 'XSS in login', date: ARRIVAL, messageId: 'r1@finder.example', body }), { from: 'sam@finder.example', to: 'security@yourdomain.com' });
  await s.stack.runner.idle();
  const report = (await s.stack.deps.store.listReports())[0]!;
  const receipt = (await s.outbox()).find((m) => m.kind === 'receipt')!;
  let n = 0;
  const reply = async (text: string) => {
    const at = s.stack.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await s.deliver(plainMail({ from: ALICE, to: receipt.replyTo, subject: `Re: ${receipt.subject}`, date: at, messageId: `t${++n}@yourdomain.com`, body: text }), { from: ALICE, to: receipt.replyTo }, true);
    await s.stack.runner.idle();
  };
  await reply('Status: triaged\nAffected: npm example-project >=1.0.0, <1.4.2\nFixed: 1.4.2\nCWE: CWE-79\nSeverity: CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N\nCredit: Sam Finder\n\nConfirmed.\n');

  // the first attempt crashed after GitHub created the draft: one advisory, the step still `calling`
  expect(gh.state.advisories).toHaveLength(1);
  expect((await s.stack.deps.store.getReport(report.id))!.disclosure!.advisory!.state).toBe('calling');
  await s.advanceTo('2026-11-02T09:06:00Z'); // the retry, 5 minutes later
  expect(gh.state.advisories).toHaveLength(1); // found by its marker, not created again
  expect(crashes).toBe(1);
  const adv = gh.state.advisories[0]!;
  expect(adv).toMatchObject({ state: 'draft', cvss: { vector_string: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N' }, cwe_ids: ['CWE-79'] });
  expect(adv.vulnerabilities).toEqual([{ package: { ecosystem: 'npm', name: 'example-project' }, vulnerable_version_range: '>= 1.0.0, < 1.4.2', patched_versions: '1.4.2', vulnerable_functions: [] }]);
  expect(adv.description).not.toContain('next parameter'); // never the reporter's text
  let now = (await s.stack.deps.store.getReport(report.id))!;
  expect(now.disclosure!.advisory).toMatchObject({ state: 'done', url: adv.html_url });
  expect(now.disclosure!.cve).toMatchObject({ state: 'done' });
  expect(now.cve).toBe(adv.cve_id); // the CVE requested through the advisory
  expect(adv.cve_id).toMatch(/^CVE-/);

  // approved for the embargo end; published then, reporter and maintainers told with the link
  await reply('Embargo: 7d\nPublish: at-embargo-end\n');
  expect((await s.outbox()).filter((m) => m.kind === 'disclosure-preview')).toHaveLength(1);
  await s.advanceTo('2026-11-09T09:00:00Z');
  expect(gh.state.advisories[0]).toMatchObject({ state: 'draft' });
  await s.advanceTo('2026-11-09T09:07:00Z');
  expect(gh.state.advisories[0]).toMatchObject({ state: 'published' });
  now = (await s.stack.deps.store.getReport(report.id))!;
  expect(now.disclosure!.publish).toMatchObject({ state: 'done', mode: 'at-embargo-end' });
  const published = (await s.outbox()).filter((m) => m.kind.startsWith('disclosure-published'));
  expect(published.map((m) => m.to)).toEqual([[ALICE, 'bob@yourdomain.com'], ['sam@finder.example']]);
  expect(published[1]!.text).toContain(adv.html_url);
  expect(published[1]!.text).toContain('You are credited as: Sam Finder.');
  expect(gh.problems).toEqual([]);
  expect(gh.rejected).toEqual([]);
});
