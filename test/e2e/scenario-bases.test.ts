/**
 * Seed scenario, hashberg bases (examples/bases.json, Europe/London, calendar time): acknowledgment by 24h, a
 * detailed response by 48h (missed here, escalated), weekly updates once the first week is over (across the end
 * of British Summer Time on 2026-10-25, so `7d` keeps the wall-clock time), an embargo set by reply
 * (`Embargo: 72h`), its end told to maintainers and reporter, the credit recorded, disclosure.
 *
 * The report arrives over SMTP; the maintainer answers by DKIM-signed mail to the per-report reply address.
 */
import { controlClient } from '../../lambdas/local/control-server';
import { example, exampleMail, plainMail, redated, startScenario, timelineOf, type Scenario } from './scenario-support';
import { testTimeout } from '../support/timeouts';

const REPORTER = 'jane@reporter.example';
const ALICE = 'alice@hashberg.io';
/** Round-robin gives the first report to the first maintainer: reminders go to the owner only. */
const OWNER = 'alice@hashberg.io';
const MAINTAINERS = 'alice@hashberg.io bob@hashberg.io';
const ARRIVAL = '2026-10-20T09:00:00Z'; // Tue 10:00 BST

let s: Scenario;
beforeAll(async () => {
  s = await startScenario({ config: example('bases'), startAt: ARRIVAL, maintainerDomains: ['hashberg.io'] });
});
afterAll(() => s.close());

