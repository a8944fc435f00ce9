/**
 * Intake end to end at the use-case level, on dynalite and the real parser: what a reporter and a maintainer
 * would notice (a report, a receipt, a notice), and that nothing is lost or done twice.
 */
import { loadExample, mail, startHarness, type Harness } from '../support/intake-harness';
import type { ReportStore } from '../../lambdas/ports/report-store';

const config = loadExample('bases');
const SECURITY = config.projects[0].addresses[0];
const MAINTAINERS = config.projects[0].maintainers.map((m) => m.address);

const report = (from = 'jane@reporter.example') =>
  mail({
    from: `Jane Reporter <${from}>`,
    to: SECURITY,
    subject: 'Heap overflow in decode()',
    body: 'Hi,\n\ndecode() overflows with a crafted base32 string in bases 0.3.0 on Python 3.12.\nPlease credit me as Jane Reporter.\n',
  });

let h: Harness;
beforeEach(async () => {
  h = await startHarness(config);
});
afterEach(async () => {
  await h.close();
});

test('a human report gets an ID, a record, a workflow, a receipt to the reporter and a notice to the maintainers', async () => {
  const result = await h.deliver(report(), { sesMessageId: 'ses-1' });

  expect(result.outcome).toBe('report');
  expect(result.reportId).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  const stored = await h.store.getReport(result.reportId!);
  expect(stored).toMatchObject({ status: 'received', project: 'bases', reporter: { address: 'jane@reporter.example' } });
  expect(h.workflow.started).toEqual([result.reportId]);

  const messages = await h.store.listMessages(result.reportId!);
  expect(messages).toHaveLength(1 + 2); // the report, then the receipt and the notice as outbound records
  const events = await h.store.listEvents(result.reportId!);
  expect(events.map((e) => e.type)).toContain('report.opened');

  const receipt = h.sender.to('jane@reporter.example');
  expect(receipt).toHaveLength(1);
  expect(receipt[0].parsed.subject).toContain(`[security report #${result.reportId}]`);
  expect(receipt[0].parsed.text).toContain(result.reportId!);
  expect(receipt[0].parsed.from?.value[0].address).toBe(SECURITY);
  expect(receipt[0].parsed.headers.get('auto-submitted')).toBe('auto-replied');
  const replyTo = receipt[0].parsed.replyTo?.value[0].address ?? '';
  expect(replyTo).toMatch(/^security\+[0-9a-z]{8}\.[0-9a-z]+@hashberg\.io$/);

  const notice = h.sender.to(MAINTAINERS[0]);
  expect(notice).toHaveLength(1);
  expect(notice[0].parsed.text).toContain('decode() overflows');
});

test('the same SES message delivered twice, even concurrently, gives one report and one receipt', async () => {
  const raw = report();
  const [a, b] = await Promise.all([
    h.deliver(raw, { sesMessageId: 'ses-dup' }),
    h.deliver(raw, { sesMessageId: 'ses-dup' }),
  ]);
  const c = await h.deliver(raw, { sesMessageId: 'ses-dup' });
  expect(new Set([a.reportId, b.reportId, c.reportId]).size).toBe(1);
  expect(c.duplicate).toBe(true);
  expect(await h.store.listReports()).toHaveLength(1);
  expect(h.sender.to('jane@reporter.example')).toHaveLength(1);
});

/** Fails the Nth write (create, update, batch, transaction, put) of the store, once: before it is applied, or
 *  (`after`) once it is applied, as when the answer is lost or the function dies just then. */
function failingAt(store: ReportStore, n: number, when: 'before' | 'after' = 'before'): ReportStore {
  let writes = 0;
  const writeMethods = new Set(['putInbound', 'createReport', 'updateReport', 'appendToReport', 'putOutbox', 'markOutboxSent', 'incrementCounter', 'claimOnce', 'createReportWith', 'appendAndRecordInbound']);
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (!writeMethods.has(String(prop)) || ++writes !== n) return value.apply(target, args);
        const failure = new Error(`injected failure ${when} write ${n}`);
        if (when === 'before') return Promise.reject(failure);
        return (value.apply(target, args) as Promise<unknown>).then(() => Promise.reject(failure));
      };
    },
  });
}

