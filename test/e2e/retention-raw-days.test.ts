/**
 * `retention.rawDays` shorter than the bucket's lifecycle, enforced per message (issue 19) on the local stack:
 * hashberg bases keeps raw mail 10 days (records of closed reports 30). Two reports arrive over SMTP; a
 * maintainer answers one on day 3 and closes it, a lead puts the other on legal hold. As the clock moves, each
 * raw message goes 10 days after it arrived, with an audit event; the record keeps its facts and excerpt and
 * says the raw is gone; the TTL already set on the closed report's items survives the rewrite; held mail stays.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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
  config.projects[0].retention = { rawDays: 10, closedReportDays: 30 };
  const dir = await mkdtemp(join(tmpdir(), 'secintake-raw-days-'));
  const file = join(dir, 'bases-raw-days.json');
  await writeFile(file, JSON.stringify(config));
  s = await startScenario({ config: file, startAt: ARRIVAL, maintainerDomains: ['hashberg.io'] });
}, 30_000);
afterAll(() => s?.close());

test('raw mail goes rawDays after it arrived, message by message, as an audit event; held mail stays', async () => {
  const { store, raw } = s.stack.deps;
  for (const [i, subject] of ['Overflow in decode', 'Leak in encode'].entries()) {
    const from = `reporter${i}@example.net`;
    await s.deliver(plainMail({ from, to: 'security@hashberg.io', subject, date: ARRIVAL, messageId: `r${i}@example.net`, body: `Details of ${subject}: version 0.3.0.\n` }), { from, to: 'security@hashberg.io' });
  }
  const reports = await store.listReports();
  const answered = reports.find((r) => r.subject === 'Overflow in decode')!.id;
  const held = reports.find((r) => r.subject === 'Leak in encode')!.id;
  const receipts = (await s.outbox()).filter((m) => m.kind === 'receipt');
  const reply = async (id: string, n: number, when: string, body: string, from = ALICE) => {
    const receipt = receipts.find((m) => m.subject.includes(id))!;
    await s.deliver(plainMail({ from, to: receipt.replyTo, subject: `Re: ${receipt.subject}`, date: when, messageId: `a${n}@hashberg.io`, body }), { from, to: receipt.replyTo }, true);
  };
  await s.stack.advanceTo(new Date(at(1)));
  await reply(held, 1, at(1), 'Hold: yes\n\nKept at counsel\'s request.\n', LEAD);
  await s.stack.advanceTo(new Date(at(3)));
  await reply(answered, 2, at(3), 'Status: closed invalid\n\nThis is the documented behaviour; closing.\n');
  const rawOf = async (id: string) => (await store.listMessages(id)).filter((m) => m.direction === 'in').map((m) => ({ at: m.at, key: m.rawKey, deletedAt: m.rawDeletedAt }));
  const [report, answer] = await rawOf(answered);
  expect([report.at, answer.at]).toEqual([ARRIVAL.replace('Z', '.000Z'), at(3)]);
  const heldRaw = (await rawOf(held)).map((m) => m.key!);
  expect(heldRaw.length).toBeGreaterThanOrEqual(2);

  // day 9 and 23 h: nothing is 10 days old yet
  await s.stack.advanceTo(new Date(new Date(at(10)).getTime() - 3600_000));
  expect(await raw.size(report.key!)).toBeGreaterThan(0);
  expect((await store.listEvents(answered)).map((e) => e.type)).not.toContain('retention.raw-deleted');

  // day 10: the report's raw mail goes (the day-3 answer stays); the record keeps its facts and excerpt
  await s.stack.advanceTo(new Date(at(10)));
  await expect(raw.size(report.key!)).rejects.toThrow(/no raw message/);
  expect(await raw.size(answer.key!)).toBeGreaterThan(0);
  const first = (await store.listMessages(answered)).find((m) => m.at === report.at)!;
  expect(first).toMatchObject({ rawDeletedAt: at(10), excerpt: expect.stringContaining('Details of Overflow in decode') });
  expect(first.rawKey).toBeUndefined();
  // the closed report's items had their TTL set on day 3; rewriting the record keeps it
  expect((first as unknown as { expiresAt?: number }).expiresAt).toBe(Math.floor(new Date(at(33)).getTime() / 1000));
  const deletions = (await store.listEvents(answered)).filter((e) => e.type === 'retention.raw-deleted');
  expect(deletions.map((e) => [e.at, e.actor, e.detail])).toEqual([[at(10), 'retention', { rawDeleted: 1, messages: 1, rawDays: 10 }]]);

  // day 13: the answer's raw goes too, one more event; the held report's raw mail is all there
  await s.stack.advanceTo(new Date(at(13)));
  await expect(raw.size(answer.key!)).rejects.toThrow(/no raw message/);
  expect((await store.listEvents(answered)).filter((e) => e.type === 'retention.raw-deleted').map((e) => e.at)).toEqual([at(10), at(13)]);
  for (const key of heldRaw) expect(await raw.size(key)).toBeGreaterThan(0);
  expect((await store.listEvents(held)).map((e) => e.type)).not.toContain('retention.raw-deleted');

  // the hold lifted on day 20: the next move deletes what is past its 10 days
  await reply(held, 3, at(20), 'Hold: no\n\nCounsel released the hold.\n', LEAD);
  await s.stack.advanceTo(new Date(new Date(at(20)).getTime() + 60_000));
  for (const key of heldRaw) await expect(raw.size(key)).rejects.toThrow(/no raw message/);
}, 120_000);
