/**
 * Receipts go only where they should (issue 10): never to the envelope sender of a message without From, never
 * to our own addresses, and the per-sender limit counts a mailbox, not each of its spellings.
 */
import { mailboxKey } from '../../lambdas/core/address-key';
import { loadExample, mail, startHarness, type Harness } from '../support/intake-harness';

const config = loadExample('bases');
const SECURITY = config.projects[0].addresses[0];
const MAINTAINERS = config.projects[0].maintainers.map((m) => m.address);

let h: Harness;
beforeEach(async () => {
  h = await startHarness(config);
});
afterEach(() => h.close());

const receipts = () => h.sender.sent.filter((s) => s.outboxId === 'receipt');

test('no From header and a MAIL FROM naming a victim (SPF FAIL): no receipt to the victim, the maintainers still told', async () => {
  const raw = ['To: security@hashberg.io', 'Subject: overflow', 'Message-ID: <nofrom@x.example>', '', 'decode() overflows', ''].join('\r\n');
  const r = await h.deliver(raw, {
    mailFrom: 'victim@innocent.example',
    verdicts: { spf: 'FAIL', dkim: 'GRAY', dmarc: 'GRAY', spam: 'PASS', virus: 'PASS' },
  });
  expect(r.outcome).toBe('report');
  expect(h.sender.to('victim@innocent.example')).toHaveLength(0);
  expect(receipts()).toHaveLength(0);
  expect(h.sender.sent.filter((s) => s.outboxId === 'notice')[0].envelope.to).toEqual(MAINTAINERS);
  const events = await h.store.listEvents(r.reportId!);
  expect(events.find((e) => e.type === 'receipt.suppressed')?.detail.reason).toMatch(/no usable From/);
  expect((await h.store.getReport(r.reportId!))?.reporter.address).toBe('');
});

test('plus-addressed and re-cased variants of one mailbox share its receipt limit (3 an hour)', async () => {
  for (const from of ['v+1@reporter.example', 'v+2@reporter.example', 'V+3@Reporter.example', 'v+4@reporter.example', 'v@reporter.example']) {
    await h.deliver(mail({ from, to: SECURITY, subject: `report from ${from}`, body: 'x overflows' }));
  }
  expect(receipts()).toHaveLength(config.limits.receiptsPerSenderPerHour);
});

test('a report From the security address itself gets no receipt (it would loop)', async () => {
  for (const from of [SECURITY, 'security+abcd1234.xyz@hashberg.io']) {
    const r = await h.deliver(mail({ from, to: SECURITY, subject: 'looped?', body: 'x' }));
    expect(r.outcome).toBe('report');
  }
  expect(receipts()).toHaveLength(0);
  expect(h.sender.to(SECURITY)).toHaveLength(0);
});

test('mailboxKey: one sender, many spellings; dots only where the provider ignores them', () => {
  expect(mailboxKey('V+1@Reporter.Example')).toBe('v@reporter.example');
  expect(mailboxKey('j.doe+sec@googlemail.com')).toBe('jdoe@gmail.com');
  expect(mailboxKey('j.doe@corp.example')).toBe('j.doe@corp.example');
  expect(mailboxKey('+x@corp.example')).toBe('+x@corp.example');
  expect(mailboxKey('not-an-address')).toBe('not-an-address');
});
