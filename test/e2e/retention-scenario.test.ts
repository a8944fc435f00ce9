/**
 * Retention on the local stack (issue 19): hashberg bases with `retention` set (closed reports expire after 30
 * days, their audit skeleton after 365, disclosed ones are redacted after 7). Three reports arrive over SMTP; a
 * maintainer closes one, discloses one and puts the third on legal hold (DKIM-signed replies, as in the seed
 * scenarios). The clock moves; what is gone and what stays is read back from dynalite and the raw store.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { example, plainMail, startScenario, type Scenario } from './scenario-support';

const ALICE = 'alice@hashberg.io';
const LEAD = 'security-lead@hashberg.io';
const ARRIVAL = '2027-01-11T10:00:00Z';
const DAY = 86_400_000;
const at = (days: number) => new Date(new Date(ARRIVAL).getTime() + days * DAY).toISOString();

let s: Scenario;
beforeAll(async () => {
  const config = JSON.parse(await readFile(example('bases'), 'utf8'));
  delete config.$schema;
  config.projects[0].retention = { closedReportDays: 30, keepAuditDays: 365, redactAfterDisclosureDays: 7 };
  const { mkdtemp } = await import('node:fs/promises');
  const dir = await mkdtemp(join(require('node:os').tmpdir(), 'secintake-retention-config-'));
  const file = join(dir, 'bases-retention.json');
  await writeFile(file, JSON.stringify(config));
  s = await startScenario({ config: file, startAt: ARRIVAL, maintainerDomains: ['hashberg.io'] });
}, 30_000);
afterAll(() => s?.close());

test('closed reports expire after their audit event, disclosed ones are redacted, held ones are kept', async () => {
  const { store, raw } = s.stack.deps;
  const subjects = ['Overflow in decode', 'Crash in parse', 'Leak in encode'];
  for (const [i, subject] of subjects.entries()) {
    const from = `reporter${i}@example.net`;
    await s.deliver(plainMail({ from, to: 'security@hashberg.io', subject, date: ARRIVAL, messageId: `r${i}@example.net`, body: `Details of ${subject}: version 0.3.0, PoC attached.\n` }), { from, to: 'security@hashberg.io' });
  }
  const reports = await store.listReports();
  const idOf = (subject: string) => reports.find((r) => r.subject === subject)!.id;
  const [closed, disclosed, held] = subjects.map(idOf);
  const receipts = (await s.outbox()).filter((m) => m.kind === 'receipt');
  const reply = async (id: string, n: number, when: string, body: string, from = ALICE) => {
    const receipt = receipts.find((m) => m.subject.includes(id))!;
    await s.deliver(plainMail({ from, to: receipt.replyTo, subject: `Re: ${receipt.subject}`, date: when, messageId: `a${n}@hashberg.io`, body }), { from, to: receipt.replyTo }, true);
  };
  await s.stack.advanceTo(new Date(at(1)));
  await reply(closed, 1, at(1), 'Status: closed invalid\n\nThis is the documented behaviour; closing.\n');
  await reply(disclosed, 2, at(1), 'Status: disclosed\n\nFixed in 0.3.1 and published, thank you.\n');
  // a legal hold is a lead's decision: a maintainer's is refused and changes nothing
  await reply(held, 30, at(1), 'Hold: yes\n');
  expect((await store.getReport(held))!.hold).toBeUndefined();
  await reply(held, 3, at(1), 'Hold: yes\nStatus: closed wontfix\n\nKept on hold at counsel\'s request.\n', LEAD);
  const disclosedRaw = (await store.listMessages(disclosed)).flatMap((m) => (m.rawKey ? [m.rawKey] : []));
  expect(disclosedRaw.length).toBeGreaterThanOrEqual(2);

  // day 8: the disclosed report is redacted (facts and audit trail kept), the closed one has its expiry set
  await s.stack.advanceTo(new Date(at(8)));
  const redacted = await store.listMessages(disclosed);
  expect(redacted.map((m) => m.excerpt)).toEqual(redacted.map(() => ''));
  for (const key of disclosedRaw) await expect(raw.size(key)).rejects.toThrow(/no raw message/);
  expect((await store.getReport(disclosed))!).toMatchObject({ status: 'disclosed', retention: { redactedAt: at(8) } });
  const closedEvents = await store.listEvents(closed);
  expect(closedEvents.find((e) => e.type === 'retention.expiry-set')?.detail).toEqual({ expiresAt: at(31), auditExpiresAt: at(366) });
  expect((await store.listEvents(disclosed)).map((e) => e.type)).toContain('retention.redacted');
  // the outbox folder's copies of its mail lost their text too (the receipt, the notification, the relay...)
  const redactedEvent = (await store.listEvents(disclosed)).find((e) => e.type === 'retention.redacted')!;
  expect(redactedEvent.detail).toMatchObject({ rawDeleted: disclosedRaw.length });
  expect(redactedEvent.detail!.outboxCopies).toBeGreaterThanOrEqual(2);
  for (const m of (await s.outbox()).filter((o) => o.subject.includes(disclosed))) expect(m.text).toContain(`report ${disclosed} was redacted`);

  // day 32: the closed reports' messages are gone; their audit skeleton stays; the held one is whole
  await s.stack.advanceTo(new Date(at(32)));
  expect(await store.listMessages(closed)).toEqual([]);
  expect(await store.listMessages(disclosed)).toEqual([]);
  expect((await store.getReport(closed))!.status).toBe('closed');
  expect((await store.listEvents(closed)).map((e) => e.type)).toEqual(expect.arrayContaining(['status.changed', 'retention.expiry-set']));
  expect((await store.listMessages(held)).length).toBeGreaterThanOrEqual(2);
  expect((await store.getReport(held))!.hold).toMatchObject({ by: LEAD });

  // day 367: the audit skeletons are gone too; the held report is still whole
  await s.stack.advanceTo(new Date(at(367)));
  expect(await store.getReport(closed)).toBeUndefined();
  expect(await store.listEvents(closed)).toEqual([]);
  expect(await store.getReport(disclosed)).toBeUndefined();
  expect((await store.listMessages(held)).length).toBeGreaterThanOrEqual(2);
  expect((await store.listEvents(held)).map((e) => e.type)).not.toContain('retention.expiry-set');

  // the hold lifted: its retention counts from its closing on day 1, both instants long past: the next move of
  // the clock sets the expiry (its final audit event) and the records go, skeleton included
  await reply(held, 4, at(367), 'Hold: no\n\nCounsel released the hold.\n', LEAD);
  expect((await store.listEvents(held)).map((e) => e.type)).toContain('hold.lifted');
  await s.stack.advanceTo(new Date(new Date(at(367)).getTime() + 60_000));
  expect(await store.listMessages(held)).toEqual([]);
  expect(await store.getReport(held)).toBeUndefined();
}, 120_000);
