import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema, type Project } from '../../lambdas/core/config';
import type { Report } from '../../lambdas/core/report';
import {
  deadlinesOf,
  dueActions,
  isFinished,
  lateNoticeNextDate,
  nextWakeAt,
  plannedActions,
} from '../../lambdas/core/timeline';

const example = (name: string): Project =>
  configSchema.parse(JSON.parse(readFileSync(join(__dirname, '../../examples', `${name}.json`), 'utf8'))).projects[0]!;

const bases = example('bases');
const crowdstrike = example('crowdstrike');

function report(overrides: Partial<Report> = {}): Report {
  return {
    id: 'K7QM-2XPD',
    project: 'bases',
    status: 'received',
    reporter: { address: 'rita@example.org' },
    subject: 'Heap overflow in decode()',
    createdAt: '2027-03-12T21:02:00.000Z',
    origin: 'ses-1',
    securityAddress: 'security@hashberg.io',
    fired: [],
    version: 1,
    ...overrides,
  } as Report;
}

const schedule = (r: Report, p: Project, now: Date) =>
  plannedActions(r, p, now).map((a) => [a.firesAt.toISOString(), a.key]);

describe('bases policy (24h acknowledge, 48h response, weekly updates, 72h embargo; Europe/London)', () => {
  const created = new Date('2027-03-12T21:02:00Z'); // Fri 21:02 GMT

  test('every timer of a fresh report, in firing order', () => {
    expect(schedule(report(), bases, created)).toEqual([
      ['2027-03-13T09:02:00.000Z', 'acknowledge:remind:50%'],
      ['2027-03-13T19:02:00.000Z', 'acknowledge:remind:2h'],
      ['2027-03-13T21:02:00.000Z', 'acknowledge:escalate:soft'],
      ['2027-03-13T21:02:00.000Z', 'acknowledge:late-notice'],
      ['2027-03-13T21:02:00.000Z', 'respond:remind:50%'],
      ['2027-03-14T19:02:00.000Z', 'respond:remind:2h'],
      // no hard bound: the date the late notice promised (the soft bound once more) is escalated again if missed
      ['2027-03-14T21:02:00.000Z', 'acknowledge:escalate:hard'],
      ['2027-03-14T21:02:00.000Z', 'respond:escalate'],
      ['2027-03-16T09:02:00.000Z', 'update:remind:50%:2027-03-19T21:02:00.000Z'],
      ['2027-03-19T19:02:00.000Z', 'update:remind:2h:2027-03-19T21:02:00.000Z'],
      ['2027-03-19T21:02:00.000Z', 'update:escalate:2027-03-19T21:02:00.000Z'],
    ]);
  });

  test('deadlines as instants; the late notice promises the soft bound once more (no hard bound)', () => {
    expect(deadlinesOf(report(), bases)).toEqual([
      { name: 'acknowledge', dueAt: '2027-03-13T21:02:00.000Z', state: 'pending' },
      { name: 'respond', dueAt: '2027-03-14T21:02:00.000Z', state: 'pending' },
      { name: 'update', dueAt: '2027-03-19T21:02:00.000Z', state: 'pending' },
    ]);
    expect(lateNoticeNextDate(report(), bases).toISOString()).toBe('2027-03-14T21:02:00.000Z');
  });

  test('an acknowledgment stops its timers; met late shows as missed with when it was met', () => {
    const r = report({ acknowledgedAt: '2027-03-13T22:00:00.000Z' });
    expect(schedule(r, bases, created).map(([, k]) => k)).not.toContain('acknowledge:escalate:soft');
    expect(deadlinesOf(r, bases)[0]).toMatchObject({ state: 'missed', metAt: '2027-03-13T22:00:00.000Z' });
    const onTime = report({ acknowledgedAt: '2027-03-13T08:00:00.000Z' });
    expect(deadlinesOf(onTime, bases)[0]).toMatchObject({ state: 'met' });
    expect(deadlinesOf(report(), bases, new Date('2027-03-13T21:02:01Z'))[0]!.state).toBe('missed');
  });

  test('due actions at an instant exclude fired keys; the next wake-up is the next firing', () => {
    const at = new Date('2027-03-13T21:02:00Z');
    const r = report({ fired: ['acknowledge:remind:50%', 'acknowledge:remind:2h'] });
    expect(dueActions(r, bases, at).map((a) => [a.key, a.kind])).toEqual([
      ['acknowledge:escalate:soft', 'escalate'],
      ['acknowledge:late-notice', 'late-notice'],
      ['respond:remind:50%', 'remind'],
    ]);
    expect(nextWakeAt(r, bases, at)?.toISOString()).toBe('2027-03-14T19:02:00.000Z');
  });

  test('a reminder whose deadline has already passed is not sent late (after a stop)', () => {
    const at = new Date('2027-03-15T00:00:00Z');
    const keys = dueActions(report(), bases, at).map((a) => a.key);
    expect(keys).toEqual(['acknowledge:escalate:soft', 'acknowledge:late-notice', 'acknowledge:escalate:hard', 'respond:escalate']);
  });

  test('weekly updates are deadlines: reminded before, escalated and missed after, the cadence restarting on a relayed update', () => {
    const r = report({ acknowledgedAt: '2027-03-13T08:00:00Z', respondedAt: '2027-03-14T08:00:00Z' });
    const updateEscalation = (x: Report, now: Date) => plannedActions(x, bases, now).find((a) => a.kind === 'escalate' && a.deadline === 'update');
    expect(nextWakeAt(r, bases, created)?.toISOString()).toBe('2027-03-16T09:02:00.000Z'); // half-way reminder
    expect(updateEscalation(r, created)?.dueAt.toISOString()).toBe('2027-03-19T21:02:00.000Z');
    // An update relayed on day 5: the first one is due a week later (the later of the two rules), reminded
    // half-way through that week
    const early = { ...r, lastUpdateAt: '2027-03-17T10:00:00.000Z' };
    expect(updateEscalation(early, created)?.dueAt.toISOString()).toBe('2027-03-24T10:00:00.000Z');
    expect(nextWakeAt(early, bases, created)?.toISOString()).toBe('2027-03-20T22:00:00.000Z');
    // Missed: escalated at its instant, shown as missed; the next week is planned, 21:02 London time after the
    // clocks went forward (BST)
    const at = new Date('2027-03-19T21:02:00Z');
    expect(dueActions(r, bases, at).map((a) => a.key)).toContain('update:escalate:2027-03-19T21:02:00.000Z');
    const missed = { ...r, fired: ['update:remind:50%:2027-03-19T21:02:00.000Z', 'update:remind:2h:2027-03-19T21:02:00.000Z', 'update:escalate:2027-03-19T21:02:00.000Z'] };
    expect(deadlinesOf(missed, bases, new Date('2027-03-20T09:00:00Z')).find((d) => d.name === 'update')).toEqual({
      name: 'update',
      dueAt: '2027-03-19T21:02:00.000Z',
      state: 'missed',
    });
    expect(updateEscalation(missed, at)?.dueAt.toISOString()).toBe('2027-03-26T21:02:00.000Z');
    const missedTwice = { ...missed, fired: [...missed.fired, 'update:escalate:2027-03-26T21:02:00.000Z'] };
    expect(updateEscalation(missedTwice, new Date('2027-03-26T21:02:01Z'))?.dueAt.toISOString()).toBe('2027-04-02T20:02:00.000Z');
    // a relayed update meets it: the next one is a week after that update
    const updated = { ...missed, lastUpdateAt: '2027-03-20T10:00:00.000Z' };
    expect(deadlinesOf(updated, bases, new Date('2027-03-20T11:00:00Z')).find((d) => d.name === 'update')?.state).toBe('pending');
    expect(updateEscalation(updated, new Date('2027-03-20T11:00:00Z'))?.dueAt.toISOString()).toBe('2027-03-27T10:00:00.000Z');
  });

  test('no update reminders once fixed; nothing at all once closed or disclosed', () => {
    expect(schedule(report({ status: 'fixed' }), bases, created).map(([, k]) => k)).not.toContainEqual(
      expect.stringMatching(/^update:/),
    );
    expect(plannedActions(report({ status: 'closed' }), bases, created)).toEqual([]);
    expect(isFinished(report({ status: 'disclosed' }))).toBe(true);
    expect(isFinished(report({ status: 'fixed' }))).toBe(false);
    expect(nextWakeAt(report({ status: 'closed' }), bases, created)).toBeUndefined();
  });

  test('embargo: ends at its instant, once', () => {
    const now = new Date('2027-03-16T12:00:00Z');
    const r = report({
      acknowledgedAt: '2027-03-13T08:00:00Z',
      respondedAt: '2027-03-14T08:00:00Z',
      embargo: { until: '2027-03-19T12:00:00.000Z', setAt: now.toISOString(), setBy: 'alice@hashberg.io' },
    });
    expect(nextWakeAt(r, bases, now)?.toISOString()).toBe('2027-03-19T12:00:00.000Z');
    expect(dueActions(r, bases, new Date('2027-03-19T12:00:00Z')).map((a) => a.key).filter((k) => k.startsWith('embargo'))).toEqual([
      'embargo:end:2027-03-19T12:00:00.000Z',
    ]);
    expect(dueActions({ ...r, disclosureDueAt: '2027-03-19T12:00:00Z' }, bases, new Date('2027-03-19T12:00:00Z')).filter((a) => a.deadline === 'embargo')).toEqual([]);

  });
});