test('a crash between any two writes is repaired by the retry: one report, one receipt, one notice', async () => {
  const clean = await h.deliver(report(), { sesMessageId: 'ses-clean' });
  const cleanMessages = (await h.store.listMessages(clean.reportId!)).length;
  const cleanSent = h.sender.sent.length;
  expect(cleanSent).toBe(2);

  for (let n = 1; n <= 12; n++) {
    const id = `ses-crash-${n}`;
    const raw = report(`jane${n}@reporter.example`); // distinct senders: the receipt rate limit is not the point
    const before = h.sender.sent.length;
    const realStore = h.deps.store;
    h.deps.store = failingAt(realStore, n);
    let failed = false;
    try {
      await h.deliver(raw, { sesMessageId: id });
    } catch {
      failed = true;
    }
    h.deps.store = realStore;
    const retried = await h.deliver(raw, { sesMessageId: id });
    expect(retried.outcome).toBe('report');
    const messages = await h.store.listMessages(retried.reportId!);
    expect(messages.filter((m) => m.direction === 'in')).toHaveLength(1);
    expect(messages).toHaveLength(cleanMessages);
    // a crash after a send and before it was recorded may resend (at-least-once at the edge); otherwise once
    const sends = h.sender.sent.slice(before);
    expect(sends.filter((s) => s.outboxId === 'receipt').length).toBeGreaterThanOrEqual(1);
    expect(sends.filter((s) => s.outboxId === 'receipt').length).toBeLessThanOrEqual(failed ? 2 : 1);
    expect(sends.filter((s) => s.outboxId === 'notice').length).toBeGreaterThanOrEqual(1);
    const inbound = await h.store.getInbound(id);
    expect(inbound).toMatchObject({ state: 'done', outcome: 'report', reportId: retried.reportId });
  }
});

test('a crash just after any write (applied, its answer lost) is repaired by the retry: one report, one receipt, one notice', async () => {
  for (let n = 1; n <= 12; n++) {
    const id = `ses-after-${n}`;
    const raw = report(`june${n}@reporter.example`);
    const before = h.sender.sent.length;
    const realStore = h.deps.store;
    h.deps.store = failingAt(realStore, n, 'after');
    let failed = false;
    try {
      await h.deliver(raw, { sesMessageId: id });
    } catch {
      failed = true;
    }
    h.deps.store = realStore;
    const retried = await h.deliver(raw, { sesMessageId: id });
    expect(retried.outcome).toBe('report');
    const reports = (await h.store.listReports()).filter((r) => r.reporter.address === `june${n}@reporter.example`);
    expect(reports).toHaveLength(1);
    const messages = await h.store.listMessages(reports[0].id);
    expect(messages.filter((m) => m.direction === 'in')).toHaveLength(1);
    const sends = h.sender.sent.slice(before);
    const receipts = sends.filter((s) => s.outboxId === 'receipt').length;
    const notices = sends.filter((s) => s.outboxId === 'notice').length;
    expect(receipts).toBeGreaterThanOrEqual(1);
    expect(notices).toBeGreaterThanOrEqual(1);
    // the failure after a mail's record was written: nothing to send again
    expect(receipts + notices).toBe(2);
    expect(await h.store.getInbound(id)).toMatchObject({ state: 'done', outcome: 'report', reportId: reports[0].id });
    expect(await h.store.listOutbox(reports[0].id)).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'receipt', state: 'sent' }), expect.objectContaining({ id: 'notice', state: 'sent' })]));
    if (!failed) break; // past the last write
  }
});

test('a crash at any write, then the client retries under a new delivery ID: one report, one receipt, one notice, one workflow', async () => {
  for (let n = 1; n <= 14; n++) {
    const reporter = `joe${n}@reporter.example`;
    const raw = report(reporter); // the same bytes both times: same Message-ID and sender
    const before = h.sender.sent.length;
    const realStore = h.deps.store;
    h.deps.store = failingAt(realStore, n);
    let failed = false;
    try {
      await h.deliver(raw, { sesMessageId: `ses-first-${n}` });
    } catch {
      failed = true;
    }
    h.deps.store = realStore;
    const retried = await h.deliver(raw, { sesMessageId: `ses-retry-${n}` });
    const reports = (await h.store.listReports()).filter((r) => r.reporter.address === reporter);
    expect(reports).toHaveLength(1);
    expect(retried.reportId).toBe(reports[0].id);
    const messages = await h.store.listMessages(reports[0].id);
    // the first attempt's record once; the retry recorded as a copy when the first had claimed the message
    expect(messages.filter((m) => m.direction === 'in' && m.outcome === 'report')).toHaveLength(1);
    expect(h.workflow.started.filter((id) => id === reports[0].id)).toHaveLength(1);
    const sends = h.sender.sent.slice(before);
    const receipts = sends.filter((s) => s.outboxId === 'receipt').length;
    const notices = sends.filter((s) => s.outboxId === 'notice').length;
    expect(receipts).toBeGreaterThanOrEqual(1);
    expect(notices).toBeGreaterThanOrEqual(1);
    // at most one more when the crash fell between a send and its record (at least once at the edge)
    expect(receipts + notices).toBeLessThanOrEqual(failed ? 3 : 2);
  }
});

