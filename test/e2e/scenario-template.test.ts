/**
 * Seed scenario, the generic SECURITY.md template (examples/template.json, UTC): acknowledgment within 24 hours.
 * The report is examples/mail/report-missing-info.eml, which has steps to reproduce but no description of the
 * vulnerability, no affected versions and no mitigations: the receipt asks for exactly those three.
 * Nobody answers in time: reminders at 12 h and 22 h, escalation and an honest late notice at 24 h.
 */
import { example, exampleMail, plainMail, redated, startScenario, timelineOf, type Scenario } from './scenario-support';
import { testTimeout } from '../support/timeouts';

const REPORTER = 'sam@finder.example';
const SECURITY = 'security@yourdomain.com';
/** Round-robin gives the first report to the first maintainer: reminders go to the owner only. */
const OWNER = 'alice@yourdomain.com';
const MAINTAINERS = 'alice@yourdomain.com bob@yourdomain.com';
const ARRIVAL = '2027-02-01T08:30:00Z'; // Mon

let s: Scenario;
beforeAll(async () => {
  s = await startScenario({ config: example('template'), startAt: ARRIVAL, maintainerDomains: ['yourdomain.com'] });
});
afterAll(() => s.close());

test('template: the receipt asks for exactly what is missing; late notice and escalation at 24 h', async () => {
  await s.deliver(redated(await exampleMail('report-missing-info'), ARRIVAL, SECURITY), { from: REPORTER, to: SECURITY });
  const [report] = await s.stack.deps.store.listReports();
  const receipt = (await s.outbox())[0];
  expect(receipt.kind).toBe('receipt');
  expect(receipt.text).toContain('We received your report on Mon 2027-02-01 08:30 UTC');
  expect(receipt.text).toContain('a maintainer acknowledges it by Tue 2027-02-02 08:30 UTC');
  const asked = receipt.text.split('please reply with what is missing from your report:\n')[1].split('\n\n')[0];
  expect(asked.split('\n')).toEqual([
    '- a description of the vulnerability',
    '- the affected versions',
    '- possible mitigations, if known',
  ]);

  await s.advanceTo('2027-02-02T10:00:00Z');
  await s.deliver(
    plainMail({
      from: 'Bob <bob@yourdomain.com>',
      to: receipt.replyTo,
      subject: `Re: ${receipt.subject}`,
      date: '2027-02-02T10:00:00Z',
      messageId: 'ack-1@yourdomain.com',
      body: 'Sorry for the delay, Sam: we have your report and are reproducing it now.\n',
    }),
    { from: 'bob@yourdomain.com', to: receipt.replyTo },
    true,
  );
  await s.advanceTo('2027-02-06T00:00:00Z');

  const mails = await s.outbox();
  expect(timelineOf(mails)).toEqual([
    `2027-02-01T08:30:00Z receipt -> ${REPORTER}`,
    `2027-02-01T08:30:00Z notice -> ${MAINTAINERS}`,
    `2027-02-01T20:30:00Z reminder:acknowledge -> ${OWNER}`,
    `2027-02-02T06:30:00Z reminder:acknowledge -> ${OWNER}`,
    `2027-02-02T08:30:00Z escalation:acknowledge -> ${MAINTAINERS} cc:security-lead@yourdomain.com`,
    `2027-02-02T08:30:00Z late:acknowledge -> ${REPORTER}`,
    `2027-02-02T10:00:00Z relay -> ${REPORTER}`,
    `2027-02-02T10:00:00Z relay-copy -> alice@yourdomain.com`,
  ]);
  expect(await s.fired(report.id)).toEqual([
    { key: 'acknowledge:remind:50%', dueAt: '2027-02-02T08:30:00Z', firedAt: '2027-02-01T20:30:00Z' },
    { key: 'acknowledge:remind:2h', dueAt: '2027-02-02T08:30:00Z', firedAt: '2027-02-02T06:30:00Z' },
    { key: 'acknowledge:escalate:soft', dueAt: '2027-02-02T08:30:00Z', firedAt: '2027-02-02T08:30:00Z' },
    { key: 'acknowledge:late-notice', dueAt: '2027-02-02T08:30:00Z', firedAt: '2027-02-02T08:30:00Z' },
  ]);
  const late = mails.find((m) => m.kind === 'late:acknowledge')!;
  expect(late).toMatchObject({ from: SECURITY, replyTo: receipt.replyTo, autoSubmitted: 'auto-generated' });
  // no hard bound in this policy: the next date promised is the soft bound once more, 24 h later
  expect(late.text).toContain('We promised to acknowledge your report');
  expect(late.text).toContain('by Tue 2027-02-02 08:30 UTC and have not yet done so');
  expect(late.text).toContain('you will hear from us by Wed 2027-02-03 08:30 UTC');
  const relay = mails.find((m) => m.kind === 'relay')!;
  expect(relay.text).toContain('we have your report and are reproducing it now');
  expect(relay.text).not.toContain('bob@yourdomain.com');
  expect((await s.stack.deps.store.getReport(report.id))!).toMatchObject({ acknowledgedAt: '2027-02-02T10:00:00.000Z' });

  const transitions = s.stack.runner.transitions(report.id);
  console.log(`transitions template: ${transitions}`);
  // Ticks: the first, 3 firing instants, 1 wake-up by mail = 5 x (Tick, Sleep); the report stays open
  expect(transitions).toBe(5 * 2);
}, testTimeout(120_000));
