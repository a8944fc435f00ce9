import { arm, wakeReport } from '../../lambdas/app/arm';
import { FINISHING_SLEEP_SECONDS, tick } from '../../lambdas/app/tick';
import { basesReport, exampleConfig, SettableClock, timerDeps } from '../support/timer-deps';

const config = exampleConfig('bases');
const created = new Date('2027-03-12T21:02:00Z');
const hours = (h: number) => new Date(created.getTime() + h * 3600_000);

async function setup(at: Date, overrides = {}) {
  const clock = new SettableClock(at);
  const t = timerDeps(config, clock);
  await t.store.createReport(basesReport(overrides));
  return { ...t, clock };
}

describe('tick', () => {
  test('sends the due reminder once, records it, and plans the next wake-up', async () => {
    const { deps, store, sender } = await setup(hours(12));
    const out = await tick(deps, { reportId: 'K7QM-2XPD', execution: 'K7QM-2XPD' });

    expect(sender.sent.map((m) => [m.outboxId, m.to])).toEqual([
      ['acknowledge:remind:50%', ['alice@hashberg.io', 'bob@hashberg.io']],
    ]);
    const report = (await store.getReport('K7QM-2XPD'))!;
    expect(report.fired).toEqual(['acknowledge:remind:50%']);
    expect(report.nextDueAt).toBe(hours(22).toISOString()); // the 2h-before reminder
    expect(out).toEqual({ reportId: 'K7QM-2XPD', done: false, sleepSeconds: 10 * 3600, plannedVersion: report.version });
    const events = await store.listEvents('K7QM-2XPD');
    expect(events.filter((e) => e.type === 'timer.fired')).toEqual([
      expect.objectContaining({
        key: 'acknowledge:remind:50%',
        detail: { key: 'acknowledge:remind:50%', deadline: 'acknowledge', dueAt: hours(24).toISOString(), firedAt: hours(12).toISOString() },
      }),
    ]);
  });

  test('a retried tick sends nothing twice, even after a crash in the middle', async () => {
    const { deps, sender, store, counted } = await setup(hours(24), { fired: ['acknowledge:remind:50%', 'acknowledge:remind:2h'] });
    sender.failOnSend = 2; // the late notice fails after the escalation went out
    await expect(tick(deps, { reportId: 'K7QM-2XPD' })).rejects.toThrow('bad day');
    await tick(deps, { reportId: 'K7QM-2XPD' });
    await tick(deps, { reportId: 'K7QM-2XPD' });

    expect(sender.sent.map((m) => m.outboxId)).toEqual([
      'acknowledge:escalate:soft',
      'acknowledge:late-notice',
      'respond:remind:50%',
    ]);
    expect(counted.filter((c) => c === 'deadlinesMissed')).toHaveLength(1);
    const late = sender.sent[1]!;
    expect(late.to).toEqual(['rita@example.org']);
    // Honest, with the next date: no hard bound, so the soft bound once more (Sun 2027-03-14 21:02 GMT).
    expect(late.text).toContain('2027-03-14');
    expect((await store.getReport('K7QM-2XPD'))!.fired).toHaveLength(5);
    expect((await store.listEvents('K7QM-2XPD')).filter((e) => e.type === 'timer.fired')).toHaveLength(3);
  });

  test('an acknowledged report gets no acknowledgment reminders', async () => {
    const { deps, sender } = await setup(hours(12), { acknowledgedAt: hours(1).toISOString() });
    await tick(deps, { reportId: 'K7QM-2XPD' });
    expect(sender.sent).toEqual([]);
  });

  test('embargo end: maintainers and reporter told, disclosure due now, status unchanged', async () => {
    const until = '2027-03-19T12:00:00.000Z';
    const { deps, sender, store } = await setup(new Date(until), {
      status: 'fixing',
      acknowledgedAt: hours(1).toISOString(),
      respondedAt: hours(2).toISOString(),
      lastUpdateAt: '2027-03-18T12:00:00.000Z',
      embargo: { until, setAt: hours(90).toISOString(), setBy: 'alice@hashberg.io' },
    });
    await tick(deps, { reportId: 'K7QM-2XPD' });
    expect(sender.sent.map((m) => m.outboxId)).toEqual([`embargo:end:${until}`, `embargo:end:${until}:reporter`]);
    const report = (await store.getReport('K7QM-2XPD'))!;
    expect(report).toMatchObject({ status: 'fixing', disclosureDueAt: until });
  });

  test('a closed report ends the workflow; nothing planned sleeps the 7-day maximum', async () => {
    const closed = await setup(hours(30), { status: 'closed', closeReason: 'invalid' });
    expect(await tick(closed.deps, { reportId: 'K7QM-2XPD' })).toMatchObject({ done: true });
    expect(closed.sender.sent).toEqual([]);

    const fixed = await setup(hours(30), { status: 'fixed', acknowledgedAt: hours(1).toISOString(), respondedAt: hours(2).toISOString() });
    const out = await tick(fixed.deps, { reportId: 'K7QM-2XPD' });
    expect(out).toMatchObject({ done: false, sleepSeconds: 7 * 24 * 3600 });
  });

  test('hands over to a new execution after 300 days', async () => {
    const { deps, workflow } = await setup(hours(301 * 24), { status: 'fixed', acknowledgedAt: hours(1).toISOString(), respondedAt: hours(2).toISOString() });
    const out = await tick(deps, { reportId: 'K7QM-2XPD', execution: 'K7QM-2XPD' });
    expect(out).toMatchObject({ done: true, continuedAs: 'K7QM-2XPD-g1' });
    expect(workflow.calls).toEqual(['start K7QM-2XPD 1']);
    const next = await tick(deps, { reportId: 'K7QM-2XPD', execution: 'K7QM-2XPD-g1' });
    expect(next).toMatchObject({ done: false });
    // a retry of the old generation's Tick starts nothing new: it is stale and ends
    expect(await tick(deps, { reportId: 'K7QM-2XPD', execution: 'K7QM-2XPD' })).toMatchObject({ done: true });
    expect(workflow.calls).toEqual(['start K7QM-2XPD 1']);
  });

  test('only the current generation acts: a stale execution sends nothing and ends', async () => {
    const { deps, store, sender } = await setup(hours(13)); // the 50% reminder of 24h is due
    const r = (await store.getReport('K7QM-2XPD'))!;
    await store.updateReport(r.id, r.version, { generation: 2, generationStartedAt: hours(12).toISOString() });
    // done: the sleep that follows is ended by arm at once; its timeout is only the fallback
    expect(await tick(deps, { reportId: r.id, execution: 'K7QM-2XPD-g1' })).toMatchObject({ done: true, sleepSeconds: FINISHING_SLEEP_SECONDS });
    expect(sender.sent).toEqual([]);
    const current = await tick(deps, { reportId: r.id, execution: 'K7QM-2XPD-g2' });
    expect(current.done).toBe(false);
    expect(sender.sent.map((m) => m.outboxId)).toEqual(['acknowledge:remind:50%']);
  });
});