test('the same message delivered three times at once opens one report: one receipt, one notice', async () => {
  const raw = report('triple@reporter.example');
  const results = await Promise.all(['ses-t1', 'ses-t2', 'ses-t3'].map((id) => h.deliver(raw, { sesMessageId: id })));
  expect(new Set(results.map((r) => r.reportId)).size).toBe(1);
  expect(await h.store.listReports()).toHaveLength(1);
  expect(results.filter((r) => r.outcome === 'report')).toHaveLength(1);
  expect(h.sender.sent.filter((s) => s.outboxId === 'receipt')).toHaveLength(1);
  expect(h.sender.sent.filter((s) => s.outboxId === 'notice')).toHaveLength(1);
  expect(h.workflow.started).toHaveLength(1);
  // every delivery is on the report: the first as the report, the others as copies
  expect((await h.store.listMessages(results[0].reportId!)).filter((m) => m.direction === 'in')).toHaveLength(3);
});

test('the same SES message four times at once, and the same message under four IDs at once, over and over: one receipt, one notice', async () => {
  // a slow mail service: the first delivery is still sending when the others have found its report
  const realSender = h.deps.sender;
  h.deps.sender = { send: async (...args) => { await new Promise((resolve) => setTimeout(resolve, 150)); return realSender.send(...args); } };
  for (let round = 0; round < 6; round++) {
    for (const sameId of [true, false]) {
      const reporter = `burst${round}${sameId ? 'a' : 'b'}@reporter.example`;
      const raw = report(reporter);
      const before = h.sender.sent.length;
      const ids = [1, 2, 3, 4].map((i) => (sameId ? `ses-burst-${round}` : `ses-burst-${round}-${i}`));
      const results = await Promise.all(ids.map((id) => h.deliver(raw, { sesMessageId: id })));
      expect(new Set(results.map((r) => r.reportId)).size).toBe(1);
      const sends = h.sender.sent.slice(before);
      expect(sends.filter((s) => s.outboxId === 'receipt')).toHaveLength(1);
      expect(sends.filter((s) => s.outboxId === 'notice')).toHaveLength(1);
      expect((await h.store.listReports()).filter((r) => r.reporter.address === reporter)).toHaveLength(1);
    }
  }
  h.deps.sender = realSender;
});

test("copies of a new report delivered at once do not eat into the sender's hourly receipts", async () => {
  const raw = report('racer@reporter.example');
  const copies = await Promise.all(['ses-r1', 'ses-r2', 'ses-r3'].map((id) => h.deliver(raw, { sesMessageId: id })));
  expect(new Set(copies.map((r) => r.reportId)).size).toBe(1);
  // the allowance (3 an hour) has room for two more reports of this sender, with their receipts
  for (const n of [1, 2]) {
    await h.deliver(mail({ from: 'Jane Reporter <racer@reporter.example>', to: SECURITY, subject: `Another overflow ${n}`, body: 'decode() overflows again.' }));
  }
  expect(h.sender.to('racer@reporter.example')).toHaveLength(config.limits.receiptsPerSenderPerHour);
});

test("a person's report that asks for no automatic answer is opened, the maintainers told why no receipt went out", async () => {
  for (const [name, value] of [['X-Auto-Response-Suppress', 'All'], ['Auto-Submitted', 'auto-forwarded'], ['Precedence', 'bulk'], ['List-Id', '<vuln-reports.lists.example.org>']] as const) {
    h.sender.sent.length = 0;
    const r = await h.deliver(mail({ from: `jane.${name}@reporter.example`, to: SECURITY, subject: `Overflow (${name})`, body: 'decode() overflows', headers: { [name]: value } }));
    expect(r.outcome).toBe('report');
    expect(h.sender.sent.filter((s) => s.outboxId === 'receipt')).toHaveLength(0);
    const notice = h.sender.sent.find((s) => s.outboxId === 'notice')!;
    expect(notice.parsed.text).toContain(`No receipt was sent to the reporter (no automatic answer: ${name}`);
    expect((await h.store.listEvents(r.reportId!)).find((e) => e.type === 'receipt.suppressed')?.detail.reason).toMatch(new RegExp(name));
  }
});

