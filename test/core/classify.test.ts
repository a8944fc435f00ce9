import { classify, noAutomaticAnswer } from '../../lambdas/core/classify';
import type { ParsedMessage } from '../../lambdas/core/parsed-message';
import type { InboundFacts, Verdicts } from '../../lambdas/core/report';

const ctx = { messageIdDomain: 'intake.bases.example' };

const message = (over: Partial<ParsedMessage> = {}): ParsedMessage => ({
  messageId: 'abc@reporter.example',
  references: [],
  subject: 'Heap overflow in decode()',
  from: { address: 'jane@reporter.example', name: 'Jane' },
  to: [{ address: 'security@bases.example' }],
  cc: [],
  replyTo: [],
  headers: {},
  contentType: 'text/plain',
  contentTypeParams: {},
  partTypes: ['text/plain'],
  text: 'decode() overflows on a crafted input',
  bodyText: '',
  attachments: [],
  defects: [],
  headerAmbiguities: [],
  ...over,
});
const facts = (over: Partial<InboundFacts> = {}, verdicts: Partial<Verdicts> = {}): InboundFacts => ({
  sesMessageId: 'ses-1',
  recipients: ['security@bases.example'],
  verdicts: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'PASS', virus: 'PASS', ...verdicts },
  receivedAt: '2026-11-10T09:00:00Z',
  rawKey: 'inbound/ses-1',
  mailFrom: 'jane@reporter.example',
  ...over,
});
const check = (result: ReturnType<typeof classify>, name: string) => result.checks.find((c) => c.name === name)!;

