/**
 * Redaction reaches the local outbox folder (issue 19): the `.eml` copies of our own mail that quoted a report
 * (the maintainers' notification, the relay of a maintainer's answer, the confirmation) keep their headers and
 * lose their text when a lead sends `Redact: yes`; another report's copies are untouched. On AWS SES keeps no
 * copy we could reach; the table's outbound message records lose their excerpts there as here.
 */
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { example, plainMail, startScenario, type Scenario } from './scenario-support';

const ALICE = 'alice@hashberg.io';
const LEAD = 'security-lead@hashberg.io';
const ARRIVAL = '2027-01-11T10:00:00Z';
const SECRET = 'token=sk_live_4f9a1c'; // what the reporter should not have sent

let s: Scenario;
beforeAll(async () => {
  const config = JSON.parse(await readFile(example('bases'), 'utf8'));
  delete config.$schema;
  const dir = await mkdtemp(join(tmpdir(), 'secintake-redact-'));
  const file = join(dir, 'bases.json');
  await writeFile(file, JSON.stringify(config));
  s = await startScenario({ config: file, startAt: ARRIVAL, maintainerDomains: ['hashberg.io'] });
}, 30_000);
afterAll(() => s?.close());

test('Redact: yes rewrites the outbox copies of the report\'s mail: headers kept, text gone', async () => {
  const { store } = s.stack.deps;
  for (const [i, subject] of ['Overflow in decode', 'Crash in parse'].entries()) {
    const from = `reporter${i}@example.net`;
    await s.deliver(plainMail({ from, to: 'security@hashberg.io', subject, date: ARRIVAL, messageId: `r${i}@example.net`, body: `Details of ${subject}: version 0.3.0, ${SECRET}\n` }), { from, to: 'security@hashberg.io' });
  }
  const reports = await store.listReports();
  const target = reports.find((r) => r.subject === 'Overflow in decode')!.id;
  const other = reports.find((r) => r.subject === 'Crash in parse')!.id;
  const receipts = (await s.outbox()).filter((m) => m.kind === 'receipt');
  const reply = async (id: string, n: number, body: string, from: string) => {
    const receipt = receipts.find((m) => m.subject.includes(id))!;
    await s.deliver(plainMail({ from, to: receipt.replyTo, subject: `Re: ${receipt.subject}`, date: ARRIVAL, messageId: `a${n}@hashberg.io`, body }), { from, to: receipt.replyTo }, true);
  };
  await reply(target, 1, `Thanks; you quoted ${SECRET}, please rotate it.\n`, ALICE);
  const before = await s.outbox();
  const mine = (m: { subject: string }) => m.subject.includes(target);
  expect(before.filter(mine).filter((m) => m.text.includes(SECRET)).length).toBeGreaterThanOrEqual(2); // notification, relay

  await reply(target, 2, 'Redact: yes\n', LEAD);
  const after = await s.outbox();
  const targetMail = after.filter(mine);
  // every copy of this report's mail: same file, headers, kind; the text is the note
  for (const m of before.filter(mine)) {
    const now = after.find((a) => a.file === m.file)!;
    expect({ kind: now.kind, to: now.to, from: now.from, subject: now.subject, date: now.date }).toEqual({ kind: m.kind, to: m.to, from: m.from, subject: m.subject, date: m.date });
    expect(now.text).toMatch(new RegExp(`^The text of this message was removed on \\S+ when report ${target} was redacted`));
  }
  expect(targetMail.every((m) => !m.text.includes(SECRET))).toBe(true);
  const raw = await readFile(join(s.stack.outboxDir, targetMail[0].file), 'utf8');
  expect(raw).toMatch(/^X-Security-Intake-Redacted: /m);
  expect(raw).not.toMatch(/multipart/i);
  // the other report's copies are as they were
  expect(after.filter((m) => m.subject.includes(other)).map((m) => m.text)).toEqual(before.filter((m) => m.subject.includes(other)).map((m) => m.text));
  expect(after.filter((m) => m.subject.includes(other)).some((m) => m.text.includes(SECRET))).toBe(true);
  // the table: every message record of the report, ours included, without its excerpt
  const records = await store.listMessages(target);
  expect(records.filter((r) => r.direction === 'out').length).toBeGreaterThanOrEqual(2);
  expect(records.every((r) => r.excerpt === '')).toBe(true);
  expect(JSON.stringify(await store.listOutbox(target))).not.toContain(SECRET);
}, 120_000);