test('bounces, auto-replies and list mail open no report and get no answer', async () => {
  const bounce = mail({
    from: 'MAILER-DAEMON@mx.example.org',
    to: SECURITY,
    subject: 'Undelivered Mail Returned to Sender',
    body: 'This is the mail system. I am sorry to have to inform you that your message could not be delivered.',
  });
  const ooo = mail({
    from: 'Bob <bob@example.org>',
    to: SECURITY,
    subject: 'Out of Office: back on Monday',
    body: 'I am away.',
    headers: { 'Auto-Submitted': 'auto-replied' },
  });
  // a list we are subscribed to: the post names the list, not us
  const list = mail({
    from: 'list@lists.example.org',
    to: 'news@lists.example.org',
    subject: 'Weekly digest',
    body: 'News.',
    headers: { 'List-Id': '<news.lists.example.org>', Precedence: 'list' },
  });
  for (const [raw, mailFrom] of [[bounce, ''], [ooo, 'bob@example.org'], [list, 'bounces@lists.example.org']] as const) {
    const r = await h.deliver(raw, { mailFrom });
    expect(r.outcome).toBe('ignored');
  }
  expect(await h.store.listReports()).toHaveLength(0);
  expect(h.sender.sent).toHaveLength(0);
});

test('a spam or virus verdict FAIL quarantines the report: stored, maintainers told, no receipt', async () => {
  const r = await h.deliver(report(), {
    verdicts: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'PASS', virus: 'FAIL' },
  });
  expect(r.outcome).toBe('quarantined');
  const stored = await h.store.getReport(r.reportId!);
  expect(stored?.quarantine?.reason).toMatch(/virus/i);
  expect(h.sender.to('jane@reporter.example')).toHaveLength(0);
  expect(h.sender.to(MAINTAINERS[0])).toHaveLength(1);
  // Its workflow's only timer is the quarantine digest at the end of the hour (no reminders for spam).
  expect(h.workflow.started).toEqual([r.reportId]);
});

test.each([
  ['a 26-byte text file', Buffer.from('this is not an email at al')],
  ['NUL bytes', Buffer.concat([Buffer.from('From: a@b.example\r\nSubject: x\0\0\r\n\r\n'), Buffer.alloc(64)])],
  ['over 2 MB of headers', Buffer.from(`From: a@b.example\r\n` + `X-Pad: ${'b'.repeat(980)}\r\n`.repeat(2200) + '\r\nbody\r\n')],
])('%s becomes a quarantined record that keeps the raw bytes and the reason', async (_name, raw) => {
  const r = await h.deliver(raw, { sesMessageId: `bad-${_name.length}` });
  expect(r.outcome).toBe('quarantined');
  expect(r.reason.length).toBeGreaterThan(0);
  const stored = await h.store.getReport(r.reportId!);
  expect(stored?.quarantine?.reason).toBe(r.reason);
  const kept = await h.raw.size(`inbound/bad-${_name.length}`);
  expect(kept).toBe(raw.length);
  expect(h.sender.sent.filter((s) => s.outboxId === 'receipt')).toHaveLength(0);
});

test('mail for an address no project receives is ignored with a reason, not lost', async () => {
  const r = await h.deliver(report(), { recipients: ['nobody@elsewhere.example'] });
  expect(r.outcome).toBe('ignored');
  expect(r.reason).toMatch(/no project/);
  expect(await h.store.getInbound(r.sesMessageId)).toMatchObject({ state: 'done', outcome: 'ignored' });
});

test('a sender writing 50 times in an hour gets a few receipts, and the suppressed ones are recorded', async () => {
  const results = [];
  for (let i = 0; i < 50; i++) {
    results.push(await h.deliver(mail({ from: 'flood@reporter.example', to: SECURITY, subject: `report ${i}`, body: 'x' })));
  }
  const receipts = h.sender.to('flood@reporter.example');
  expect(receipts.length).toBe(config.limits.receiptsPerSenderPerHour);
  const last = results[49];
  const events = await h.store.listEvents(last.reportId!);
  expect(events.find((e) => e.type === 'receipt.suppressed')?.detail.reason).toMatch(/rate limit/);
});