describe('arm', () => {
  test('stores the token; wakes at once only when the report changed since planning', async () => {
    const { deps, store, workflow } = await setup(hours(1));
    const planned = (await store.getReport('K7QM-2XPD'))!.version;
    await arm(deps, { reportId: 'K7QM-2XPD', token: 't1', plannedVersion: planned });
    expect(workflow.calls).toEqual([]);
    const armed = (await store.getReport('K7QM-2XPD'))!;
    expect(armed.workflow).toEqual({ token: 't1', plannedVersion: planned });

    await store.updateReport('K7QM-2XPD', armed.version, { acknowledgedAt: hours(1).toISOString() });
    await arm(deps, { reportId: 'K7QM-2XPD', token: 't2', plannedVersion: armed.version });
    expect(workflow.calls).toEqual(['wake t2']);

    await wakeReport(deps, (await store.getReport('K7QM-2XPD'))!);
    expect(workflow.calls).toEqual(['wake t2', 'wake t2']);
  });

  test('Tick said done: arm ends the execution (its sleep fails with ReportFinished) and stores nothing', async () => {
    const { deps, store, workflow } = await setup(hours(1));
    const before = (await store.getReport('K7QM-2XPD'))!;
    await arm(deps, { reportId: 'K7QM-2XPD', token: 't9', plannedVersion: before.version, done: true });
    expect(workflow.calls).toEqual(['finish t9']);
    expect((await store.getReport('K7QM-2XPD'))!.version).toBe(before.version);
  });

  test('a report that is gone: arm ends the execution', async () => {
    const { deps, workflow } = await setup(hours(1));
    await arm(deps, { reportId: 'ZZZZ-ZZZZ', token: 't0', plannedVersion: 0, done: false });
    expect(workflow.calls).toEqual(['finish t0']);
    // an execution of the older definition (no `done`, no ReportFinished catcher) is woken, never failed
    await arm(deps, { reportId: 'ZZZZ-ZZZZ', token: 't1', plannedVersion: 0 });
    expect(workflow.calls).toEqual(['finish t0', 'wake t1']);
  });

  test("a stale generation's sleep is never armed: its execution ends at once, the current one stays", async () => {
    const { deps, store, workflow } = await setup(hours(1));
    const r = (await store.getReport('K7QM-2XPD'))!;
    await arm(deps, { reportId: r.id, token: 'new', plannedVersion: r.version, execution: 'K7QM-2XPD-g1' });
    const withToken = (await store.getReport(r.id))!;
    await store.updateReport(r.id, withToken.version, { generation: 1 });
    await arm(deps, { reportId: r.id, token: 'old', plannedVersion: r.version, execution: 'K7QM-2XPD', done: false });
    expect((await store.getReport(r.id))!.workflow?.token).toBe('new');
    expect(workflow.calls).toContain('finish old');
    expect(workflow.calls).not.toContain('wake old');
  });
});

