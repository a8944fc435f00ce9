/**
 * Seed scenario, CrowdStrike MISP-tools in the three-project config (examples/crowdstrike.json): the report is
 * routed by its envelope recipient to misp-tools, and only misp-tools' maintainers and escalation contact hear
 * of it. It arrives outside working time, on Saturday 2026-09-05 11:00 CDT before Labor Day (Monday 2026-09-07),
 * so the count starts Tuesday 00:00 CDT (05:00Z) and the bounds fall at the ends of whole working days:
 *   50% (24 bh)  end of Tue = Wed 2026-09-09 00:00 CDT = 05:00Z
 *   8 bh before  Wed 2026-09-09 16:00 CDT = 21:00Z
 *   48 bh        end of Wed = Thu 2026-09-10 00:00 CDT = 05:00Z   escalation + late notice naming the 72 bh date
 *   72 bh        end of Thu = Fri 2026-09-11 00:00 CDT = 05:00Z   second (hard) escalation
 */
import { example } from './scenario-support';
import { REPORTER, runBusinessHoursScenario } from './business-hours-scenario';
import { testTimeout } from '../support/timeouts';

/** Round-robin gives the first report to the first maintainer: reminders go to the owner only. */
const OWNER = 'erin@crowdstrike.com';
const MAINTAINERS = 'erin@crowdstrike.com frank@crowdstrike.com';
const LEAD = 'cc:misp-tools-security-lead@crowdstrike.com';

test('misp-tools (crowdstrike.json): a Saturday report before Labor Day counts from Tuesday; only its project hears', async () => {
  const run = await runBusinessHoursScenario({
    config: example('crowdstrike'),
    securityAddress: 'oss-security@crowdstrike.com',
    maintainer: 'erin@crowdstrike.com',
    arrival: '2026-09-05T16:00:00Z',
    replyAt: '2026-09-11T14:00:00Z',
    until: '2026-09-14T00:00:00Z',
  });
  expect(run.timeline).toEqual([
    `2026-09-05T16:00:00Z receipt -> ${REPORTER}`,
    `2026-09-05T16:00:00Z notice -> ${MAINTAINERS}`,
    `2026-09-09T05:00:00Z reminder:acknowledge -> ${OWNER}`,
    `2026-09-09T21:00:00Z reminder:acknowledge -> ${OWNER}`,
    `2026-09-10T05:00:00Z escalation:acknowledge -> ${MAINTAINERS} ${LEAD}`,
    `2026-09-10T05:00:00Z late:acknowledge -> ${REPORTER}`,
    `2026-09-11T05:00:00Z escalation:acknowledge -> ${MAINTAINERS} ${LEAD}`,
    `2026-09-11T14:00:00Z relay -> ${REPORTER}`,
    `2026-09-11T14:00:00Z commands-applied -> ${MAINTAINERS}`,
  ]);
  expect(run.fired).toEqual([
    { key: 'acknowledge:remind:50%', dueAt: '2026-09-10T05:00:00Z', firedAt: '2026-09-09T05:00:00Z' },
    { key: 'acknowledge:remind:8bh', dueAt: '2026-09-10T05:00:00Z', firedAt: '2026-09-09T21:00:00Z' },
    { key: 'acknowledge:escalate:soft', dueAt: '2026-09-10T05:00:00Z', firedAt: '2026-09-10T05:00:00Z' },
    { key: 'acknowledge:late-notice', dueAt: '2026-09-10T05:00:00Z', firedAt: '2026-09-10T05:00:00Z' },
    { key: 'acknowledge:escalate:hard', dueAt: '2026-09-11T05:00:00Z', firedAt: '2026-09-11T05:00:00Z' },
  ]);
  expect(run.report.project).toBe('misp-tools');
  expect(run.mails.every((m) => m.from === 'oss-security@crowdstrike.com')).toBe(true);
  const everyone = run.mails.flatMap((m) => [...m.to, ...m.cc]);
  expect(everyone.filter((a) => /alice|bob|carol|dave|falconpy|fdr/.test(a))).toEqual([]);
  const late = run.mails.find((m) => m.kind === 'late:acknowledge')!;
  expect(late.text).toContain('you will hear from us by the end of Thu 2026-09-10 CDT (Fri 2026-09-11 05:00 UTC)');
  expect(run.final).toMatchObject({ status: 'triaged', acknowledgedAt: '2026-09-11T14:00:00.000Z' });
  console.log(`transitions misp-tools: ${run.transitions}`);
  // Ticks: the first, 4 firing instants, 1 wake-up by mail = 6 x (Tick, Sleep); the report stays open
  expect(run.transitions).toBe(6 * 2);
}, testTimeout(120_000));
