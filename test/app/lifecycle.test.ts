/**
 * The rest of a report's life (issue 12): release from quarantine, the `Update:` command, an embargo extended
 * beyond the policy by a lead (and refused to a maintainer), the disclose deadline after the embargo ends, and a
 * project that counts a status as the detailed response. On dynalite and the real parser; timers run by moving
 * the clock and calling tick as Step Functions would, with each execution's own name.
 */
import { tick } from '../../lambdas/app/tick';
import type { Config } from '../../lambdas/core/config';
import { replyAddress } from '../../lambdas/core/reply-address';
import { loadExample, mail, openReport, startHarness, type Harness } from '../support/intake-harness';

const config = loadExample('bases'); // ack 24h, respond 48h, embargo default 72h max 14d, escalation: security-lead@
const project = config.projects[0];
const SECURITY = project.addresses[0];
const ALICE = project.maintainers[0].address;
const LEAD = project.escalation[0];
const REPORTER = 'jane@reporter.example';
const SPAM = { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'FAIL', virus: 'PASS' } as const;
const HOUR = 3600_000;
const DAY = 24 * HOUR;

let h: Harness;
afterEach(() => h?.close());

const signed = (from: string, reply: string, id: string, body: string, messageId?: string) =>
  h.deliverSigned(
    mail({ from, to: reply, subject: `Re: [security report #${id}] overflow`, body, ...(messageId ? { messageId } : {}) }),
    { recipients: [reply] },
  );

/** The current generation's execution takes its turn at `at`. */
async function tickAt(id: string, at: Date) {
  h.clock.set(at);
  const report = (await h.store.getReport(id))!;
  const g = report.generation ?? 0;
  return tick(h.deps, { reportId: id, execution: g ? `${id}-g${g}` : id });
}

const outboxIds = (to: string) => h.sender.to(to).map((m) => m.outboxId.replace(/:[0-9a-f]{20}$/, ':<msg>'));

describe('release from quarantine', () => {
  async function quarantined() {
    h = await startHarness(config);
    const r = await h.deliver(mail({ from: `Jane <${REPORTER}>`, to: SECURITY, subject: 'overflow in decode()', body: 'decode() overflows in 0.3.0; PoC attached.' }), { verdicts: SPAM });
    expect(r.outcome).toBe('quarantined');
    const report = (await h.store.getReport(r.reportId!))!;
    const reply = replyAddress(SECURITY, report.id, Buffer.alloc(32, 7));
    return { id: report.id, reply };
  }

  test.each(['Release: yes', 'Status: received'])('"%s" clears the flag, sends the receipt built from the original, starts the timers from now', async (line) => {
    const { id, reply } = await quarantined();
    expect(h.sender.to(REPORTER)).toEqual([]); // quarantine: never answered
    h.clock.advance(5 * HOUR);
    const releasedAt = h.clock.now();
    await signed(`Alice <${ALICE}>`, reply, id, `${line}\n`);
    const report = (await h.store.getReport(id))!;
    expect(report.quarantine).toBeUndefined();
    expect(report).toMatchObject({ status: 'received', timersFrom: releasedAt.toISOString(), generation: 1 });
    expect(h.workflow.started).toEqual([id, `${id}-g1`]);
    const receipt = h.sender.to(REPORTER);
    expect(receipt.map((m) => m.outboxId)).toEqual(['receipt']);
    expect(receipt[0]!.parsed.text).toContain(id);
    // the acknowledgment is due 24 h from the release, not from the arrival 5 h earlier
    const ack = new Date(releasedAt.getTime() + DAY);
    const { deadlinesOf } = await import('../../lambdas/core/timeline');
    expect(deadlinesOf(report, project).find((d) => d.name === 'acknowledge')!.dueAt).toBe(ack.toISOString());
    const confirmation = h.sender.to(ALICE).at(-1)!.parsed.text!;
    expect(confirmation).toContain('Released from quarantine');
    expect(confirmation).toContain('the receipt, with the deadlines counted from now');
    // the old generation's turn does nothing; the new one reminds at 50% of the window from the release
    h.clock.set(new Date(releasedAt.getTime() + 13 * HOUR));
    expect(await tick(h.deps, { reportId: id, execution: id })).toMatchObject({ done: true });
    expect(h.sender.to(ALICE).filter((m) => m.outboxId.startsWith('acknowledge:'))).toEqual([]);
    await tickAt(id, new Date(releasedAt.getTime() + 13 * HOUR));
    expect(h.sender.to(ALICE).filter((m) => m.outboxId.startsWith('acknowledge:')).map((m) => m.outboxId)).toEqual(['acknowledge:remind:50%']);
  });

  test('a stranger cannot release: the same mail from an outsider changes nothing and sends no receipt', async () => {
    const { id, reply } = await quarantined();
    // unauthenticated copy of a maintainer's release, and a stranger's own
    await h.deliver(mail({ from: `Alice <${ALICE}>`, to: reply, subject: `Re: [security report #${id}] overflow`, body: 'Release: yes\n' }), { recipients: [reply] });
    await h.deliver(mail({ from: 'mallory@evil.example', to: reply, subject: `Re: [security report #${id}] overflow`, body: 'Release: yes\n' }), { recipients: [reply] });
    const report = (await h.store.getReport(id))!;
    expect(report.quarantine).toBeDefined();
    expect(report.generation).toBeUndefined();
    expect(h.sender.to(REPORTER)).toEqual([]);
  });

  test('Release on a report that is not quarantined is refused with the reason', async () => {
    h = await startHarness(config);
    const { id, replyTo } = await openReport(h, { from: REPORTER });
    await signed(`Alice <${ALICE}>`, replyTo, id, 'Release: yes\n');
    expect(h.sender.to(ALICE).at(-1)!.parsed.text).toContain('is not quarantined');
  });

  test('the quarantine digest says how to release a message', async () => {
    const { id } = await quarantined();
    const notice = h.sender.to(ALICE)[0]!.parsed;
    expect(notice.text).toContain(id);
    expect(notice.text).toMatch(/Release: yes/);
  });
});