describe('classify', () => {
  it('calls a plain report human, with every check recorded as passed', () => {
    const result = classify(message(), facts(), ctx);
    expect(result.verdict).toBe('human');
    expect(result.checks.map((c) => [c.name, c.result])).toEqual([
      ['loop', 'pass'],
      ['virus', 'pass'],
      ['spam', 'pass'],
      ['bounce', 'pass'],
      ['auto-reply', 'pass'],
      ['list', 'pass'],
      ['auto-answer', 'pass'],
    ]);
  });

  it('records unknown verdicts as skipped, not failed', () => {
    const result = classify(message(), facts({}, { spam: 'UNKNOWN', virus: 'GRAY' }), ctx);
    expect(result.verdict).toBe('human');
    expect(check(result, 'spam')).toEqual({ name: 'spam', result: 'skip', reason: 'SES spam verdict UNKNOWN' });
  });

  describe('loop', () => {
    it('sees our own Message-ID domain (any case)', () => {
      const result = classify(message({ messageId: 'r1.x@INTAKE.bases.example' }), facts(), ctx);
      expect(result.verdict).toBe('loop');
      expect(check(result, 'loop').reason).toMatch(/one of ours/);
    });
    it('sees our header', () => {
      expect(classify(message({ headers: { 'x-security-intake': ['K7QM-2XPD'] } }), facts(), ctx).verdict).toBe('loop');
    });
    it('does not take a reply to our mail (our ID in References) for a loop', () => {
      expect(classify(message({ references: ['r1@intake.bases.example'] }), facts(), ctx).verdict).toBe('human');
    });
    it('wins over everything else', () => {
      const result = classify(message({ messageId: 'x@intake.bases.example' }), facts({ mailFrom: '' }, { virus: 'FAIL' }), ctx);
      expect(result.verdict).toBe('loop');
    });
  });

  describe('quarantine', () => {
    it.each([
      ['virus', { virus: 'FAIL' as const }],
      ['spam', { spam: 'FAIL' as const }],
    ])('quarantines on a %s FAIL', (name, verdicts) => {
      const result = classify(message(), facts({}, verdicts), ctx);
      expect(result.verdict).toBe('quarantine');
      expect(check(result, name)).toMatchObject({ result: 'fail' });
    });
    it('quarantines a virus even when it claims to be a bounce', () => {
      expect(classify(message({ contentType: 'multipart/report' }), facts({}, { virus: 'FAIL' }), ctx).verdict).toBe('quarantine');
    });
  });

  describe('bounce', () => {
    it('on a null return path', () => {
      const result = classify(message({ subject: 'Undelivered Mail Returned to Sender' }), facts({ mailFrom: '' }), ctx);
      expect(result.verdict).toBe('bounce');
      expect(check(result, 'bounce').reason).toMatch(/null return path.*subject "Undelivered Mail Returned to Sender"/);
    });
    it('on Return-Path: <> when the envelope sender is unknown', () => {
      expect(classify(message({ headers: { 'return-path': ['<>'] } }), facts({ mailFrom: undefined }), ctx).verdict).toBe('bounce');
    });
    it.each(['MAILER-DAEMON@mx.example.org', 'postmaster@example.org'])('from %s', (address) => {
      expect(classify(message({ from: { address } }), facts(), ctx).verdict).toBe('bounce');
    });
    it('from "MAILER-DAEMON <>" without an address', () => {
      const msg = message({ headers: { from: ['MAILER-DAEMON <>'] } });
      delete msg.from;
      expect(classify(msg, facts({ mailFrom: undefined }), ctx).verdict).toBe('bounce');
    });
    it('for a multipart/report delivery-status', () => {
      const result = classify(
        message({ contentType: 'multipart/report', contentTypeParams: { 'report-type': 'delivery-status' }, partTypes: ['text/plain', 'message/delivery-status'] }),
        facts(),
        ctx,
      );
      expect(result.verdict).toBe('bounce');
      expect(check(result, 'bounce').reason).toMatch(/RFC 3464/);
    });
    it('for a read receipt, naming it', () => {
      const result = classify(message({ contentType: 'multipart/report', contentTypeParams: { 'report-type': 'disposition-notification' } }), facts(), ctx);
      expect(result.verdict).toBe('bounce');
      expect(check(result, 'bounce').reason).toMatch(/read receipt \(MDN, RFC 8098\)/);
    });
    it('for an ARF feedback report or a delivery-status part in a mixed message', () => {
      expect(classify(message({ partTypes: ['message/feedback-report'] }), facts(), ctx).verdict).toBe('bounce');
      expect(classify(message({ contentType: 'multipart/mixed', partTypes: ['message/delivery-status'] }), facts(), ctx).verdict).toBe('bounce');
    });
    it('on X-Failed-Recipients', () => {
      expect(classify(message({ headers: { 'x-failed-recipients': ['a@b.example'] } }), facts(), ctx).verdict).toBe('bounce');
    });
    it('never on a bounce-like subject from a normal sender', () => {
      const result = classify(message({ subject: 'Undelivered Mail Returned to Sender: XSS in bounce page' }), facts(), ctx);
      expect(result.verdict).toBe('human');
    });
    it('calls an auto-reply sent from the null return path an auto-reply (RFC 3834 3.1.5)', () => {
      const msg = message({ subject: 'Automatic reply: Heap overflow', headers: { 'x-auto-response-suppress': ['All'] } });
      expect(classify(msg, facts({ mailFrom: '' }), ctx).verdict).toBe('auto-reply');
    });
    it('but a DSN that also says Auto-Submitted stays a bounce', () => {
      const msg = message({ contentType: 'multipart/report', contentTypeParams: { 'report-type': 'delivery-status' }, headers: { 'auto-submitted': ['auto-replied'] } });
      expect(classify(msg, facts({ mailFrom: '' }), ctx).verdict).toBe('bounce');
    });
  });

  describe('the classification table: one fixture per rule, marked mail and its human look-alike', () => {
    const ours = (a: string) => a.toLowerCase().replace(/\+[^@]*@/, '@') === 'security@bases.example';
    const run = (over: Partial<ParsedMessage>, f: Partial<InboundFacts> = {}) => classify(message(over), facts(f), { ...ctx, isOurAddress: ours });
    const EXCHANGE = { 'x-ms-exchange-inbox-rules-loop': ['sam@example.org'] };

    // [rule, marked message (verdict, auto-answer), look-alike that is a person's report answered as usual]
    type Row = [string, Partial<ParsedMessage>, Partial<InboundFacts>, string, boolean];
    const rows: Row[] = [
      ['Auto-Submitted: auto-replied (RFC 3834)', { headers: { 'auto-submitted': ['auto-replied'] } }, {}, 'auto-reply', true],
      ['Auto-Submitted: auto-generated (RFC 3834)', { headers: { 'auto-submitted': ['auto-generated; owner-email="x@y"'] } }, {}, 'auto-reply', true],
      ['Auto-Submitted: auto-forwarded: a report, no answer', { headers: { 'auto-submitted': ['auto-forwarded'] } }, {}, 'human', false],
      ['X-Autoreply', { headers: { 'x-autoreply': ['yes'] } }, {}, 'auto-reply', true],
      ['X-Autorespond', { headers: { 'x-autorespond': ['Autoresponder'] } }, {}, 'auto-reply', true],
      ['X-Autogenerated', { headers: { 'x-autogenerated': ['Reply'] } }, {}, 'auto-reply', true],
      ['Precedence: auto_reply', { headers: { precedence: ['auto_reply'] } }, {}, 'auto-reply', true],
      ['X-Precedence: auto_reply', { headers: { 'x-precedence': ['auto_reply'] } }, {}, 'auto-reply', true],
      ['X-Apple-Action: VACATION', { headers: { 'x-apple-action': ['VACATION'] } }, {}, 'auto-reply', true],
      ['X-Auto-Response-Suppress (Outlook on ordinary mail): a report, no answer', { headers: { 'x-auto-response-suppress': ['OOF, AutoReply'] } }, {}, 'human', false],
      ['Precedence: bulk: a report, no answer', { headers: { precedence: ['bulk'] } }, {}, 'human', false],
      ['Precedence: junk: a report, no answer', { headers: { precedence: ['junk'] } }, {}, 'human', false],
      ['a second Precedence header saying bulk counts', { headers: { precedence: ['first-class', 'bulk'] } }, {}, 'human', false],
      ['X-Precedence: list', { headers: { 'x-precedence': ['list'] } }, {}, 'human', false],
      ['List-Id addressed to us: a report through a list, no answer', { headers: { 'list-id': ['<vuln.lists.example>'] } }, {}, 'human', false],
      ['List-Id not addressed to us: a list we read', { headers: { 'list-id': ['<oss-security.lists.openwall.com>'] }, to: [{ address: 'oss-security@lists.openwall.com' }] }, {}, 'list', false],
      ['List-Unsubscribe (RFC 8058): no answer', { headers: { 'list-unsubscribe': ['<mailto:x@y>'] } }, {}, 'human', false],
      ['X-Loop of another system: no answer', { headers: { 'x-loop': ['helpdesk@vendor.example'] } }, {}, 'human', false],
      ['X-No-Loop: no answer', { headers: { 'x-no-loop': ['yes'] } }, {}, 'human', false],
      ['X-OTRS-Loop: no answer', { headers: { 'x-otrs-loop': ['yes'] } }, {}, 'human', false],
      ['X-RT-Loop-Prevention: no answer', { headers: { 'x-rt-loop-prevention': ['example.org'] } }, {}, 'human', false],
      ['X-MS-Exchange-Inbox-Rules-Loop alone means nothing', { headers: EXCHANGE }, {}, 'human', true],
      ['X-Failed-Recipients (Exim)', { headers: { 'x-failed-recipients': ['a@b.example'] } }, {}, 'bounce', true],
      ['a DSN-like subject from a null sender', { subject: 'Undelivered Mail Returned to Sender' }, { mailFrom: '' }, 'bounce', true],
      ['a DSN-like subject from "Mail Delivery Subsystem"', { subject: 'Delivery Status Notification (Failure)', from: { address: 'noreply@relay.example', name: 'Mail Delivery Subsystem' } }, {}, 'bounce', true],
      ['a DSN-like subject from a person is a report', { subject: 'Undelivered Mail Returned to Sender: XSS in the bounce page' }, {}, 'human', true],
    ];
    const OOO = [
      'Out of Office: Heap overflow', 'Automatic reply: Heap overflow', 'Abwesenheitsnotiz: x', 'Automatische Antwort: x', 'Réponse automatique : x',
      'Respuesta automática: x', 'Risposta automatica: x', 'Resposta automática: x', 'Automatisch antwoord: x', 'Automatiskt svar: x',
      'Automatyczna odpowiedź: x', 'Automātiska atbilde: x', '自動応答: x', '不在: x',
    ];
    for (const subject of OOO) {
      rows.push([`out-of-office subject "${subject}" with an Exchange rule header`, { subject, headers: EXCHANGE }, {}, 'auto-reply', true]);
      rows.push([`out-of-office subject "${subject}" from a null sender`, { subject }, { mailFrom: '' }, 'auto-reply', true]);
      rows.push([`"${subject}" written by a person (no second signal) is a report`, { subject }, {}, 'human', true]);
    }
    rows.push(['Thread-Topic equal to the subject after the prefix (Outlook)', { subject: 'Automatic reply: Heap overflow', headers: { 'thread-topic': ['Heap overflow'] } }, {}, 'auto-reply', true]);
    for (const subject of ['Out of office hours auth bypass', 'Auto update RCE: details', 'Autoreply loop DoS in the mailer', 'Automatic replies leak the token']) {
      rows.push([`a report titled "${subject}"`, { subject, headers: EXCHANGE }, {}, 'human', true]);
    }

    it.each(rows)('%s', (_rule, over, f, verdict, answered) => {
      const result = run(over, f);
      expect(result.verdict).toBe(verdict);
      if (verdict === 'human') expect(noAutomaticAnswer(result.checks) === undefined).toBe(answered);
    });

    it('Auto-Submitted: no is a person', () => {
      expect(run({ headers: { 'auto-submitted': ['No'] } }).verdict).toBe('human');
    });
  });
});
