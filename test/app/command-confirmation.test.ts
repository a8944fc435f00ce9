/**
 * Maintainers see what their mail did, and the reporter hears from a person (issue 12, in part).
 */
import { loadExample, mail, startHarness, type Harness, openReport as openReportIn } from '../support/intake-harness';

const config = loadExample('bases');
const project = config.projects[0];
const REPORTER = 'jane@reporter.example';
const ALICE = project.maintainers[0].address;
const MAINTAINERS = project.maintainers.map((m) => m.address);

let h: Harness;
beforeEach(async () => {
  h = await startHarness(config);
});
afterEach(() => h.close());

async function openReport() {
  const { id, replyTo: reply } = await openReportIn(h, { from: REPORTER, subject: 'overflow', body: 'decode() overflows' });
  h.sender.sent.length = 0;
  return { id, reply };
}
const from = (reply: string, id: string, body: string) =>
  h.deliverSigned(mail({ from: `Alice <${ALICE}>`, to: reply, subject: `Re: [security report #${id}] overflow`, body }), { recipients: [reply] });

test('a command-only "Status: acknowledged" sends the reporter a short acknowledgment; only then is it met', async () => {
  const { id, reply } = await openReport();
  h.clock.advance(3600_000);
  await from(reply, id, 'Status: acknowledged\n');
  const toReporter = h.sender.to(REPORTER);
  expect(toReporter.map((s) => s.outboxId.split(':')[0])).toEqual(['acknowledged']);
  expect(toReporter[0].parsed.text).toMatch(/The bases maintainers have acknowledged your report .*Its status is now: acknowledged\.\nNext: detailed response by /s);
  const report = (await h.store.getReport(id))!;
  expect(report.acknowledgedAt).toBe(h.clock.now().toISOString());
  expect(report.respondedAt).toBeUndefined(); // a status alone is never the detailed response
});

test('every command message is confirmed to all maintainers: before -> after, what reached the reporter, next deadlines', async () => {
  const { id, reply } = await openReport();
  await from(reply, id, 'Status: triaged\nSeverity: high\n\nConfirmed on 0.3.0; fix next week.');
  const confirmation = h.sender.sent.find((s) => s.outboxId.startsWith('applied:'))!;
  expect(confirmation.envelope.to).toEqual(MAINTAINERS);
  expect(confirmation.parsed.subject).toMatch(/Applied: Status, Severity$/);
  const text = confirmation.parsed.text!;
  expect(text).toMatch(/- Status: received -> triaged/);
  expect(text).toMatch(/- Severity: none -> high/);
  expect(text).toMatch(/Sent to the reporter: your text\./);
  expect(text).toMatch(/Next deadlines:\n- status update: /);
});

test('two wrong command lines: nothing applied, one answer listing both, each with a form valid now', async () => {
  const { id, reply } = await openReport();
  const before = await h.store.getReport(id);
  await from(reply, id, 'Status: triaged\nPriority: high\nEmbargo: 2020-01-01 12:00 UTC\n\nHi Jane.');
  expect((await h.store.getReport(id))?.status).toBe(before?.status);
  expect(h.sender.to(REPORTER)).toHaveLength(0);
  const answers = h.sender.to(ALICE);
  expect(answers).toHaveLength(1);
  const text = answers[0].parsed.text!;
  expect(text).toMatch(/Priority: high/);
  expect(text).toMatch(/Embargo: 2020-01-01 12:00 UTC/);
  expect(text).toMatch(/already past/);
  const example = /Embargo: (\d{4}-\d\d-\d\d) 12:00 UTC/.exec(text.split('already past')[1] ?? '')?.[1];
  expect(example).toBeDefined();
  expect(Date.parse(`${example}T12:00:00Z`)).toBeGreaterThan(h.clock.now().getTime());
});
