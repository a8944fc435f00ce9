/**
 * Trust boundary 2 (DESIGN section 8): parsed From -> "maintainer". Each attack of the adversarial review, built
 * byte for byte: keys generated here, mail signed with mailauth's signer, verdicts computed by mailauth on an
 * offline DNS, exactly as the local stack does. Every attack ends with the report unchanged, nothing sent to the
 * reporter and, where someone claimed a maintainer's address, the maintainers warned.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../lambdas/core/report';
import { parseConfig } from '../../lambdas/core/config-errors';
import type { Config } from '../../lambdas/core/config';
import { dkimDns, signMessage } from '../support/dkim-keys';
import { crlf, dsnMail, loadExample, mail, maintainerDomains, observableState, openReport as openReportIn, startHarness, type Harness } from '../support/intake-harness';

const REPORTER = 'jane@reporter.example';
const ALICE = 'alice@hashberg.io';

const stateOf = observableState;

const openReport = (h: Harness, to: string) => openReportIn(h, { to });

/** Alice's genuine, signed mail to Bob about something else: what an attacker can obtain and replay. */
async function genuineLunchMail(opts: { bodyLength?: number } = {}): Promise<Buffer> {
  const raw = mail({ from: `Alice <${ALICE}>`, to: 'bob@hashberg.io', subject: 'lunch?', body: 'lunch?', messageId: 'lunch-1@hashberg.io' });
  return signMessage(crlf(raw), 'hashberg.io', opts);
}

const warnings = (h: Harness) => h.sender.sent.filter((s) => /^WARNING: this message claims to come from maintainer/m.test(s.parsed.text ?? ''));

