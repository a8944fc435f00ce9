/**
 * Issue 14 on the local stack, bases: `Announce: yes` -> the maintainers' preview with the exact issue text ->
 * the public issue opens on the GitHub stand-in (affected versions, the report UID, the embargo date = opening +
 * 72 h, never the reporter's text) -> the reporter told with the link and the date -> the embargo end: draft
 * release notes with the confirmed credit, the issue commented and closed, the reporter and maintainers told.
 * Attacks: an unsigned `Announce: yes` and one from the reporter open nothing; `Announce: hold` stops one.
 */
import { controlClient } from '../../lambdas/local/control-server';
import { showText } from '../../lambdas/local/cli/format';
import { example, exampleMail, plainMail, redated, startScenario, type Scenario } from './scenario-support';

const ALICE = 'alice@hashberg.io';
const ARRIVAL = '2026-10-20T09:00:00Z';

let s: Scenario;
beforeAll(async () => {
  s = await startScenario({ config: example('bases'), startAt: ARRIVAL, maintainerDomains: ['hashberg.io'] });
});
afterAll(() => s.close());

test('bases: announce, embargo from the issue opening, release notes with the confirmed credit, issue closed, everyone told', async () => {
  const gh = s.stack.github!;
  expect(gh).toBeDefined();
  const sample = redated(await exampleMail('report'), ARRIVAL);
  await s.deliver(sample, { from: 'jane@reporter.example', to: 'security@hashberg.io' });
  const jane = (await s.stack.deps.store.listReports())[0]!;
  const receipt = (await s.outbox()).find((m) => m.kind === 'receipt')!;
  let n = 0;
  const reply = async (from: string, body: string, sign = true) => {
    const at = s.stack.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await s.deliver(plainMail({ from, to: receipt.replyTo, subject: `Re: ${receipt.subject}`, date: at, messageId: `d${++n}@x`, body }), { from, to: receipt.replyTo }, sign);
    await s.stack.runner.idle();
  };
  await reply(ALICE, 'Status: triaged\nAffected: PyPI bases >=0.2.0, <0.3.1\nFixed: 0.3.1\nCWE: CWE-407\nCredit: Jane Reporter\n\nConfirmed.\n');

  // attacks: unsigned (DMARC fails) and the reporter herself: nothing is scheduled, nothing opens
  await reply(ALICE, 'Announce: yes\n', false);
  await s.deliver(plainMail({ from: 'jane@reporter.example', to: receipt.replyTo, subject: `Re: ${receipt.subject}`, date: ARRIVAL, messageId: 'j1@reporter.example', body: 'Announce: yes\nPublish: yes\n' }), { from: 'jane@reporter.example', to: receipt.replyTo });
  await s.stack.runner.idle();
  expect((await s.stack.deps.store.getReport(jane.id))!.disclosure).toBeUndefined();

  // Announce: yes -> a preview with the exact text; Announce: hold stops it; yes again reschedules
  await reply(ALICE, 'Announce: yes\n');
  await reply(ALICE, 'Announce: hold\n');
  await s.advanceTo('2026-10-20T11:00:00Z');
  expect(gh.state.issues).toHaveLength(0);
  await reply(ALICE, 'Announce: yes\nPublish: at-embargo-end\n');
  const previews = (await s.outbox()).filter((m) => m.kind === 'disclosure-preview');
  const preview = previews.filter((m) => m.subject.includes('announcement')).at(-1)!;
  expect(preview.to).toEqual([ALICE, 'bob@hashberg.io']);
  expect(preview.text).toContain('Security report UID: ' + jane.id);
  expect(gh.state.issues).toHaveLength(0); // not before the preview time

  await s.advanceTo('2026-10-20T12:00:00Z'); // previewFor 1h after 11:00
  expect(gh.state.issues).toHaveLength(1);
  const issue = gh.state.issues[0]!;
  expect(issue.body).toContain('Affected versions: PyPI bases >=0.2.0, <0.3.1');
  expect(issue.body).toContain(`Security report UID: ${jane.id}`);
  expect(issue.body).toContain('Embargo date: 2026-10-23T12:00:00Z'); // opening + 72 h
  expect(issue.body).not.toMatch(/Jane|parse|quadratic/i); // never the reporter's text or name
  // the preview showed exactly the text that went out
  for (const line of issue.body.split('\n').filter((l: string) => l.trim())) expect(preview.text).toContain(line);

  const report = (await s.stack.deps.store.getReport(jane.id))!;
  expect(report.embargo!.until).toBe('2026-10-23T12:00:00.000Z');
  expect(report.disclosure!.announce).toMatchObject({ state: 'done', url: issue.html_url, at: '2026-10-20T12:00:00.000Z' });
  const told = (await s.outbox()).find((m) => m.kind === 'disclosure-announced:reporter')!;
  expect(told.to).toEqual(['jane@reporter.example']);
  expect(told.text).toContain(issue.html_url);
  expect(told.text).toContain('2026');

  // the embargo end: release notes draft with the confirmed credit, issue commented and closed, all told
  await s.advanceTo('2026-10-23T12:00:00Z');
  expect(gh.state.releases).toHaveLength(1);
  expect(gh.state.releases[0]).toMatchObject({ draft: true, tag_name: 'v0.3.1' });
  expect(gh.state.releases[0]!.body).toContain('Credit: Jane Reporter');
  expect(gh.state.issues[0]).toMatchObject({ state: 'closed' });
  expect(gh.state.issues[0]!.comments_list).toHaveLength(1);
  const mails = await s.outbox();
  const published = mails.filter((m) => m.kind.startsWith('disclosure-published'));
  expect(published.map((m) => m.to)).toEqual([[ALICE, 'bob@hashberg.io'], ['jane@reporter.example']]);
  expect(published[1]!.text).toContain(issue.html_url);
  expect(published[1]!.text).toContain('You are credited as: Jane Reporter.');
  expect(published[0]!.text).toContain(gh.state.releases[0]!.html_url);
  const done = (await s.stack.deps.store.getReport(jane.id))!.disclosure!;
  expect(Object.fromEntries(Object.entries(done).map(([k, v]) => [k, v!.state]))).toEqual({ announce: 'done', releaseNotes: 'done', publish: 'done' });
  // show --json: each step's state, url and at under report.disclosure
  const view = await controlClient(s.stack.controlPort, s.stack.controlToken).show(jane.id);
  expect(view.report.disclosure).toMatchObject({
    announce: { state: 'done', url: issue.html_url, at: '2026-10-20T12:00:00.000Z' },
    releaseNotes: { state: 'done', url: gh.state.releases[0]!.html_url, at: '2026-10-23T12:00:00.000Z' },
    publish: { state: 'done', mode: 'at-embargo-end', at: '2026-10-23T12:00:00.000Z' },
  });
  expect(showText(view)).toContain(`announce     done at 2026-10-20T12:00:00.000Z  ${issue.html_url}`);
  expect(gh.problems).toEqual([]);
  expect(gh.rejected).toEqual([]);
});
