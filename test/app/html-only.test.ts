/**
 * HTML-only mail everywhere (issue 11): mailparser gives no text for an HTML part inside multipart/mixed; the
 * text then comes from what a mail client displays. Shaped like Outlook's and Apple Mail's HTML mail.
 */
import { replyAddress } from '../../lambdas/core/reply-address';
import { fixedKey, loadExample, startHarness, type Harness } from '../support/intake-harness';

const config = loadExample('bases');
const SECURITY = config.projects[0].addresses[0];
const REPORTER = 'jane@reporter.example';
const ALICE = config.projects[0].maintainers[0].address;

let h: Harness;
beforeEach(async () => {
  h = await startHarness(config);
});
afterEach(() => h.close());

const OUTLOOK_HTML = [
  '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">',
  '<style><!-- p.MsoNormal {margin:0cm;} --></style></head><body lang="EN-US">',
  '<div class="WordSection1"><p class="MsoNormal">Hello,<o:p></o:p></p>',
  '<p class="MsoNormal">decode() in bases 0.3.0 runs in quadratic time on long input; the PDF has the details.<o:p></o:p></p>',
  '</div></body></html>',
].join('\r\n');

test('an HTML-only report with a PDF attached reaches the maintainers with its text', async () => {
  const raw = [
    `From: Jane <${REPORTER}>`,
    `To: ${SECURITY}`,
    'Subject: Quadratic decode',
    'Message-ID: <html-report@reporter.example>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="outer"',
    '',
    '--outer',
    'Content-Type: text/html; charset="utf-8"',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    OUTLOOK_HTML,
    '--outer',
    'Content-Type: application/pdf; name="details.pdf"',
    'Content-Disposition: attachment; filename="details.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('%PDF-1.4 fake').toString('base64'),
    '--outer--',
    '',
  ].join('\r\n');
  const r = await h.deliver(raw);
  expect(r.outcome).toBe('report');
  const notice = h.sender.sent.find((s) => s.outboxId === 'notice')!;
  expect(notice.parsed.text).toContain('decode() in bases 0.3.0 runs in quadratic time');
  expect(notice.parsed.text).not.toContain('(no text)');
  expect(notice.parsed.text).not.toMatch(/MsoNormal|<o:p>/);
  const record = (await h.store.listMessages(r.reportId!)).find((m) => m.direction === 'in')!;
  expect(record.excerpt).toContain('quadratic time');
});

test("a maintainer's HTML-only reply (Apple Mail shape) with a patch runs its commands and is relayed with text and file", async () => {
  const r = await h.deliver([`From: ${REPORTER}`, `To: ${SECURITY}`, 'Subject: overflow', 'Message-ID: <o@reporter.example>', '', 'decode() overflows', ''].join('\r\n'));
  const reply = replyAddress(SECURITY, r.reportId!, await fixedKey.replyAddressKey());
  h.sender.sent.length = 0;
  const patch = '--- a/decode.py\n+++ b/decode.py\n@@ -1 +1 @@\n-x\n+y\n';
  const raw = [
    `From: Alice <${ALICE}>`,
    `To: ${reply}`,
    `Subject: Re: [security report #${r.reportId}] overflow`,
    'Message-ID: <apple-html@hashberg.io>',
    'MIME-Version: 1.0 (Mac OS X Mail 16.0)',
    'Content-Type: multipart/mixed; boundary="Apple-Mail=_1"',
    '',
    '--Apple-Mail=_1',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    '<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body style="overflow-wrap: break-word;">',
    '<div>Status: fixing</div><div><br></div><div>Jane, could you test the attached patch?</div>',
    '</body></html>',
    '--Apple-Mail=_1',
    'Content-Type: text/x-diff; name="fix.diff"',
    'Content-Disposition: attachment; filename="fix.diff"',
    '',
    patch,
    '--Apple-Mail=_1--',
    '',
  ].join('\r\n');
  const result = await h.deliverSigned(raw, { recipients: [reply] });
  expect(result.outcome).toBe('maintainer');
  expect((await h.store.getReport(r.reportId!))?.status).toBe('fixing');
  const relayed = h.sender.to(REPORTER);
  expect(relayed).toHaveLength(1);
  expect(relayed[0].parsed.text).toContain('Jane, could you test the attached patch?');
  expect(relayed[0].parsed.text).not.toContain('Status: fixing');
  expect(relayed[0].parsed.attachments.map((a) => a.filename)).toEqual(['fix.diff']);
});
