import { classify } from '../../lambdas/core/classify';
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

  describe('auto-reply', () => {
    it.each([
      [{ 'auto-submitted': ['auto-replied'] }, /Auto-Submitted: auto-replied/],
      [{ 'auto-submitted': ['auto-generated; owner-email="x@y"'] }, /auto-generated/],
      [{ 'x-autoreply': ['yes'] }, /x-autoreply/],
      [{ 'x-autorespond': ['Autoresponder'] }, /x-autorespond/],
      [{ 'x-auto-response-suppress': ['OOF, AutoReply'] }, /X-Auto-Response-Suppress/],
      [{ precedence: ['auto_reply'] }, /Precedence: auto_reply/],
      [{ 'x-ms-exchange-inbox-rules-loop': ['sam@example.org'] }, /Exchange rule/],
    ])('on headers %j', (headers, reason) => {
      const result = classify(message({ headers }), facts(), ctx);
      expect(result.verdict).toBe('auto-reply');
      expect(check(result, 'auto-reply').reason).toMatch(reason);
    });
    it('not on Auto-Submitted: no', () => {
      expect(classify(message({ headers: { 'auto-submitted': ['No'] } }), facts(), ctx).verdict).toBe('human');
    });
    it.each(['Out of Office: Heap overflow', 'Automatic reply: Heap overflow', 'Autoreply: x', 'AutoReply', 'Auto Reply: x', 'Out of Office AutoReply: x', 'Abwesenheitsnotiz: x', 'Réponse automatique : x'])(
      'on the subject %j',
      (subject) => {
        expect(classify(message({ subject }), facts(), ctx).verdict).toBe('auto-reply');
      },
    );
    it.each(['Out of office hours auth bypass', 'Auto update RCE: details', 'Autoreply loop DoS in the mailer', 'Automatic replies leak the token'])(
      'not on a report titled %j',
      (subject) => {
        expect(classify(message({ subject }), facts(), ctx).verdict).toBe('human');
      },
    );
  });

  describe('list', () => {
    it.each([
      [{ precedence: ['bulk'] }],
      [{ precedence: ['List'] }],
      [{ precedence: ['junk'] }],
      [{ 'list-id': ['oss-security <oss-security.lists.openwall.com>'] }],
      [{ 'list-unsubscribe': ['<mailto:x@y>'], precedence: ['first-class'] }],
    ])('on %j', (headers) => {
      expect(classify(message({ headers }), facts(), ctx).verdict).toBe('list');
    });
    it('not on List-Unsubscribe alone', () => {
      expect(classify(message({ headers: { 'list-unsubscribe': ['<mailto:x@y>'] } }), facts(), ctx).verdict).toBe('human');
    });
  });
});