describe('CrowdStrike policy (48-72 business hours, whole working days, America/Chicago)', () => {
  // Wed 2026-11-25 15:00 CST; Thu 26 is Thanksgiving, then a weekend.
  const r = report({ project: 'crowdstrike', createdAt: '2026-11-25T21:00:00.000Z' });
  const created = new Date(r.createdAt);

  test('reminders, soft and hard bounds skip the holiday and the weekend', () => {
    // Wed 15:00-24:00 = 9h, Fri = 24h (33h), Mon 00:00 + 15h = 48h; + one working day = 72h.
    expect(schedule(r, crowdstrike, created)).toEqual([
      ['2026-11-27T21:00:00.000Z', 'acknowledge:remind:50%'], // Fri 15:00 CST: 24 working hours
      ['2026-11-30T13:00:00.000Z', 'acknowledge:remind:8bh'], // Mon 07:00 CST: 8 working hours before
      ['2026-11-30T21:00:00.000Z', 'acknowledge:escalate:soft'], // Mon 15:00 CST
      ['2026-11-30T21:00:00.000Z', 'acknowledge:late-notice'],
      ['2026-12-01T21:00:00.000Z', 'acknowledge:escalate:hard'], // Tue 15:00 CST
    ]);
    expect(deadlinesOf(r, crowdstrike)).toEqual([
      { name: 'acknowledge', dueAt: '2026-11-30T21:00:00.000Z', hardAt: '2026-12-01T21:00:00.000Z', state: 'pending' },
    ]);
  });

  test('the late notice promises the hard bound', () => {
    expect(lateNoticeNextDate(r, crowdstrike).toISOString()).toBe('2026-12-01T21:00:00.000Z');
  });

  test('a quarantined report gets no deadline timers, only the digest at the end of its UTC hour, then is finished', () => {
    const q = { ...r, createdAt: '2026-11-25T21:37:12.000Z', quarantine: { reason: 'spam FAIL' } };
    const end = new Date('2026-11-25T22:00:00.000Z');
    expect(plannedActions(q, crowdstrike, created)).toEqual([
      { key: 'quarantine:digest', kind: 'quarantine-digest', deadline: 'quarantine', dueAt: end, firesAt: end },
    ]);
    expect(nextWakeAt(q, crowdstrike, new Date(q.createdAt))).toEqual(end);
    expect(dueActions(q, crowdstrike, new Date(end.getTime() - 1))).toEqual([]);
    expect(dueActions(q, crowdstrike, end).map((a) => a.key)).toEqual(['quarantine:digest']);
    expect(isFinished(q)).toBe(false);
    const fired = { ...q, fired: ['quarantine:digest'] };
    expect(isFinished(fired)).toBe(true);
    expect(plannedActions(fired, crowdstrike, end)).toEqual([]);
    expect(nextWakeAt(fired, crowdstrike, end)).toBeUndefined();
  });

  test('a message arriving on the hour belongs to the hour it opens', () => {
    const q = { ...r, createdAt: '2026-11-25T22:00:00.000Z', quarantine: { reason: 'spam FAIL' } };
    expect(nextWakeAt(q, crowdstrike, new Date(q.createdAt))?.toISOString()).toBe('2026-11-25T23:00:00.000Z');
  });
});

