/**
 * Conversation by email: maintainers' commands and relayed replies, reporters' follow-ups, and the abuse cases
 * (each one: zero state changes and zero mail to the reporter).
 */
import { simpleParser } from 'mailparser';
import { replyAddress } from '../../lambdas/core/reply-address';
import type { Report } from '../../lambdas/core/report';
import { dsnMail, fixedKey, loadExample, mail, observableState, openReport as openReportIn, PASS_VERDICTS, startHarness, type Harness } from '../support/intake-harness';

const REPORTER = 'jane@reporter.example';

const openReport = (h: Harness, to: string) => openReportIn(h, { to, body: 'decode() overflows in 0.3.0.\nCredit: Jane Reporter' });

const stateOf = observableState;

describe('bases: one project', () => {
  const config = loadExample('bases');
  const project = config.projects[0];
  const SECURITY = project.addresses[0];
  const MAINTAINER = project.maintainers[0].address;
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(config);
  });
  afterEach(() => h.close());

  test('an authenticated maintainer sets status and embargo, and the text is relayed from the security address', async () => {
    const { report, replyTo } = await openReport(h, SECURITY);
    h.sender.sent.length = 0;
    h.clock.advance(3600_000);
    const r = await h.deliverSigned(
      mail({
        from: `Alice Maintainer <${MAINTAINER}>`,
        to: replyTo,
        subject: `Re: [security report #${report.id}] Heap overflow in decode()`,
        body: 'Status: triaged\nEmbargo: 72h\nSeverity: high\n\nHi Jane, confirmed. Fix in progress.\n\nOn Fri, Jane wrote:\n> decode() overflows\n',
      }),
      { recipients: [replyTo] },
    );
    expect(r.outcome).toBe('maintainer');
    const after = (await h.store.getReport(report.id))!;
    expect(after.status).toBe('triaged');
    expect(after.severity).toBe('high');
    expect(after.acknowledgedAt).toBeDefined();
    expect(new Date(after.embargo!.until).getTime() - h.clock.now().getTime()).toBe(72 * 3600_000);

    const relayed = h.sender.to(REPORTER);
    expect(relayed).toHaveLength(1);
    expect(relayed[0].parsed.text).toMatch(/The maintainers set an embargo on your report .* it ends on /);
    const raw = relayed[0].raw.toString('utf8');
    expect(raw).not.toContain(MAINTAINER);
    expect(relayed[0].parsed.from?.value[0].address).toBe(SECURITY);
    expect(relayed[0].parsed.text).toContain('confirmed. Fix in progress.');
    expect(relayed[0].parsed.text).not.toContain('Status: triaged');
    expect(relayed[0].parsed.text).not.toContain('> decode() overflows');
    expect(relayed[0].parsed.subject).toContain(`[security report #${report.id}]`);
    expect(relayed[0].parsed.inReplyTo).toBeDefined();
    const events = (await h.store.listEvents(report.id)).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['status.changed', 'embargo.set', 'reply.relayed']));
  });

  test("a maintainer's attachments are relayed to the reporter, and the relay counts as the acknowledgment", async () => {
    const { report, replyTo } = await openReport(h, SECURITY);
    h.sender.sent.length = 0;
    const patch = Buffer.from('--- a/decode.py\n+++ b/decode.py\n@@ -1 +1 @@\n-x\n+y\n');
    const raw = [
      `From: Alice <${MAINTAINER}>`,
      `To: ${replyTo}`,
      `Subject: Re: [security report #${report.id}] Heap overflow`,
      'Message-ID: <att-1@hashberg.io>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="xx"',
      '',
      '--xx',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Could you test the attached patch?',
      '--xx',
      'Content-Type: text/x-diff; name="fix.diff"',
      'Content-Disposition: attachment; filename="fix.diff"',
      'Content-Transfer-Encoding: base64',
      '',
      patch.toString('base64'),
      '--xx--',
      '',
    ].join('\r\n');
    await h.deliverSigned(raw, { recipients: [replyTo] });
    const relayed = h.sender.to(REPORTER);
    expect(relayed).toHaveLength(1);
    expect(relayed[0].parsed.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['fix.diff', patch.toString()]]);
    expect((await h.store.getReport(report.id))?.acknowledgedAt).toBe(h.clock.now().toISOString());
  });

  test('Internal: yes goes to the other maintainers only: recorded, nothing to the reporter', async () => {
    const { report, replyTo } = await openReport(h, SECURITY);
    h.sender.sent.length = 0;
    const r = await h.deliverSigned(
      mail({ from: MAINTAINER, to: replyTo, subject: 'Re: x', body: 'Internal: yes\nSeverity: critical\n\nBob, this one is nasty; can you look at decode.py?\n' }),
      { recipients: [replyTo] },
    );
    expect(r.outcome).toBe('maintainer');
    expect(h.sender.to(REPORTER)).toHaveLength(0);
    const others = project.maintainers.map((m) => m.address).filter((a) => a !== MAINTAINER);
    // the note to the others, then the confirmation of the Severity command to every maintainer
    expect(h.sender.sent.map((s) => s.envelope.to)).toEqual([others, project.maintainers.map((m) => m.address)]);
    expect(h.sender.sent[0].parsed.text).toContain('this one is nasty');
    expect(h.sender.sent[1].parsed.text).toMatch(/- Severity: none -> critical/);
    expect(h.sender.sent[1].parsed.text).toMatch(/Sent to the reporter: nothing\./);
    const after = (await h.store.getReport(report.id))!;
    expect(after.severity).toBe('critical');
    expect(after.acknowledgedAt).toBeUndefined(); // an internal note is not an answer to the reporter
    expect((await h.store.listEvents(report.id)).map((e) => e.type)).toContain('reply.recorded');
  });

  test('an unknown or malformed command changes nothing, and the maintainer is told exactly what', async () => {
    const { report, replyTo } = await openReport(h, SECURITY);
    const before = await h.store.getReport(report.id);
    h.sender.sent.length = 0;
    await h.deliverSigned(
      mail({ from: MAINTAINER, to: replyTo, subject: 'Re: x', body: 'Status: triaged\nPriority: urgent\n\nHi Jane.\n' }),
      { recipients: [replyTo] },
    );
    expect(stateOf(await h.store.getReport(report.id))).toEqual(stateOf(before));
    expect(h.sender.to(REPORTER)).toHaveLength(0);
    const told = h.sender.to(MAINTAINER);
    expect(told).toHaveLength(1);
    expect(told[0].parsed.text).toContain('Priority: urgent');
  });

  test('an embargo longer than the policy maximum is refused with a clear reply', async () => {
    const { report, replyTo } = await openReport(h, SECURITY);
    h.sender.sent.length = 0;
    await h.deliverSigned(mail({ from: MAINTAINER, to: replyTo, subject: 'Re: x', body: 'Embargo: 400d\n\nHi.\n' }), {
      recipients: [replyTo],
    });
    expect((await h.store.getReport(report.id))?.embargo).toBeUndefined();
    expect(h.sender.to(REPORTER)).toHaveLength(0);
    expect(h.sender.to(MAINTAINER)[0].parsed.text).toMatch(/longer than/);
  });

  test("the reporter's follow-up is recorded and forwarded to the maintainers", async () => {
    const { report, replyTo } = await openReport(h, SECURITY);
    h.sender.sent.length = 0;
    const r = await h.deliver(mail({ from: REPORTER, to: replyTo, subject: 'Re: x', body: 'Affected: 0.2.0 too.' }), {
      recipients: [replyTo],
    });
    expect(r).toMatchObject({ outcome: 'followup', reportId: report.id });
    expect(h.sender.to(MAINTAINER)[0].parsed.text).toContain('Affected: 0.2.0 too.');
    expect(h.sender.to(REPORTER)).toHaveLength(0);
  });

  test('abuse: a maintainer From that fails DMARC is never a command and never relayed', async () => {
    const { report, replyTo } = await openReport(h, SECURITY);
    const before = await h.store.getReport(report.id);
    h.sender.sent.length = 0;
    await h.deliver(mail({ from: MAINTAINER, to: replyTo, subject: 'Re: x', body: 'Status: closed invalid\n\nNot a bug.\n' }), {
      recipients: [replyTo],
      verdicts: { ...PASS_VERDICTS, dmarc: 'FAIL', dkim: 'FAIL' },
    });
    expect(stateOf(await h.store.getReport(report.id))).toEqual(stateOf(before));
    expect(h.sender.to(REPORTER)).toHaveLength(0);
  });

  test('abuse: DKIM that passes for another domain (not aligned) does not make a maintainer', async () => {
    const { report, replyTo } = await openReport(h, SECURITY);
    const before = await h.store.getReport(report.id);
    h.sender.sent.length = 0;
    await h.deliver(
      mail({
        from: MAINTAINER,
        to: replyTo,
        subject: 'Re: x',
        body: 'Status: closed invalid\n\nNot a bug.\n',
        headers: { 'DKIM-Signature': 'v=1; a=rsa-sha256; d=attacker.example; s=s1; h=from; bh=x; b=y' },
      }),
      { recipients: [replyTo], verdicts: { spf: 'PASS', dkim: 'PASS', dmarc: 'UNKNOWN', spam: 'PASS', virus: 'PASS' } },
    );
    expect(stateOf(await h.store.getReport(report.id))).toEqual(stateOf(before));
    expect(h.sender.to(REPORTER)).toHaveLength(0);
  });

  test('abuse: a stranger quoting a public report ID opens a new report that references the old one', async () => {
    const { report } = await openReport(h, SECURITY);
    const before = await h.store.getReport(report.id);
    const messagesBefore = (await h.store.listMessages(report.id)).length;
    h.sender.sent.length = 0;
    const r = await h.deliver(
      mail({ from: 'mallory@stranger.example', to: SECURITY, subject: `Re: [security report #${report.id}] Heap overflow`, body: 'Status: closed invalid\n' }),
      { verdicts: PASS_VERDICTS },
    );
    expect(r.outcome).toBe('report');
    expect(r.reportId).not.toBe(report.id);
    expect((await h.store.getReport(r.reportId!))?.relatesTo).toEqual([report.id]);
    expect(stateOf(await h.store.getReport(report.id))).toEqual(stateOf(before));
    expect(await h.store.listMessages(report.id)).toHaveLength(messagesBefore);
    expect(h.sender.to(REPORTER)).toHaveLength(0);
  });

  test('abuse: mail to a reply address with a forged mac is not threaded by it', async () => {
    const { report, replyTo } = await openReport(h, SECURITY);
    const before = await h.store.getReport(report.id);
    const forged = replyTo.replace(/\.([0-9a-z]+)@/, (_m, mac: string) => `.${mac.slice(0, -1)}${mac.endsWith('a') ? 'b' : 'a'}@`);
    h.sender.sent.length = 0;
    const r = await h.deliver(mail({ from: MAINTAINER, to: forged, subject: 'hello', body: 'Status: closed invalid\n' }), {
      recipients: [forged],
      verdicts: PASS_VERDICTS,
    });
    expect(r.reportId).not.toBe(report.id);
    expect(stateOf(await h.store.getReport(report.id))).toEqual(stateOf(before));
    expect(h.sender.to(REPORTER)).toHaveLength(0);
  });

  test('abuse: CR/LF in a subject, a display name or a command value never breaks the outbound headers', async () => {
    const r = await h.deliver(
      [
        'From: =?utf-8?B?' + Buffer.from('Eve\r\nBcc: victim@evil.example').toString('base64') + '?= <eve@reporter.example>',
        `To: ${SECURITY}`,
        'Subject: =?utf-8?B?' + Buffer.from('Bug\r\nBcc: victim@evil.example\r\nX-Injected: 1').toString('base64') + '?=',
        'Message-ID: <inject-1@reporter.example>',
        '',
        'Credit: x',
        '',
      ].join('\r\n'),
    );
    const report = (await h.store.getReport(r.reportId!))!;
    const key = await fixedKey.replyAddressKey();
    const replyTo = replyAddress(SECURITY, report.id, key);
    await h.deliverSigned(
      mail({ from: MAINTAINER, to: replyTo, subject: 'Re: x', body: 'Credit: Eve\u000d\u000aBcc: victim@evil.example\n\nThanks.\n' }),
      { recipients: [replyTo] },
    );
    expect(h.sender.sent.length).toBeGreaterThan(2);
    for (const sent of h.sender.sent) {
      const raw = sent.raw.toString('utf8');
      const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
      expect(head).not.toMatch(/^Bcc:/im);
      expect(head).not.toMatch(/^X-Injected:/im);
      const parsed = await simpleParser(sent.raw);
      expect(parsed.headers.has('bcc')).toBe(false);
      expect(sent.envelope.to).not.toContain('victim@evil.example');
    }
  });

  test("a bounce of our mail to the reporter marks them unreachable and tells the maintainers, once", async () => {
    const { report, replyTo } = await openReport(h, SECURITY);
    h.sender.sent.length = 0;
    const dsn = dsnMail({ from: 'MAILER-DAEMON@mx.reporter.example', to: replyTo, subject: 'Undelivered Mail Returned to Sender', failed: REPORTER });
    await h.deliver(dsn, { recipients: [replyTo], mailFrom: '' });
    await h.deliver(dsn, { recipients: [replyTo], mailFrom: '' });
    expect((await h.store.getReport(report.id))?.reporterUnreachable).toBeDefined();
    expect(h.sender.to(REPORTER)).toHaveLength(0);
    expect(h.sender.sent.filter((s) => s.outboxId === 'unreachable')).toHaveLength(1);
  });
});

