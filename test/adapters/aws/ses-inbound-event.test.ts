/**
 * The SES receipt-rule Lambda event (real-shaped fixtures in test/fixtures/ses, including the odd ones) decoded
 * into intake facts, then through intake exactly as the handler does: S3 action first (the raw under
 * inbound/<messageId>), then the use case.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SESEvent } from 'aws-lambda';
import { factsFromSesEvent } from '../../../lambdas/adapters/aws/ses-inbound-event';
import { receiveMail } from '../../../lambdas/app/receive-mail';
import { loadExample, mail, startHarness, type Harness } from '../../support/intake-harness';

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, '../../fixtures/ses', `${name}.json`), 'utf8')) as SESEvent;

describe('decoding', () => {
  test('an ordinary report: recipients, verdicts, arrival, raw key, envelope sender', () => {
    expect(factsFromSesEvent(fixture('report'))).toEqual([
      {
        sesMessageId: 'o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1',
        recipients: ['security@hashberg.io'],
        verdicts: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'PASS', virus: 'PASS', evaluatedFrom: ['jane@reporter.example'] },
        receivedAt: '2027-03-12T21:02:00.318Z',
        rawKey: 'inbound/o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1',
        mailFrom: 'jane@reporter.example',
      },
    ]);
  });

  test('the From SES judged (commonHeaders.from) is kept, so intake can require it to be the From it parses', () => {
    const event = fixture('report');
    event.Records[0].ses.mail.commonHeaders.from = ['"Alice, the maintainer" <Alice@Hashberg.io>', 'group: bob@hashberg.io;'];
    expect(factsFromSesEvent(event)[0].verdicts.evaluatedFrom).toEqual(['alice@hashberg.io', 'bob@hashberg.io']);
    delete (event.Records[0].ses.mail.commonHeaders as { from?: string[] }).from;
    expect(factsFromSesEvent(event)[0].verdicts.evaluatedFrom).toEqual([]);
  });

  test('BCC-only: the rule matched the envelope recipient, not the To header; case folded', () => {
    expect(factsFromSesEvent(fixture('bcc-only'))[0].recipients).toEqual(['security@hashberg.io']);
  });

  test('DMARC PASS without a dmarcPolicy field, and a missing Subject, decode like any other event', () => {
    expect(factsFromSesEvent(fixture('dmarc-pass-without-policy'))[0].verdicts.dmarc).toBe('PASS');
    expect(factsFromSesEvent(fixture('no-subject'))[0].sesMessageId).toBe('nosubject0e2ic28trm7dfhrc2v0clambda4nbp0');
  });

  test('FAIL, GRAY and PROCESSING_FAILED verdicts and a null sender are kept as SES gave them', () => {
    expect(factsFromSesEvent(fixture('virus-fail'))[0].verdicts).toMatchObject({ virus: 'FAIL', spam: 'GRAY' });
    const nul = factsFromSesEvent(fixture('null-sender-processing-failed'))[0];
    expect(nul).toMatchObject({ mailFrom: '', verdicts: { spf: 'PROCESSING_FAILED', dkim: 'GRAY', dmarc: 'GRAY' } });
  });

  test('a custom prefix (the S3 action prefix in the stack) and an unknown verdict', () => {
    const ev = fixture('report');
    (ev.Records[0].ses.receipt.spamVerdict as { status: string }).status = 'SOMETHING_NEW';
    const [facts] = factsFromSesEvent(ev, 'mail/in/');
    expect(facts.rawKey).toBe('mail/in/o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1');
    expect(facts.verdicts.spam).toBe('UNKNOWN');
  });

  test('something that is not an SES receipt event is refused with a clear error', () => {
    expect(() => factsFromSesEvent({} as SESEvent)).toThrow(/not an SES receipt event/);
    expect(() => factsFromSesEvent({ Records: [{ ses: { mail: {}, receipt: {} } }] } as unknown as SESEvent)).toThrow(/no mail.messageId/);
  });
});

describe('through intake, as the handler runs it', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(loadExample('bases'));
  });
  afterEach(() => h.close());

  async function deliverEvent(name: string, body: string) {
    const [facts] = factsFromSesEvent(fixture(name));
    await h.raw.put(facts.rawKey, Buffer.from(body.replace(/\r?\n/g, '\r\n'))); // the S3 action, first
    return receiveMail(h.deps, facts);
  }
  const report = mail({ from: 'Jane Reporter <jane@reporter.example>', to: 'security@hashberg.io', subject: 'Heap overflow in decode()', body: 'decode() overflows in 0.3.0.' });

  test('a report arriving by SES opens a report and answers it; the redelivered event changes nothing', async () => {
    const first = await deliverEvent('report', report);
    expect(first.outcome).toBe('report');
    const again = await deliverEvent('report', report);
    expect(again).toMatchObject({ duplicate: true, reportId: first.reportId });
    expect(h.sender.to('jane@reporter.example')).toHaveLength(1);
  });

  test('a BCC-only delivery is routed by the envelope recipient', async () => {
    const bcc = report.replace('To: security@hashberg.io', 'To: team@reporter.example');
    expect((await deliverEvent('bcc-only', bcc)).outcome).toBe('report');
  });

  test('a virus verdict FAIL from SES quarantines the report: no receipt', async () => {
    const r = await deliverEvent('virus-fail', report);
    expect(r.outcome).toBe('quarantined');
    expect(h.sender.to('jane@reporter.example')).toHaveLength(0);
  });
});