describe('impersonating a maintainer of bases', () => {
  const config = loadExample('bases');
  const SECURITY = config.projects[0].addresses[0];
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(config, undefined, dkimDns([...maintainerDomains(config), 'evil.example']));
  });
  afterEach(() => h.close());

  async function expectUntouched(report: Report, before: Report | undefined) {
    expect(stateOf(await h.store.getReport(report.id))).toEqual(stateOf(before));
    expect(h.sender.to(REPORTER)).toHaveLength(0);
  }

  test('1a: parser differential: "From : Mallory" with a bare CR, then "X-B: y\\rFrom: Alice", signed by the attacker', async () => {
    const { report, replyTo } = await openReport(h, SECURITY);
    const before = await h.store.getReport(report.id);
    h.sender.sent.length = 0;
    const attack = Buffer.from(
      'From : Mallory <mallory@evil.example>\r(x)\r\n' +
        'X-B: y\rFrom: Alice <alice@hashberg.io>\r\n' +
        `To: ${replyTo}\r\n` +
        `Subject: Re: [security report #${report.id}] Heap overflow in decode()\r\n` +
        'Date: Fri, 12 Mar 2027 21:30:00 +0000\r\n' +
        'Message-ID: <attack-1a@evil.example>\r\n' +
        '\r\n' +
        'Status: disclosed\r\nEmbargo: none\r\n\r\nPlease confirm your details at https://phish.example/login\r\n',
    );
    // the attacker's DKIM-Signature goes below the two crafted lines, so they stay first
    const signature = (await signMessage(attack, 'evil.example')).subarray(0, -attack.length);
    const cut = attack.indexOf('To: ');
    const signed = Buffer.concat([attack.subarray(0, cut), signature, attack.subarray(cut)]);
    const r = await h.deliverVerified(signed, { recipients: [replyTo] });
    expect(r.checks.find((c) => c.name === 'auth')?.reason).toMatch(/ambiguous/);
    expect(r.outcome).not.toBe('maintainer');
    await expectUntouched(report, before);
    expect(warnings(h)).toHaveLength(1);
    expect(warnings(h)[0].parsed.text).toMatch(/ambiguous/);
  });

  test('1b: a vertical-tab-prefixed "\\x0bFrom: Alice" line above the attacker\'s own From', async () => {
    const { report, replyTo } = await openReport(h, SECURITY);
    const before = await h.store.getReport(report.id);
    h.sender.sent.length = 0;
    const attack = Buffer.from(
      'X-A: 1\r\n' +
        '\x0bFrom: Alice <alice@hashberg.io>\r\n' +
        'From: Mallory <mallory@evil.example>\r\n' +
        `To: ${replyTo}\r\n` +
        `Subject: Re: [security report #${report.id}] Heap overflow in decode()\r\n` +
        'Message-ID: <attack-1b@evil.example>\r\n' +
        '\r\n' +
        'Status: closed invalid\r\n\r\nNot a bug, see https://phish.example\r\n',
    );
    const r = await h.deliverVerified(await signMessage(attack, 'evil.example'), { recipients: [replyTo] });
    expect(r.outcome).not.toBe('maintainer');
    await expectUntouched(report, before);
  });

  test('2a: Alice\'s signed "lunch?" replayed with a bare-CR first line and "X-Cut: 1\\r\\r\\n" before injected commands', async () => {
    const { report, replyTo } = await openReport(h, SECURITY);
    const before = await h.store.getReport(report.id);
    h.sender.sent.length = 0;
    const genuine = await genuineLunchMail();
    const split = genuine.indexOf('\r\n\r\n');
    const attack = Buffer.concat([
      Buffer.from('X-Pre: a\rb\r\n'),
      genuine.subarray(0, split + 2),
      Buffer.from('X-Cut: 1\r\r\nStatus: disclosed\r\nEmbargo: none\r\n\r\nUpdate your key at https://phish.example\r\n'),
      genuine.subarray(split + 2),
    ]);
    // the attack works on the verifier: DKIM and DMARC still pass for hashberg.io
    const r = await h.deliverVerified(attack, { recipients: [replyTo] });
    expect(r.checks.find((c) => c.name === 'auth')?.result).not.toBe('pass');
    expect(r.outcome).not.toBe('maintainer');
    await expectUntouched(report, before);
    expect(warnings(h)).toHaveLength(1);
  });

  test('2a, plain: the genuine signed mail sent as it is to the reply address (envelope only) acts on nothing', async () => {
    const { report, replyTo } = await openReport(h, SECURITY);
    const before = await h.store.getReport(report.id);
    h.sender.sent.length = 0;
    const r = await h.deliverVerified(await genuineLunchMail(), { recipients: [replyTo] });
    expect(r.checks.find((c) => c.name === 'auth')?.result).toBe('pass'); // it is Alice's mail...
    expect(r.outcome).toBe('followup'); // ...but it does not name this report in what she signed
    await expectUntouched(report, before);
    expect(warnings(h)[0].parsed.text).toMatch(/not in the signed header fields/);
  });

  test('2b: a "Subject: Re: [security report #ID]" prepended above the signed Subject of a genuine mail', async () => {
    const { report } = await openReport(h, SECURITY);
    const before = await h.store.getReport(report.id);
    const messagesBefore = (await h.store.listMessages(report.id)).length;
    h.sender.sent.length = 0;
    const attack = Buffer.concat([Buffer.from(`Subject: Re: [security report #${report.id}] Heap overflow in decode()\r\n`), await genuineLunchMail()]);
    const r = await h.deliverVerified(attack, { recipients: [SECURITY] });
    expect(r.reportId).not.toBe(report.id);
    await expectUntouched(report, before);
    expect(await h.store.listMessages(report.id)).toHaveLength(messagesBefore);
    expect(warnings(h)).toHaveLength(1);
    expect(warnings(h)[0].parsed.text).toMatch(/2 subject header fields/);
  });

  test('an l= signature: text appended after the signed body length never acts', async () => {
    const { report, replyTo } = await openReport(h, SECURITY);
    const before = await h.store.getReport(report.id);
    h.sender.sent.length = 0;
    const raw = mail({ from: `Alice <${ALICE}>`, to: replyTo, subject: `Re: [security report #${report.id}] x`, body: 'Thanks.', messageId: 'l-tag@hashberg.io' });
    const signed = await signMessage(crlf(raw), 'hashberg.io', { bodyLength: 'Thanks.\r\n'.length });
    const attack = Buffer.concat([signed, Buffer.from('Log in at https://phish.example to see the fix.\r\n')]);
    const r = await h.deliverVerified(attack, { recipients: [replyTo] });
    expect(r.outcome).not.toBe('maintainer');
    await expectUntouched(report, before);
    expect(warnings(h)[0].parsed.text).toMatch(/l= tag/);
  });

  test('a genuine command mail applies once: the same signed message delivered again acts on nothing', async () => {
    const { report, replyTo } = await openReport(h, SECURITY);
    const raw = mail({ from: `Alice <${ALICE}>`, to: replyTo, subject: `Re: [security report #${report.id}] x`, body: 'Embargo: 72h\n\nConfirmed.', messageId: 'once@hashberg.io' });
    const signed = await signMessage(crlf(raw), 'hashberg.io');
    expect((await h.deliverVerified(signed, { recipients: [replyTo] })).outcome).toBe('maintainer');
    const after = await h.store.getReport(report.id);
    h.clock.advance(48 * 3600_000);
    h.sender.sent.length = 0;
    const again = await h.deliverVerified(signed, { recipients: [replyTo] });
    expect(again.outcome).not.toBe('maintainer');
    expect((await h.store.getReport(report.id))?.embargo).toEqual(after?.embargo);
    expect(h.sender.to(REPORTER)).toHaveLength(0);
    expect(warnings(h)[0].parsed.text).toMatch(/already applied once/);
  });

  test('a hidden HTML block never carries commands; the visible text is what is relayed', async () => {
    const { report, replyTo } = await openReport(h, SECURITY);
    h.sender.sent.length = 0;
    const raw = [
      `From: Alice <${ALICE}>`,
      `To: ${replyTo}`,
      `Subject: Re: [security report #${report.id}] Heap overflow`,
      'Message-ID: <html-1@hashberg.io>',
      'MIME-Version: 1.0',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<html><head><style>p{}</style></head><body>',
      '<div style="display: none">Status: closed invalid</div><!-- Status: disclosed -->',
      '<span style="font-size:0">Embargo: none</span>',
      '<p>Thanks Jane, we are looking into it.</p>',
      '</body></html>',
      '',
    ].join('\r\n');
    const r = await h.deliverSigned(raw, { recipients: [replyTo] });
    expect(r.outcome).toBe('maintainer');
    const after = (await h.store.getReport(report.id))!;
    expect(after.status).toBe(report.status);
    expect(after.embargo).toBeUndefined();
    const relayed = h.sender.to(REPORTER);
    expect(relayed).toHaveLength(1);
    expect(relayed[0].parsed.text).toContain('Thanks Jane, we are looking into it.');
    expect(relayed[0].parsed.text).not.toMatch(/Status:|Embargo:/);
  });

  test('a second inline text part never carries commands', async () => {
    const { report, replyTo } = await openReport(h, SECURITY);
    h.sender.sent.length = 0;
    const raw = [
      `From: Alice <${ALICE}>`,
      `To: ${replyTo}`,
      `Subject: Re: [security report #${report.id}] Heap overflow`,
      'Message-ID: <parts-1@hashberg.io>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Thanks Jane, we are looking into it.',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Disposition: inline',
      '',
      'Status: closed invalid',
      '--b--',
      '',
    ].join('\r\n');
    await h.deliverSigned(raw, { recipients: [replyTo] });
    expect((await h.store.getReport(report.id))?.status).toBe(report.status);
    expect(h.sender.to(REPORTER)[0].parsed.text).not.toContain('Status: closed');
  });
});

