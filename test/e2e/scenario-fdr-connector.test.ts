/**
 * Seed scenario, CrowdStrike FDR Connector (examples/fdr-connector.json): the same 48 - 72 business hours, for a
 * report arriving on a Friday afternoon before a Monday holiday (Martin Luther King Jr. Day, 2027-01-18).
 * Arrival Fri 2027-01-15 15:30 CST: Fri 8.5 h, weekend and Monday skipped, Tue 24 h, then Wednesday:
 *   50% (24 bh)  Tue 2027-01-19 15:30 CST = 21:30Z
 *   8 bh before  Wed 2027-01-20 07:30 CST = 13:30Z
 *   48 bh        Wed 2027-01-20 15:30 CST = 21:30Z   escalation + late notice naming the 72 bh date
 *   72 bh        Thu 2027-01-21 15:30 CST = 21:30Z   second (hard) escalation
 */
import { example } from './scenario-support';
import { REPORTER, runBusinessHoursScenario } from './business-hours-scenario';
import { testTimeout } from '../support/timeouts';

/** Round-robin gives the first report to the first maintainer: reminders go to the owner only. */
const OWNER = 'carol@crowdstrike.com';
const MAINTAINERS = 'carol@crowdstrike.com dave@crowdstrike.com';
const LEAD = 'cc:fdr-connector-security-lead@crowdstrike.com';

test('fdr-connector: a Friday report before a Monday holiday is escalated Wednesday and again Thursday', async () => {
  const run = await runBusinessHoursScenario({
    config: example('fdr-connector'),
    securityAddress: 'fdr-security@crowdstrike.com',
    maintainer: 'dave@crowdstrike.com',
    arrival: '2027-01-15T21:30:00Z',
    replyAt: '2027-01-22T15:00:00Z',
    until: '2027-01-25T00:00:00Z',
  });
  expect(run.timeline).toEqual([
    `2027-01-15T21:30:00Z receipt -> ${REPORTER}`,
    `2027-01-15T21:30:00Z notice -> ${MAINTAINERS}`,
    `2027-01-19T21:30:00Z reminder:acknowledge -> ${OWNER}`,
    `2027-01-20T13:30:00Z reminder:acknowledge -> ${OWNER}`,
    `2027-01-20T21:30:00Z escalation:acknowledge -> ${MAINTAINERS} ${LEAD}`,
    `2027-01-20T21:30:00Z late:acknowledge -> ${REPORTER}`,
    `2027-01-21T21:30:00Z escalation:acknowledge -> ${MAINTAINERS} ${LEAD}`,
    `2027-01-22T15:00:00Z relay -> ${REPORTER}`,
    `2027-01-22T15:00:00Z commands-applied -> ${MAINTAINERS}`,
  ]);
  expect(run.fired).toEqual([
    { key: 'acknowledge:remind:50%', dueAt: '2027-01-20T21:30:00Z', firedAt: '2027-01-19T21:30:00Z' },
    { key: 'acknowledge:remind:8bh', dueAt: '2027-01-20T21:30:00Z', firedAt: '2027-01-20T13:30:00Z' },
    { key: 'acknowledge:escalate:soft', dueAt: '2027-01-20T21:30:00Z', firedAt: '2027-01-20T21:30:00Z' },
    { key: 'acknowledge:late-notice', dueAt: '2027-01-20T21:30:00Z', firedAt: '2027-01-20T21:30:00Z' },
    { key: 'acknowledge:escalate:hard', dueAt: '2027-01-21T21:30:00Z', firedAt: '2027-01-21T21:30:00Z' },
  ]);
  const late = run.mails.find((m) => m.kind === 'late:acknowledge')!;
  expect(late.text).toContain('by Wed 2027-01-20 15:30 CST (21:30 UTC) and have not yet done so');
  expect(late.text).toContain('you will hear from us by Thu 2027-01-21 15:30 CST (21:30 UTC)');
  expect(run.final).toMatchObject({ project: 'fdr-connector', status: 'triaged', acknowledgedAt: '2027-01-22T15:00:00.000Z' });
  expect(run.reportCount).toBe(1);
  console.log(`transitions fdr-connector: ${run.transitions}`);
  // Ticks: the first, 4 firing instants, 1 wake-up by mail = 6 x (Tick, Sleep); the report stays open
  expect(run.transitions).toBe(6 * 2);
}, testTimeout(120_000));