describe('a missed status update', () => {
  const withLateNotice = structuredClone(config);
  withLateNotice.projects[0].timers.update = { ...withLateNotice.projects[0].timers.update!, lateNotice: true };
  // acknowledged and answered at once: the first update is due 7 days after the report (2027-03-19 21:02 GMT)
  const answered = { acknowledgedAt: hours(1).toISOString(), respondedAt: hours(1).toISOString(), fired: ['update:remind:50%:2027-03-19T21:02:00.000Z', 'update:remind:2h:2027-03-19T21:02:00.000Z'] };

  test('is escalated to the maintainers and the leads, and counted as a missed deadline', async () => {
    const { deps, sender, counted } = await setup(new Date('2027-03-19T21:02:00Z'), answered);
    await tick(deps, { reportId: 'K7QM-2XPD' });
    expect(sender.sent.map((m) => [m.outboxId, m.to])).toEqual([
      ['update:escalate:2027-03-19T21:02:00.000Z', ['alice@hashberg.io', 'bob@hashberg.io', 'security-lead@hashberg.io']],
    ]);
    expect(counted).toContain('deadlinesMissed');
  });

  test('with update.lateNotice, the reporter is told honestly, with the next date, and the escalation says so', async () => {
    const clock = new SettableClock(new Date('2027-03-19T21:02:00Z'));
    const t = timerDeps(withLateNotice, clock);
    await t.store.createReport(basesReport(answered));
    await tick(t.deps, { reportId: 'K7QM-2XPD' });
    expect(t.sender.sent.map((m) => m.outboxId)).toEqual(['update:escalate:2027-03-19T21:02:00.000Z', 'update:late-notice:2027-03-19T21:02:00.000Z']);
    const [escalation, late] = t.sender.sent;
    const text = (m: { text: string }) => m.text.replace(/=\r?\n/g, '').replace(/\s+/g, ' ');
    expect(late!.to).toEqual(['rita@example.org']);
    expect(text(late!)).toMatch(/We promised to send you a status update on your report K7QM-2XPD by Fri 2027-03-19 21:02 GMT .* have not yet done so/);
    expect(text(late!)).toMatch(/you will hear from us by Fri 2027-03-26 21:02 GMT/);
    expect(text(escalation!)).toMatch(/The reporter has been told it is late/);
  });
});
