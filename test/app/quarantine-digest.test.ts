/**
 * Quarantined mail reaches the maintainers: the first message of an hour at once, the rest in one digest at the
 * end of the hour (DESIGN section 3), on dynalite and the real parser, with the timers run by moving the clock.
 */
import { tick } from '../../lambdas/app/tick';
import { loadExample, mail, startHarness, type Harness } from '../support/intake-harness';

const config = loadExample('bases');
const SECURITY = config.projects[0].addresses[0];
const MAINTAINER = config.projects[0].maintainers[0].address;
const SPAM = { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'FAIL', virus: 'PASS' } as const;
const start = new Date('2027-03-12T21:02:00Z');
const endOfHour = new Date('2027-03-12T22:00:00Z');

let h: Harness;
beforeEach(async () => {
  h = await startHarness(config, start);
});
afterEach(async () => {
  await h.close();
});

const spam = (i: number) =>
  mail({ from: `bulk${i}@spam.example`, to: SECURITY, subject: `CHEAP PILLS ${i}`, body: `Buy now, offer ${i}.` });

/** Every started workflow takes its turn at `at`, all at once (as Step Functions would wake them). */
async function tickAll(at: Date) {
  h.clock.set(at);
  return Promise.all(h.workflow.started.map((reportId) => tick(h.deps, { reportId, execution: reportId })));
}

test('8 quarantined messages in one hour: the first told at once, the other 7 in one digest at the end of the hour', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 8; i++) {
    h.clock.set(new Date(start.getTime() + i * 7 * 60_000)); // 21:02 .. 21:51
    const r = await h.deliver(spam(i), { verdicts: SPAM });
    expect(r.outcome).toBe('quarantined');
    ids.push(r.reportId!);
  }
  expect(h.sender.to(MAINTAINER).map((m) => m.outboxId)).toEqual(['quarantine-notice']);
  expect(h.sender.to(MAINTAINER)[0]!.parsed.text).toContain(ids[0]);
  expect([...h.workflow.started].sort()).toEqual([...ids].sort());

  // Nothing before the hour ends.
  const early = await tickAll(new Date(endOfHour.getTime() - 1000));
  expect(early.every((o) => !o.done && o.sleepSeconds === 1)).toBe(true);
  expect(h.sender.to(MAINTAINER)).toHaveLength(1);

  const outs = await tickAll(endOfHour);
  expect(outs.every((o) => o.done)).toBe(true);
  const mails = h.sender.to(MAINTAINER);
  expect(mails.map((m) => m.outboxId)).toEqual(['quarantine-notice', 'quarantine-digest:bases:2027-03-12T21:00:00.000Z']);
  const digest = mails[1]!.parsed;
  expect(digest.subject).toMatch(/7 messages/);
  for (const id of ids.slice(1)) expect(digest.text).toContain(id);
  expect(digest.text).not.toContain(ids[0]);
  expect(digest.text).not.toContain('CHEAP PILLS'); // never the content
  expect(digest.text).not.toContain('Buy now');
  // It hangs on the smallest report ID of the hour, whichever report's tick ran first.
  const owner = [...ids].sort()[0]!;
  expect((await h.store.getOutbox(owner, 'quarantine-digest:bases:2027-03-12T21:00:00.000Z'))?.state).toBe('sent');
  for (const id of ids) expect((await h.store.getReport(id))!.fired).toEqual(['quarantine:digest']);
  expect(h.sender.sent.filter((m) => m.outboxId === 'receipt')).toHaveLength(0);

  // A retried or late tick sends nothing more.
  await tickAll(new Date(endOfHour.getTime() + 60_000));
  expect(h.sender.to(MAINTAINER)).toHaveLength(2);
});

test('a quarantined message alone: just the immediate notice, no digest', async () => {
  const r = await h.deliver(spam(1), { verdicts: SPAM });
  expect(h.workflow.started).toEqual([r.reportId]);
  const [out] = await tickAll(endOfHour);
  expect(out!.done).toBe(true);
  expect(h.sender.to(MAINTAINER).map((m) => m.outboxId)).toEqual(['quarantine-notice']);
  expect((await h.store.getReport(r.reportId!))!.fired).toEqual(['quarantine:digest']);
});

test('the next hour starts over: its first message is told at once, and each hour has its own digest', async () => {
  const first = await h.deliver(spam(1), { verdicts: SPAM });
  h.clock.set('2027-03-12T21:30:00Z');
  const second = await h.deliver(spam(2), { verdicts: SPAM });
  h.clock.set('2027-03-12T22:05:00Z');
  const third = await h.deliver(spam(3), { verdicts: SPAM });
  expect(h.sender.to(MAINTAINER).map((m) => m.outboxId)).toEqual(['quarantine-notice', 'quarantine-notice']);
  await tickAll(new Date('2027-03-12T23:00:00Z'));
  const mails = h.sender.to(MAINTAINER);
  expect(mails.map((m) => m.outboxId)).toEqual([
    'quarantine-notice',
    'quarantine-notice',
    'quarantine-digest:bases:2027-03-12T21:00:00.000Z',
  ]);
  expect(mails[2]!.parsed.text).toContain(second.reportId!);
  expect(mails[2]!.parsed.text).not.toContain(first.reportId!);
  expect(mails[2]!.parsed.text).not.toContain(third.reportId!);
});
