/**
 * Issue 13 on the local stack (SMTP in, DKIM-signed maintainer mail verified against the stack's offline DNS, the
 * real workflow runner, mail read back from the outbox): round-robin owners, `Assign: me`, a reminder to the owner
 * and an escalation to everyone, a lead's command accepted signed and refused unsigned, facts with CVSS scores, an
 * invalid range refused, the sample report's credit wish at the embargo end, and the co-maintainer's relay copy.
 */
import { example, exampleMail, plainMail, redated, startScenario, type Scenario } from './scenario-support';

const ALICE = 'alice@hashberg.io';
const BOB = 'bob@hashberg.io';
const LEAD = 'security-lead@hashberg.io';
const ARRIVAL = '2026-10-20T09:00:00Z';

let s: Scenario;
beforeAll(async () => {
  s = await startScenario({ config: example('bases'), startAt: ARRIVAL, maintainerDomains: ['hashberg.io'] });
});
afterAll(() => s.close());

test("owners, leads, facts, the reporter's credit wish and the team copy, end to end", async () => {
  const sample = redated(await exampleMail('report'), ARRIVAL);
  await s.deliver(sample, { from: 'jane@reporter.example', to: 'security@hashberg.io' });
  for (const [i, who] of ['sam@finder.example', 'kim@finder.example'].entries()) {
    await s.deliver(
      plainMail({ from: who, to: 'security@hashberg.io', subject: `report ${i + 2}`, date: ARRIVAL, messageId: `r${i}@finder.example`, body: 'Crash in parse() with a long input.\n' }),
      { from: who, to: 'security@hashberg.io' },
    );
  }
  const reports = (await s.stack.deps.store.listReports()).sort((a, b) => a.id.localeCompare(b.id));
  const owners = reports.map((r) => r.owner).sort();
  expect(owners).toEqual([ALICE, ALICE, BOB]); // round-robin over the two maintainers
  const jane = reports.find((r) => r.reporter.address === 'jane@reporter.example')!;
  expect(jane.reporterPreferences).toMatchObject({ credit: 'Jane Reporter (Example Security Research)' });
  const receipt = (await s.outbox()).find((m) => m.kind === 'receipt' && m.subject.includes(jane.id))!;
  let n = 0;
  const reply = async (from: string, body: string, sign = true) => {
    const at = s.stack.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await s.deliver(
      plainMail({ from, to: receipt.replyTo, subject: `Re: ${receipt.subject}`, date: at, messageId: `o${++n}@hashberg.io`, body }),
      { from, to: receipt.replyTo },
      sign,
    );
    await s.stack.runner.idle();
  };

  // the reminders (50% at 12 h, and 2 h before) go to the owner only; the escalation at 24 h to everyone and the lead
  await s.advanceTo('2026-10-21T09:30:00Z');
  const timerMail = (await s.outbox()).filter((m) => m.subject.includes(jane.id) && /^(reminder|escalation):acknowledge/.test(m.kind));
  expect(timerMail.map((m) => [m.kind, m.to, m.cc])).toEqual([
    ['reminder:acknowledge', [jane.owner], []],
    ['reminder:acknowledge', [jane.owner], []],
    ['escalation:acknowledge', [ALICE, BOB], [LEAD]],
  ]);
  expect(timerMail[2]!.text).toContain(`Owner: ${jane.owner}`);

  // the lead's unsigned command is a stranger's mail; signed, it acts
  await reply(LEAD, 'Status: triaged\n', false);
  expect((await s.stack.deps.store.getReport(jane.id))!.status).toBe('received');
  const other = jane.owner === ALICE ? BOB : ALICE;
  await reply(other, 'Assign: me\nStatus: triaged\nAffected: PyPI bases >=0.2.0, <0.3.1\nCWE: CWE-407\nSeverity: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H\n\nConfirmed, thank you.\n');
  let now = (await s.stack.deps.store.getReport(jane.id))!;
  expect(now).toMatchObject({ owner: other, status: 'triaged', severity: 'high' });
  expect(now.facts).toMatchObject({ affected: [{ ecosystem: 'PyPI', package: 'bases', range: '>=0.2.0, <0.3.1' }], cwe: ['CWE-407'], severity: { score: 7.5, rating: 'high' } });
  const applied = (await s.outbox()).filter((m) => m.kind === 'commands-applied').at(-1)!;
  expect(applied.text).toContain(`Owner: ${jane.owner} -> ${other}`);
  expect(applied.text).toContain('  | Confirmed, thank you.'); // the other maintainer sees what the reporter got

  // an invalid range changes nothing and says why; a CVSS 4.0 vector is scored
  await reply(other, 'Affected: PyPI bases from 0.2 to 0.3\n');
  expect((await s.outbox()).filter((m) => m.kind === 'command-error').at(-1)!.text).toContain('is not a version constraint');
  await reply(other, 'Severity: CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N\nEmbargo: 72h\n');
  now = (await s.stack.deps.store.getReport(jane.id))!;
  expect(now.facts!.severity).toMatchObject({ score: 9.3, rating: 'critical' });

  // a plain reply without commands: the co-maintainer gets a copy
  await reply(other, 'We are preparing 0.3.1.\n');
  const copy = (await s.outbox()).filter((m) => m.kind === 'relay-copy').at(-1)!;
  expect(copy.to).toEqual([jane.owner]);
  expect(copy.text).toContain('  | We are preparing 0.3.1.');

  // the embargo ends: the reporter's wish is quoted as awaiting confirmation, the facts are in the maintainers' copy
  await s.advanceTo(new Date(Date.parse(now.embargo!.until) + 60_000).toISOString());
  const ended = (await s.outbox()).filter((m) => m.kind.startsWith('embargo-end') && m.subject.includes(jane.id));
  expect(ended.find((m) => m.kind === 'embargo-end:reporter')!.text).toContain('You asked to be credited as: Jane Reporter (Example Security Research). The maintainers have not confirmed it yet');
  const maintainers = ended.find((m) => m.kind === 'embargo-end')!.text;
  expect(maintainers).toContain('Affected: PyPI bases >=0.2.0, <0.3.1');
  expect(maintainers).toContain('Severity: critical (CVSS 9.3');
});