test('bases: the whole lifecycle, each mail at its instant, to the right people', async () => {
  await s.deliver(redated(await exampleMail('report'), ARRIVAL), { from: REPORTER, to: 'security@hashberg.io' });
  const [report] = await s.stack.deps.store.listReports();
  expect(report).toMatchObject({ project: 'bases', status: 'received', createdAt: '2026-10-20T09:00:00.000Z' });
  const receipt = (await s.outbox())[0];
  expect(receipt).toMatchObject({ kind: 'receipt', to: [REPORTER], from: 'security@hashberg.io' });
  expect(receipt.replyTo).toMatch(new RegExp(`^security\\+${report.id.replace('-', '').toLowerCase()}\\.[a-z0-9]+@hashberg\\.io$`));
  expect(receipt.text).toContain('acknowledges it by Wed 2026-10-21 10:00');
  expect(receipt.text).toContain('(09:00 UTC)');
  const reply = (at: string, n: number, body: string) =>
    s.deliver(
      plainMail({ from: `Alice <${ALICE}>`, to: receipt.replyTo, subject: `Re: ${receipt.subject}`, date: at, messageId: `m${n}@hashberg.io`, body }),
      { from: ALICE, to: receipt.replyTo },
      true,
    );

  // acknowledged by a plain relayed reply after 20 h (the 50% reminder went out at 12 h)
  await s.advanceTo('2026-10-21T05:00:00Z');
  await reply('2026-10-21T05:00:00Z', 1, 'Thanks Jane, we can reproduce it; an assessment follows.\n');
  // the detailed response is missed (due 48 h), escalated; it comes 2 h late with the credit recorded
  await s.advanceTo('2026-10-22T11:00:00Z');
  await reply(
    '2026-10-22T11:00:00Z',
    2,
    'Status: triaged\nSeverity: medium\nCredit: Jane Reporter (Example Security Research)\n\nAssessment: quadratic decode, fix by capping the input and divide-and-conquer conversion.\n',
  );
  // the weekly update comes due 7 days after that relayed response (12:00 BST -> 12:00 GMT), then an embargo
  await s.advanceTo('2026-10-30T09:00:00Z');
  await reply('2026-10-30T09:00:00Z', 3, 'Status: fixing\nEmbargo: 72h\n\nThe announcement issue is public; the release follows in 72 hours.\n');
  let now = (await s.stack.deps.store.getReport(report.id))!;
  expect(now.embargo).toMatchObject({ until: '2026-11-02T09:00:00.000Z', setBy: ALICE });
  await s.advanceTo('2026-11-02T15:00:00Z');
  await reply('2026-11-02T15:00:00Z', 4, 'Status: disclosed\n\nReleased 0.3.1 and published the advisory, crediting you. Thank you!\n');
  await s.advanceTo('2026-11-30T00:00:00Z'); // nothing more: the report is disclosed

  const mails = await s.outbox();
  expect(timelineOf(mails)).toEqual([
    `2026-10-20T09:00:00Z receipt -> ${REPORTER}`,
    `2026-10-20T09:00:00Z notice -> ${MAINTAINERS}`,
    `2026-10-20T21:00:00Z reminder:acknowledge -> ${OWNER}`,
    `2026-10-21T05:00:00Z relay -> ${REPORTER}`,
    `2026-10-21T05:00:00Z relay-copy -> bob@hashberg.io`, // the other maintainer sees what the reporter was sent
    `2026-10-21T09:00:00Z reminder:respond -> ${OWNER}`,
    `2026-10-22T07:00:00Z reminder:respond -> ${OWNER}`,
    `2026-10-22T09:00:00Z escalation:respond -> ${MAINTAINERS} cc:security-lead@hashberg.io`,
    `2026-10-22T11:00:00Z relay -> ${REPORTER}`,
    `2026-10-22T11:00:00Z commands-applied -> ${MAINTAINERS}`,
    `2026-10-26T00:00:00Z reminder:update -> ${OWNER}`,
    `2026-10-29T10:00:00Z reminder:update -> ${OWNER}`,
    `2026-10-29T12:00:00Z escalation:update -> ${MAINTAINERS} cc:security-lead@hashberg.io`,
    `2026-10-30T09:00:00Z relay -> ${REPORTER}`,
    `2026-10-30T09:00:00Z commands-applied -> ${MAINTAINERS}`,
    `2026-11-02T09:00:00Z embargo-end -> ${MAINTAINERS}`,
    `2026-11-02T09:00:00Z embargo-end:reporter -> ${REPORTER}`,
    `2026-11-02T15:00:00Z relay -> ${REPORTER}`,
    `2026-11-02T15:00:00Z commands-applied -> ${MAINTAINERS}`,
  ]);
  expect(await s.fired(report.id)).toEqual([
    { key: 'acknowledge:remind:50%', dueAt: '2026-10-21T09:00:00Z', firedAt: '2026-10-20T21:00:00Z' },
    { key: 'respond:remind:50%', dueAt: '2026-10-22T09:00:00Z', firedAt: '2026-10-21T09:00:00Z' },
    { key: 'respond:remind:2h', dueAt: '2026-10-22T09:00:00Z', firedAt: '2026-10-22T07:00:00Z' },
    { key: 'respond:escalate', dueAt: '2026-10-22T09:00:00Z', firedAt: '2026-10-22T09:00:00Z' },
    { key: 'update:remind:50%:2026-10-29T12:00:00.000Z', dueAt: '2026-10-29T12:00:00Z', firedAt: '2026-10-26T00:00:00Z' },
    { key: 'update:remind:2h:2026-10-29T12:00:00.000Z', dueAt: '2026-10-29T12:00:00Z', firedAt: '2026-10-29T10:00:00Z' },
    { key: 'update:escalate:2026-10-29T12:00:00.000Z', dueAt: '2026-10-29T12:00:00Z', firedAt: '2026-10-29T12:00:00Z' },
    { key: 'embargo:end:2026-11-02T09:00:00.000Z', dueAt: '2026-11-02T09:00:00Z', firedAt: '2026-11-02T09:00:00Z' },
  ]);

  // the reporter only ever hears from the security address, never a maintainer's own address
  for (const m of mails.filter((x) => x.to.includes(REPORTER))) {
    expect(m).toMatchObject({ from: 'security@hashberg.io', replyTo: receipt.replyTo });
    expect(m.subject).toContain(`[security report #${report.id}]`);
    expect(m.text).not.toContain(ALICE);
  }
  const [embargoEnd, embargoEndReporter] = mails.filter((m) => m.kind.startsWith('embargo-end'));
  expect(embargoEnd.text).toContain('Credit as recorded: Jane Reporter (Example Security Research)');
  expect(embargoEndReporter.text).toContain('You will be credited as: Jane Reporter (Example Security Research)');
  const escalation = mails.find((m) => m.kind === 'escalation:respond')!;
  expect(escalation.text).toContain(`Missed: detailed response of ${report.id} was due Thu 2026-10-22 10:00`);
  expect(escalation.text).toContain('This message does not go to the reporter.');

  // what `secintake show` reports, through the control API the CLI uses
  const view = await controlClient(s.stack.controlPort, s.stack.controlToken).show(report.id);
  expect(view.report).toMatchObject({
    status: 'disclosed',
    severity: 'medium',
    credit: 'Jane Reporter (Example Security Research)',
    acknowledgedAt: '2026-10-21T05:00:00.000Z',
    respondedAt: '2026-10-22T11:00:00.000Z',
    lastUpdateAt: '2026-11-02T15:00:00.000Z',
    disclosureDueAt: '2026-11-02T09:00:00.000Z',
    embargo: { until: '2026-11-02T09:00:00.000Z', setAt: '2026-10-30T09:00:00.000Z', setBy: ALICE },
  });
  expect(view.deadlines.map((d) => [d.name, d.state, d.dueAt, d.metAt])).toEqual([
    ['acknowledge', 'met', '2026-10-21T09:00:00.000Z', '2026-10-21T05:00:00.000Z'],
    ['respond', 'missed', '2026-10-22T09:00:00.000Z', '2026-10-22T11:00:00.000Z'],
    ['embargo', 'met', '2026-11-02T09:00:00.000Z', '2026-11-02T09:00:00.000Z'],
    // disclosed 6 hours after the embargo ended, within the day the policy allows
    ['disclose', 'met', '2026-11-03T09:00:00.000Z', '2026-11-02T15:00:00.000Z'],
  ]);
  expect(view.events.map((e) => e.type)).toEqual(expect.arrayContaining(['credit.set', 'embargo.set', 'status.changed', 'reply.relayed']));
  expect(await s.stack.deps.workflow.isRunning(report.id)).toBe(false);

  const transitions = s.stack.runner.transitions(report.id);
  console.log(`transitions bases: ${transitions}`);
  // Ticks: the first, 8 timers (the update is reminded half-way and 2 h before, then escalated), 4 wake-ups by
  // mail = 13; each is Tick, Sleep (the last Sleep ends in Closed)
  expect(transitions).toBe(13 * 2 + 1);
}, testTimeout(120_000));