describe('crowdstrike: several projects in one deployment', () => {
  const config = loadExample('crowdstrike');
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(config);
  });
  afterEach(() => h.close());

  test("abuse: a maintainer's command to another project's report changes nothing", async () => {
    const [a, b] = config.projects;
    const outsider = a.maintainers.find((m) => !b.maintainers.some((x) => x.address === m.address));
    expect(outsider).toBeDefined();
    const { report, replyTo } = await openReport(h, b.addresses[0]);
    const before = await h.store.getReport(report.id);
    h.sender.sent.length = 0;
    await h.deliverSigned(mail({ from: outsider!.address, to: replyTo, subject: 'Re: x', body: 'Status: closed wontfix\n\nNo.\n' }), {
      recipients: [replyTo],
    });
    expect(stateOf(await h.store.getReport(report.id))).toEqual(stateOf(before));
    expect(h.sender.to(REPORTER)).toHaveLength(0);
  });
});

describe('a forged reporter', () => {
  const config = loadExample('bases');
  const SECURITY = config.projects[0].addresses[0];
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(config);
  });
  afterEach(() => h.close());

  test("mail in the reporter's name that fails DMARC never joins the report by its subject tag", async () => {
    const { report } = await openReport(h, SECURITY);
    const before = (await h.store.listMessages(report.id)).length;
    const r = await h.deliver(
      mail({ from: REPORTER, to: SECURITY, subject: `Re: [security report #${report.id}] Heap overflow`, body: 'Please send the details to evil@attacker.example' }),
      { verdicts: { spf: 'FAIL', dkim: 'FAIL', dmarc: 'FAIL', spam: 'PASS', virus: 'PASS' } },
    );
    expect(r.outcome).toBe('report');
    expect(r.reportId).not.toBe(report.id);
    expect((await h.store.getReport(r.reportId!))?.relatesTo).toEqual([report.id]);
    expect(await h.store.listMessages(report.id)).toHaveLength(before);
  });
});