describe('deadlines that no timer runs are "stopped", never "pending"', () => {
  const created = new Date('2027-03-12T21:02:00Z');
  test('a quarantined report lists its promises as stopped; its embargo still ends on time', () => {
    const q = report({ quarantine: { reason: 'spam verdict FAIL' } });
    expect(deadlinesOf(q, bases, created).map((d) => d.state)).toEqual(expect.arrayContaining(['stopped']));
    expect(deadlinesOf(q, bases, created).some((d) => d.state === 'pending')).toBe(false);
    const embargoed = { ...q, fired: ['quarantine:digest'], embargo: { until: '2027-03-20T12:00:00.000Z', setAt: created.toISOString(), setBy: 'alice@hashberg.io' } };
    expect(isFinished(embargoed)).toBe(false);
    expect(plannedActions(embargoed, bases, created).map((a) => a.key)).toEqual(['embargo:end:2027-03-20T12:00:00.000Z']);
    expect(deadlinesOf(embargoed, bases, created).find((d) => d.name === 'embargo')?.state).toBe('pending');
  });
  test('a closed report lists what was pending as stopped', () => {
    const closed = report({ status: 'closed', closeReason: 'invalid' });
    expect(deadlinesOf(closed, bases, created).map((d) => [d.name, d.state])).toEqual([
      ['acknowledge', 'stopped'],
      ['respond', 'stopped'],
    ]);
  });
});