describe('Update: a short status update for the reporter', () => {
  test('meets the update deadline, is relayed, and is refused on an internal message', async () => {
    h = await startHarness(config);
    const { id, replyTo } = await openReport(h, { from: REPORTER });
    await signed(`Alice <${ALICE}>`, replyTo, id, 'Status: triaged\n\nConfirmed; assessment: quadratic decode.\n');
    h.clock.advance(3 * DAY);
    h.sender.sent.length = 0;
    const before = (await h.store.getReport(id))!.lastUpdateAt;
    await signed(`Alice <${ALICE}>`, replyTo, id, 'Update: The fix is in review; release planned next week.\n');
    const after = (await h.store.getReport(id))!;
    expect(after.lastUpdateAt).not.toBe(before);
    expect(after.lastUpdateAt).toBe(h.clock.now().toISOString());
    const relayed = h.sender.to(REPORTER);
    expect(relayed).toHaveLength(1);
    expect(relayed[0]!.parsed.text).toContain('The fix is in review; release planned next week.');
    h.sender.sent.length = 0;
    await signed(`Alice <${ALICE}>`, replyTo, id, 'Internal: yes\nUpdate: secret\n');
    expect(h.sender.to(REPORTER)).toEqual([]);
    expect(h.sender.to(ALICE).at(-1)!.parsed.text).toContain('an Update is for the reporter');
  });
});