test('bases: "Status: acknowledged" with a short note acknowledges, and the detailed response is still due at 48 h', async () => {
  const t = await startScenario({ config: example('bases'), startAt: ARRIVAL, maintainerDomains: ['hashberg.io'] });
  try {
    await t.deliver(redated(await exampleMail('report'), ARRIVAL), { from: REPORTER, to: 'security@hashberg.io' });
    const [report] = await t.stack.deps.store.listReports();
    const receipt = (await t.outbox())[0];
    await t.advanceTo('2026-10-20T11:00:00Z');
    await t.deliver(
      plainMail({ from: ALICE, to: receipt.replyTo, subject: `Re: ${receipt.subject}`, date: '2026-10-20T11:00:00Z', messageId: 'ack@hashberg.io', body: 'Status: acknowledged\n\nThanks Jane, we have it and will assess it this week.\n' }),
      { from: ALICE, to: receipt.replyTo },
      true,
    );
    const acked = (await t.stack.deps.store.getReport(report.id))!;
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledgedAt: '2026-10-20T11:00:00.000Z' });
    expect(acked.respondedAt).toBeUndefined();
    await t.advanceTo('2026-10-22T10:00:00Z');
    expect(timelineOf(await t.outbox()).slice(2)).toEqual([
      `2026-10-20T11:00:00Z relay -> ${REPORTER}`,
      `2026-10-20T11:00:00Z commands-applied -> ${MAINTAINERS}`,
      `2026-10-21T09:00:00Z reminder:respond -> ${OWNER}`,
      `2026-10-22T07:00:00Z reminder:respond -> ${OWNER}`,
      `2026-10-22T09:00:00Z escalation:respond -> ${MAINTAINERS} cc:security-lead@hashberg.io`,
    ]);
  } finally {
    await t.close();
  }
}, testTimeout(120_000));