describe('bounces: only a delivery report of our own mail marks the reporter unreachable', () => {
  const config = loadExample('bases');
  const SECURITY = config.projects[0].addresses[0];
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(config);
  });
  afterEach(() => h.close());

  const dsn = (from: string, to: string, subject: string) => dsnMail({ from, to, subject, failed: REPORTER, messageId: 'dsn-forged@reporter.example' });

  test("a DSN-looking mail From the reporter's own address with the subject tag changes nothing", async () => {
    const { report } = await openReport(h, SECURITY);
    h.sender.sent.length = 0;
    // reporter.example publishes no DMARC: the forged From is not caught by DMARC (GRAY)
    await h.deliverVerified(dsn(REPORTER, SECURITY, `Undelivered Mail [security report #${report.id}]`), { recipients: [SECURITY], mailFrom: '' });
    expect((await h.store.getReport(report.id))?.reporterUnreachable).toBeUndefined();
    expect(h.sender.sent.filter((s) => s.outboxId === 'unreachable')).toHaveLength(0);
  });

  test('a DSN to our bounce address (the reply address) does; a maintainer undoes it with "Reporter: reachable"', async () => {
    const { report, replyTo } = await openReport(h, SECURITY);
    await h.deliver(dsn('MAILER-DAEMON@mx.reporter.example', replyTo, 'Undelivered Mail Returned to Sender'), { recipients: [replyTo], mailFrom: '' });
    expect((await h.store.getReport(report.id))?.reporterUnreachable).toBeDefined();
    const r = await h.deliverSigned(mail({ from: `Alice <${ALICE}>`, to: replyTo, subject: 'Re: x', body: 'Reporter: reachable\n\nJane, your mailbox is back?' }), { recipients: [replyTo] });
    expect(r.outcome).toBe('maintainer');
    expect((await h.store.getReport(report.id))?.reporterUnreachable).toBeUndefined();
    expect((await h.store.listEvents(report.id)).map((e) => e.type)).toContain('reporter.reachable');
    expect(h.sender.to(REPORTER).map((m) => m.parsed.text)).toEqual(expect.arrayContaining([expect.stringContaining('your mailbox is back?')]));
  });
});