describe('Embargo: extend, by a lead', () => {
  async function withEmbargo() {
    h = await startHarness(config);
    const { id, replyTo } = await openReport(h, { from: REPORTER });
    await signed(`Alice <${ALICE}>`, replyTo, id, 'Embargo: 14d\n\nWe are on it.\n');
    return { id, replyTo, until: (await h.store.getReport(id))!.embargo!.until };
  }

  test('a maintainer cannot go beyond the maximum, not even with extend', async () => {
    const { id, replyTo, until } = await withEmbargo();
    h.clock.advance(10 * DAY);
    await signed(`Alice <${ALICE}>`, replyTo, id, 'Embargo: 10d\n');
    expect((await h.store.getReport(id))!.embargo!.until).toBe(until);
    expect(h.sender.to(ALICE).at(-1)!.parsed.text).toMatch(/longer than this project's policy allows/);
    await signed(`Alice <${ALICE}>`, replyTo, id, 'Embargo: extend 10d reason: vendor needs time\n');
    expect((await h.store.getReport(id))!.embargo!.until).toBe(until);
    expect(h.sender.to(ALICE).at(-1)!.parsed.text).toContain('only a lead');
  });

  test("a lead extends it with a reason: recorded, the reporter told the new date and why", async () => {
    const { id, replyTo, until } = await withEmbargo();
    h.clock.advance(10 * DAY);
    h.sender.sent.length = 0;
    await signed(`Sec Lead <${LEAD}>`, replyTo, id, 'Embargo: extend 2027-04-09 12:00 UTC reason: the distribution vendors need two more weeks\n');
    const report = (await h.store.getReport(id))!;
    expect(report.embargo).toMatchObject({ until: '2027-04-09T12:00:00.000Z', setBy: LEAD });
    expect(report.embargoExtensions).toEqual([
      { until: '2027-04-09T12:00:00.000Z', at: h.clock.now().toISOString(), by: LEAD, reason: 'the distribution vendors need two more weeks' },
    ]);
    const told = h.sender.to(REPORTER);
    expect(told.map((m) => m.outboxId.split(':')[0])).toEqual(['embargo-set']);
    expect(told[0]!.parsed.text).toMatch(/extended beyond the project's usual maximum/);
    expect(told[0]!.parsed.text).toContain('the distribution vendors need two more weeks');
    expect(new Date(until).getTime()).toBeLessThan(Date.parse('2027-04-09T12:00:00Z'));
    const events = (await h.store.listEvents(id)).filter((e) => e.type === 'embargo.extended');
    expect(events).toHaveLength(1);
    expect(events[0]!.detail).toMatchObject({ reason: 'the distribution vendors need two more weeks' });
  });

  test('an extension needs a reason, and a running embargo', async () => {
    const { id, replyTo } = await withEmbargo();
    await signed(`Sec Lead <${LEAD}>`, replyTo, id, 'Embargo: extend 30d\n');
    expect(h.sender.to(LEAD).at(-1)!.parsed.text).toMatch(/needs a date and a reason/);
  });
});

describe('disclose: after the embargo ends, until disclosed or closed', () => {
  test('reminders within the window, escalation at its end, again each period; disclosure ends it', async () => {
    h = await startHarness(config);
    const { id, replyTo } = await openReport(h, { from: REPORTER });
    await signed(`Alice <${ALICE}>`, replyTo, id, 'Status: fixing\nEmbargo: 72h\n\nFix in progress.\n');
    const end = Date.parse((await h.store.getReport(id))!.embargo!.until);
    await tickAt(id, new Date(end));
    expect(h.sender.to(REPORTER).map((m) => m.outboxId)).toContain(`embargo:end:${new Date(end).toISOString()}:reporter`);
    h.sender.sent.length = 0;
    await tickAt(id, new Date(end + 12 * HOUR)); // 50% of the 1d window
    await tickAt(id, new Date(end + DAY)); // missed: escalated to maintainers and the lead
    await tickAt(id, new Date(end + 8 * DAY)); // and again a week later (its reminders dropped: already past)
    const disclose = h.sender.sent.filter((m) => m.outboxId.startsWith('disclose:')).map((m) => m.outboxId);
    expect(disclose).toEqual([
      `disclose:remind:50%:${new Date(end + DAY).toISOString()}`,
      `disclose:escalate:${new Date(end + DAY).toISOString()}`,
      `disclose:escalate:${new Date(end + 8 * DAY).toISOString()}`,
    ]);
    const escalation = h.sender.sent.find((m) => m.outboxId.startsWith('disclose:escalate'))!;
    expect(escalation.envelope.to).toContain(LEAD);
    expect(escalation.parsed.text).toMatch(/Missed: disclosure of/);
    expect(escalation.parsed.text).toContain('Status: disclosed');
    const { deadlinesOf } = await import('../../lambdas/core/timeline');
    expect(deadlinesOf((await h.store.getReport(id))!, project, h.clock.now()).find((d) => d.name === 'disclose')).toMatchObject({ state: 'missed' });
    await signed(`Alice <${ALICE}>`, replyTo, id, 'Status: disclosed\n\nPublished 0.3.1 and the advisory.\n');
    h.sender.sent.length = 0;
    const out = await tickAt(id, new Date(end + 20 * DAY));
    expect(out.done).toBe(true);
    expect(h.sender.sent).toEqual([]);
  });
});

describe('respondMetBy', () => {
  const statusCounts: Config = structuredClone(config);
  statusCounts.projects[0].timers.respondMetBy = 'status';

  test('default ("text"): a status alone does not meet the detailed response; "status": it does', async () => {
    h = await startHarness(config);
    let { id, replyTo } = await openReport(h, { from: REPORTER });
    await signed(`Alice <${ALICE}>`, replyTo, id, 'Status: triaged\n');
    expect((await h.store.getReport(id))!.respondedAt).toBeUndefined();
    await h.close();

    h = await startHarness(statusCounts);
    ({ id, replyTo } = await openReport(h, { from: REPORTER }));
    await signed(`Alice <${ALICE}>`, replyTo, id, 'Status: triaged\n');
    expect((await h.store.getReport(id))!.respondedAt).toBe(h.clock.now().toISOString());
  });
});
