/**
 * Records of bounded size (issue 10): whatever the mail holds, every record stays well under DynamoDB's 400 KB
 * item limit and the message becomes a normal report (receipt, notice, workflow); what does not fit is marked
 * as cut and stays in the raw message. On dynalite, which enforces the 400 KB limit like DynamoDB.
 */
import { BOUNDS, clip } from '../../lambdas/core/bounded';
import { loadExample, startHarness, type Harness } from '../support/intake-harness';
import { testTimeout } from '../support/timeouts';

const config = loadExample('bases');
let h: Harness;
beforeEach(async () => {
  h = await startHarness(config);
});
afterEach(() => h.close());

const head = (subject: string) =>
  ['From: Jane <jane@reporter.example>', 'To: security@hashberg.io', `Subject: ${subject}`, 'Message-ID: <big@reporter.example>', 'MIME-Version: 1.0'].join('\r\n');

function attachment(name: string, body = 'QUFBQQ==') {
  return `--b\r\nContent-Type: application/octet-stream; name="${name}"\r\nContent-Disposition: attachment; filename="${name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}\r\n`;
}

async function expectNormalReport(raw: string) {
  const r = await h.deliver(raw);
  expect(r).toMatchObject({ outcome: 'report' });
  const messages = await h.store.listMessages(r.reportId!);
  expect(messages.filter((m) => m.direction === 'in')).toHaveLength(1);
  expect(h.sender.sent.map((s) => s.outboxId).sort()).toEqual(['notice', 'receipt']);
  expect(h.workflow.started).toEqual([r.reportId]);
  for (const m of messages) expect(Buffer.byteLength(JSON.stringify(m))).toBeLessThan(200 * 1024);
  return { report: (await h.store.getReport(r.reportId!))!, record: messages.find((m) => m.direction === 'in')! };
}

test('a ~450 KB message with three attachments named by 150 KB each', async () => {
  const names = ['a', 'b', 'c'].map((c) => c.repeat(150 * 1024) + '.bin');
  const raw = `${head('file names')}\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee files\r\n${names.map((n) => attachment(n)).join('')}--b--\r\n`;
  expect(raw.length).toBeGreaterThan(450 * 1024);
  const { record } = await expectNormalReport(raw);
  expect(record.attachments).toHaveLength(3);
  for (const a of record.attachments) expect(a.filename!.length).toBeLessThan(BOUNDS.fileName + 80);
  expect(record.attachments[0].filename).toMatch(/more characters, kept in the raw message\]$/);
});

test('10,000 attachments: listed up to the bound, the rest counted', async () => {
  const parts = Array.from({ length: 10_000 }, (_, i) => attachment(`f${i}.bin`)).join('');
  const raw = `${head('many files')}\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee files\r\n${parts}--b--\r\n`;
  const { record } = await expectNormalReport(raw);
  expect(record.attachments).toHaveLength(BOUNDS.attachments);
  expect(record.attachmentsOmitted).toBe(10_000 - BOUNDS.attachments);
}, testTimeout(240_000));

test('a 1 MB subject', async () => {
  const subject = 'overflow '.repeat(120_000);
  const { report, record } = await expectNormalReport(`${head(subject)}\r\nContent-Type: text/plain\r\n\r\ndecode() overflows\r\n`);
  expect(report.subject.length).toBeLessThan(BOUNDS.subject + 80);
  expect(record.subject).toBe(report.subject);
  const notice = h.sender.sent.find((s) => s.outboxId === 'notice')!;
  expect(notice.raw.length).toBeLessThan(100 * 1024);
});

test('clip never splits a surrogate pair and says how much it cut', () => {
  expect(clip('abc', 3)).toBe('abc');
  expect(clip('ab\u{1F600}cd', 3)).toBe('ab [... 4 more characters, kept in the raw message]');
});