describe('DKIM alignment under public suffixes that a hand-written list missed', () => {
  const base = JSON.parse(readFileSync(join(__dirname, '../../examples/bases.json'), 'utf8'));
  const maintainers = ['jan@firma.com.pl', 'ana@proj.eu.org', 'max@shop.co.at', 'eva@tienda.com.es', 'kai@alice.github.io'];
  base.projects[0].maintainers = maintainers.map((address) => ({ address }));
  const config: Config = parseConfig(base);
  const SECURITY = config.projects[0].addresses[0];
  const attackers = maintainers.map((m) => `evil.${m.slice(m.indexOf('@') + 1).split('.').slice(1).join('.')}`);

  for (const dmarc of ['none', 'reject'] as const) {
    test.each(maintainers.map((m, i) => [m, attackers[i]]))(
      `%s, mail signed by %s (maintainer domain DMARC: ${dmarc})`,
      async (maintainer, attacker) => {
        const dns = dkimDns(attackers);
        const own = dkimDns(maintainers.map((m) => m.slice(m.indexOf('@') + 1)), { dmarc });
        const h = await startHarness(config, undefined, { TXT: { ...dns.TXT, ...own.TXT } });
        try {
          const { report, replyTo } = await openReport(h, SECURITY);
          const before = await h.store.getReport(report.id);
          h.sender.sent.length = 0;
          const raw = mail({ from: maintainer, to: replyTo, subject: `Re: [security report #${report.id}] x`, body: 'Status: disclosed\n\nSee https://phish.example' });
          const r = await h.deliverVerified(await signMessage(crlf(raw), attacker), { recipients: [replyTo] });
          expect(r.outcome).not.toBe('maintainer');
          expect(stateOf(await h.store.getReport(report.id))).toEqual(stateOf(before));
          expect(h.sender.to(REPORTER)).toHaveLength(0);
          expect(warnings(h)).toHaveLength(1);
        } finally {
          await h.close();
        }
      },
    );
  }

  test('the same maintainer, signing with their own domain and no DMARC record, is authenticated', async () => {
    const own = dkimDns(['firma.com.pl'], { dmarc: 'none' });
    const h = await startHarness(config, undefined, own);
    try {
      const { report, replyTo } = await openReport(h, SECURITY);
      const raw = mail({ from: 'jan@firma.com.pl', to: replyTo, subject: `Re: [security report #${report.id}] x`, body: 'Status: triaged\n\nConfirmed.' });
      const r = await h.deliverVerified(await signMessage(crlf(raw), 'firma.com.pl'), { recipients: [replyTo] });
      expect(r.outcome).toBe('maintainer');
      expect((await h.store.getReport(report.id))?.status).toBe('triaged');
    } finally {
      await h.close();
    }
  });
});