test('a DMARC FAIL sender gets no receipt (a forged From would turn it into backscatter); the maintainers still see the report', async () => {
  const r = await h.deliver(report('spoofed@reporter.example'), {
    verdicts: { spf: 'FAIL', dkim: 'FAIL', dmarc: 'FAIL', spam: 'PASS', virus: 'PASS' },
  });
  expect(r.outcome).toBe('report');
  expect(h.sender.to('spoofed@reporter.example')).toHaveLength(0);
  expect(h.sender.to(MAINTAINERS[0])).toHaveLength(1);
  const events = await h.store.listEvents(r.reportId!);
  expect(events.find((e) => e.type === 'receipt.suppressed')?.detail.reason).toMatch(/DMARC FAIL/);
});

test('a failed intake is recorded with its reason next to the stored raw message', async () => {
  const { recordIntakeFailure } = await import('../../lambdas/app/receive-mail');
  const facts = {
    sesMessageId: 'fail-1',
    recipients: [SECURITY],
    verdicts: { spf: 'UNKNOWN', dkim: 'UNKNOWN', dmarc: 'UNKNOWN', spam: 'UNKNOWN', virus: 'UNKNOWN' } as const,
    receivedAt: h.clock.now().toISOString(),
    rawKey: 'inbound/fail-1',
  };
  await recordIntakeFailure(h.deps, facts, new Error('table unavailable'));
  await recordIntakeFailure(h.deps, facts, new Error('table unavailable'));
  expect(await h.store.getInbound('fail-1')).toMatchObject({ state: 'failed', reason: 'Error: table unavailable', attempts: 2 });
  expect((await h.store.listFailedInbound()).map((f) => f.sesMessageId)).toEqual(['fail-1']);
});

test('the same message delivered again under a new SES messageId (a client retry) is recorded, not answered twice', async () => {
  const raw = report();
  const first = await h.deliver(raw, { sesMessageId: 'copy-1' });
  const second = await h.deliver(raw, { sesMessageId: 'copy-2' });
  expect(second).toMatchObject({ outcome: 'ignored', reportId: first.reportId });
  expect(second.reason).toMatch(/copy/);
  expect(await h.store.listReports()).toHaveLength(1);
  expect(h.sender.to('jane@reporter.example')).toHaveLength(1);
  expect((await h.store.listMessages(first.reportId!)).filter((m) => m.direction === 'in')).toHaveLength(2);
  // someone else reusing that Message-ID does not get their mail swallowed
  const other = await h.deliver(raw.replace('jane@reporter.example', 'eve@elsewhere.example'), { sesMessageId: 'copy-3' });
  expect(other.outcome).toBe('report');
});

test('a report sent to two projects opens one report for each, with its own receipt, notice and workflow, linked', async () => {
  const crowdstrike = await startHarness(loadExample('crowdstrike'));
  try {
    const raw = mail({
      from: 'Jane <jane@reporter.example>',
      to: 'falconpy@crowdstrike.com, oss-security@crowdstrike.com',
      subject: 'Token leak in a shared helper',
      body: 'Both falconpy and MISP-tools vendor the same helper that logs the API token.',
    });
    const r = await crowdstrike.deliver(raw, { recipients: ['falconpy@crowdstrike.com', 'oss-security@crowdstrike.com'] });
    expect(r.outcome).toBe('report');
    const reports = await crowdstrike.store.listReports();
    expect(reports.map((x) => x.project).sort()).toEqual(['falconpy', 'misp-tools']);
    const [a, b] = reports;
    expect(a.id).not.toBe(b.id);
    expect(a.relatesTo).toEqual([b.id]);
    expect(b.relatesTo).toEqual([a.id]);
    expect(crowdstrike.workflow.started.sort()).toEqual([a.id, b.id].sort());
    const receipts = crowdstrike.sender.sent.filter((s) => s.outboxId === 'receipt');
    expect(receipts.map((s) => s.parsed.from?.value[0].address).sort()).toEqual(['falconpy@crowdstrike.com', 'oss-security@crowdstrike.com']);
    const notices = crowdstrike.sender.sent.filter((s) => s.outboxId === 'notice');
    expect(notices.map((s) => s.envelope.to[0]).sort()).toEqual(['alice@crowdstrike.com', 'erin@crowdstrike.com']);
    // delivered again (a retry under a new ID): nothing new
    const again = await crowdstrike.deliver(raw, { recipients: ['falconpy@crowdstrike.com', 'oss-security@crowdstrike.com'] });
    expect(again.outcome).toBe('ignored');
    expect(await crowdstrike.store.listReports()).toHaveLength(2);
    expect(crowdstrike.sender.sent.filter((s) => s.outboxId === 'receipt')).toHaveLength(2);
  } finally {
    await crowdstrike.close();
  }
});
