/**
 * Seed scenario, CrowdStrike FalconPy (examples/falconpy.json): "48 - 72 business hours" as 2 to 3 whole working
 * days in America/Chicago. The report arrives Wed 2026-11-25 10:00 CST, the day before Thanksgiving
 * (2026-11-26, a holiday), so the count runs Wed 14 h + Fri 24 h, skips the weekend, and ends Monday:
 *   50% (24 bh)  Fri 2026-11-27 10:00 CST = 16:00Z
 *   8 bh before  Mon 2026-11-30 02:00 CST = 08:00Z
 *   48 bh        Mon 2026-11-30 10:00 CST = 16:00Z   escalation + late notice naming the 72 bh date
 *   72 bh        Tue 2026-12-01 10:00 CST = 16:00Z   second (hard) escalation
 */
import { example } from './scenario-support';
import { REPORTER, runBusinessHoursScenario } from './business-hours-scenario';
import { testTimeout } from '../support/timeouts';

/** Round-robin gives the first report to the first maintainer: reminders go to the owner only. */
const OWNER = 'alice@crowdstrike.com';
const MAINTAINERS = 'alice@crowdstrike.com bob@crowdstrike.com';
const LEAD = 'cc:falconpy-security-lead@crowdstrike.com';

test('falconpy: reminders, escalation and late notice at 48 bh, hard escalation at 72 bh, across Thanksgiving', async () => {
  const run = await runBusinessHoursScenario({
    config: example('falconpy'),
    securityAddress: 'falconpy@crowdstrike.com',
    maintainer: 'alice@crowdstrike.com',
    arrival: '2026-11-25T16:00:00Z',
    replyAt: '2026-12-01T18:00:00Z',
    until: '2026-12-15T00:00:00Z',
  });
  expect(run.timeline).toEqual([
    `2026-11-25T16:00:00Z receipt -> ${REPORTER}`,
    `2026-11-25T16:00:00Z notice -> ${MAINTAINERS}`,
    `2026-11-27T16:00:00Z reminder:acknowledge -> ${OWNER}`,
    `2026-11-30T08:00:00Z reminder:acknowledge -> ${OWNER}`,
    `2026-11-30T16:00:00Z escalation:acknowledge -> ${MAINTAINERS} ${LEAD}`,
    `2026-11-30T16:00:00Z late:acknowledge -> ${REPORTER}`,
    `2026-12-01T16:00:00Z escalation:acknowledge -> ${MAINTAINERS} ${LEAD}`,
    `2026-12-01T18:00:00Z relay -> ${REPORTER}`,
    `2026-12-01T18:00:00Z commands-applied -> ${MAINTAINERS}`,
  ]);
  expect(run.fired).toEqual([
    { key: 'acknowledge:remind:50%', dueAt: '2026-11-30T16:00:00Z', firedAt: '2026-11-27T16:00:00Z' },
    { key: 'acknowledge:remind:8bh', dueAt: '2026-11-30T16:00:00Z', firedAt: '2026-11-30T08:00:00Z' },
    { key: 'acknowledge:escalate:soft', dueAt: '2026-11-30T16:00:00Z', firedAt: '2026-11-30T16:00:00Z' },
    { key: 'acknowledge:late-notice', dueAt: '2026-11-30T16:00:00Z', firedAt: '2026-11-30T16:00:00Z' },
    { key: 'acknowledge:escalate:hard', dueAt: '2026-12-01T16:00:00Z', firedAt: '2026-12-01T16:00:00Z' },
  ]);
  const receipt = run.mails.find((m) => m.kind === 'receipt')!;
  expect(receipt.text).toContain('Mon 2026-11-30 10:00 CST (16:00 UTC)');
  const late = run.mails.find((m) => m.kind === 'late:acknowledge')!;
  expect(late.text).toContain('by Mon 2026-11-30 10:00 CST (16:00 UTC) and have not yet done so');
  expect(late.text).toContain('you will hear from us by Tue 2026-12-01 10:00 CST (16:00 UTC)');
  const [soft, hard] = run.mails.filter((m) => m.kind === 'escalation:acknowledge');
  expect(soft.text).toContain('they will hear from us by Tue 2026-12-01 10:00 CST (16:00 UTC)');
  expect(hard.text).toContain('Tue 2026-12-01 10:00 CST (16:00 UTC)');
  expect(run.final).toMatchObject({ status: 'triaged', acknowledgedAt: '2026-12-01T18:00:00.000Z' });
  expect(run.final.nextDueAt).toBeUndefined(); // no respond or update timer in this policy
  expect(run.running).toBe(true); // triaged, not finished: the workflow waits (7 days at a time)
  console.log(`transitions falconpy: ${run.transitions}`);
  // Ticks: the first, 4 firing instants (soft escalation and late notice share one), 1 wake-up by mail, and
  // 1 after the 7-day cap (2026-12-08T18:00Z) = 7 Ticks x (Tick, Sleep); the report stays open
  expect(run.transitions).toBe(7 * 2);
}, testTimeout(120_000));
