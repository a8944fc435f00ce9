/**
 * The weekly digest on the local stack (issue 19): hashberg bases with `digest: Monday 09:00` (Europe/London).
 * Two reports arrive over SMTP on a Wednesday; one is acknowledged by a DKIM-signed reply, the other never is.
 * The clock is moved over two weeks in one move: two digests go out, each at its Monday 09:00, recorded in the
 * outbox like every mail, saying what was open, missed and due, and the figures of the last 4 weeks.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { example, plainMail, startScenario, timelineOf, type Scenario } from './scenario-support';

const ALICE = 'alice@hashberg.io';
const MAINTAINERS = 'alice@hashberg.io bob@hashberg.io';
const ARRIVAL = '2027-01-13T10:00:00Z'; // Wed

let s: Scenario;
beforeAll(async () => {
  const config = JSON.parse(await readFile(example('bases'), 'utf8'));
  delete config.$schema;
  config.projects[0].digest = { day: 'mon', time: '09:00' };
  const file = join(await mkdtemp(join(tmpdir(), 'secintake-digest-config-')), 'bases-digest.json');
  await writeFile(file, JSON.stringify(config));
  s = await startScenario({ config: file, startAt: ARRIVAL, maintainerDomains: ['hashberg.io'] });
}, 30_000);
afterAll(() => s?.close());

test('two weeks, two digests, each at its Monday 09:00, with what was open, missed and due', async () => {
  for (const [i, subject] of ['Overflow in decode', 'Crash in parse'].entries()) {
    const from = `reporter${i}@example.net`;
    await s.deliver(plainMail({ from, to: 'security@hashberg.io', subject, date: ARRIVAL, messageId: `r${i}@example.net`, body: `Details of ${subject}, version 0.3.0.\n` }), { from, to: 'security@hashberg.io' });
  }
  const reports = await s.stack.deps.store.listReports();
  const acked = reports.find((r) => r.subject === 'Overflow in decode')!;
  const ignored = reports.find((r) => r.subject === 'Crash in parse')!;
  const receipt = (await s.outbox()).find((m) => m.kind === 'receipt' && m.subject.includes(acked.id))!;
  await s.stack.advanceTo(new Date('2027-01-13T12:00:00Z'));
  await s.deliver(
    plainMail({ from: `Alice <${ALICE}>`, to: receipt.replyTo, subject: `Re: ${receipt.subject}`, date: '2027-01-13T12:00:00Z', messageId: 'a1@hashberg.io', body: 'Status: triaged\n\nThanks, we reproduce it; assessment: a bounds check is missing.\n' }),
    { from: ALICE, to: receipt.replyTo },
    true,
  );

  await s.stack.advanceTo(new Date('2027-01-27T12:00:00Z'));
  const mails = await s.outbox();
  const digests = mails.filter((m) => m.kind === 'weekly-digest');
  expect(timelineOf(digests)).toEqual([`2027-01-18T09:00:00Z weekly-digest -> ${MAINTAINERS}`, `2027-01-25T09:00:00Z weekly-digest -> ${MAINTAINERS}`]);
  const [first, second] = digests;
  expect(first.subject).toBe('[bases security] Weekly digest: 2 open reports, 2 missed deadlines');
  expect(first.autoSubmitted).toBe('auto-generated');
  expect(first.text).toContain('as of Mon 2027-01-18 09:00 GMT (09:00 UTC): 2 open reports, 2 deadlines missed in the last 7 days, 2 deadlines due in the next 7.');
  // by owner (round-robin gave one to each maintainer), each with its status and next deadline
  expect(first.text).toContain(
    `Open reports, by owner:\nAlice (alice@hashberg.io), 1:\n- ${acked.id}  triaged, next: update by Wed 2027-01-20 12:00 GMT (12:00 UTC)  Overflow in decode\n` +
      `Bob (bob@hashberg.io), 1:\n- ${ignored.id}  received, next: update by Wed 2027-01-20 10:00 GMT (10:00 UTC); overdue: acknowledge, respond  Crash in parse`,
  );
  expect(first.text).toContain(
    `Missed in the last 7 days:\n- ${ignored.id}  acknowledge was due Thu 2027-01-14 10:00 GMT (10:00 UTC)  Crash in parse\n` +
      `- ${ignored.id}  respond was due Fri 2027-01-15 10:00 GMT (10:00 UTC)  Crash in parse`,
  );
  expect(first.text).toContain(`Not yet acknowledged:\n- ${ignored.id}  received Wed 2027-01-13 10:00 GMT (10:00 UTC)  Crash in parse`);
  expect(first.text).toContain(`- ${acked.id}  update by Wed 2027-01-20 12:00 GMT (12:00 UTC)  Overflow in decode`);
  expect(first.text).toContain('Promises kept, last 4 weeks (in time / due):\nweek  received  acknowledge  respond  update\n2026-W53  0  -  -  -');
  expect(first.text).toContain('2027-W02  2  50% (1/2)  50% (1/2)  100% (1/1)');
  // the next week: both reports' status updates were missed on Wednesday
  expect(second.subject).toBe('[bases security] Weekly digest: 2 open reports, 2 missed deadlines');
  expect(second.text).toContain(`- ${acked.id}  update was due Wed 2027-01-20 12:00 GMT (12:00 UTC)  Overflow in decode`);
  // with nothing pending, the owner still reads what is overdue, not "no deadline pending"
  expect(second.text).toContain(`Alice (alice@hashberg.io), 1:\n- ${acked.id}  triaged, overdue: update  Overflow in decode`);
  expect(second.text).toContain('Due in the next 7 days:\n(none)');
  expect(second.text).toContain('2027-W02  2  50% (1/2)  50% (1/2)  33% (1/3)');
  // recorded like every mail: in the outbox, under the project's digest record
  const recorded = await s.stack.deps.store.listOutbox('DIGEST-bases');
  expect(recorded.map((o) => [o.kind, o.state, o.createdAt])).toEqual([
    ['weekly-digest', 'sent', '2027-01-18T09:00:00.000Z'],
    ['weekly-digest', 'sent', '2027-01-25T09:00:00.000Z'],
  ]);
  // moving on within the week sends nothing more
  await s.stack.advanceTo(new Date('2027-01-28T12:00:00Z'));
  expect((await s.outbox()).filter((m) => m.kind === 'weekly-digest')).toHaveLength(2);
}, 120_000);
