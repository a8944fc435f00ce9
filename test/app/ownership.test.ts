/**
 * Who owns a report and what is known about it (issue 13): round-robin owners, `Assign:`, reminders to the owner
 * and escalations to all, leads who act when authenticated (and not when not), the vulnerability facts
 * (`Affected:`, `Fixed:`, `CWE:`, CVSS vectors scored), the reporter's own credit wish, and the co-maintainers'
 * copy of a relayed reply. Real intake on dynalite and the real parser; timers by moving the clock.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tick } from '../../lambdas/app/tick';
import { embargoEndDrafts } from '../../lambdas/core/drafts';
import { loadExample, mail, openReport, startHarness, type Harness } from '../support/intake-harness';

const config = loadExample('bases');
const project = config.projects[0];
const [ALICE, BOB] = project.maintainers.map((m) => m.address);
const LEAD = project.escalation[0];
const REPORTER = 'jane@reporter.example';
const HOUR = 3600_000;

let h: Harness;
beforeEach(async () => {
  h = await startHarness(config);
});
afterEach(() => h.close());

const command = (from: string, reply: string, id: string, body: string) =>
  h.deliverSigned(mail({ from, to: reply, subject: `Re: [security report #${id}] overflow`, body }), { recipients: [reply] });
const lastTo = (address: string) => h.sender.to(address).at(-1)!.parsed.text!;

test('round-robin over three reports, named in the notice; Assign: me takes one over and everyone is told', async () => {
  const reports: Array<{ id: string; replyTo: string }> = [];
  for (let i = 0; i < 3; i++) reports.push(await openReport(h, { from: `r${i}@finder.example`, subject: `report ${i}` }));
  const owners = await Promise.all(reports.map(async (r) => (await h.store.getReport(r.id))!.owner));
  expect(owners).toEqual([ALICE, BOB, ALICE]);
  const notice = h.sender.sent.find((m) => m.outboxId === 'notice' && m.parsed.text!.includes(reports[1]!.id))!;
  expect(notice.parsed.text).toContain(`Owner: ${BOB} (by round-robin`);

  const { id, replyTo } = reports[1]!;
  h.sender.sent.length = 0;
  await command(`Alice <${ALICE}>`, replyTo, id, 'Assign: me\n');
  expect((await h.store.getReport(id))!.owner).toBe(ALICE);
  const confirmation = h.sender.sent.find((m) => m.outboxId.startsWith('applied:'))!;
  expect(confirmation.envelope.to).toEqual(expect.arrayContaining([ALICE, BOB])); // the old and the new owner
  expect(confirmation.parsed.text).toContain(`Owner: ${BOB} -> ${ALICE}`);
  await command(`Alice <${ALICE}>`, replyTo, id, 'Assign: mallory@evil.example\n');
  expect(lastTo(ALICE)).toContain('is not a maintainer or lead of bases');
});

test("reminders go to the owner only; the escalation goes to everyone and the lead, and names the owner", async () => {
  const { id } = await openReport(h, { from: REPORTER });
  const t0 = h.clock.now().getTime();
  h.sender.sent.length = 0;
  h.clock.set(new Date(t0 + 12 * HOUR));
  await tick(h.deps, { reportId: id, execution: id });
  h.clock.set(new Date(t0 + 24 * HOUR));
  await tick(h.deps, { reportId: id, execution: id });
  const remind = h.sender.sent.find((m) => m.outboxId === 'acknowledge:remind:50%')!;
  expect(remind.envelope.to).toEqual([ALICE]);
  const escalation = h.sender.sent.find((m) => m.outboxId === 'acknowledge:escalate:soft')!;
  expect([...escalation.envelope.to].sort()).toEqual([ALICE, BOB, LEAD].sort());
  expect(escalation.parsed.text).toContain(`Owner: ${ALICE}`);
});

test('a lead acts when authenticated; the same command from the lead unauthenticated does nothing', async () => {
  const { id, replyTo } = await openReport(h, { from: REPORTER });
  await h.deliver(mail({ from: `Lead <${LEAD}>`, to: replyTo, subject: `Re: [security report #${id}] overflow`, body: 'Status: triaged\n' }), { recipients: [replyTo] });
  expect((await h.store.getReport(id))!.status).toBe('received');
  const result = await command(`Lead <${LEAD}>`, replyTo, id, 'Status: triaged\n\nConfirmed by the security lead.\n');
  expect(result.outcome).toBe('maintainer');
  expect((await h.store.getReport(id))!.status).toBe('triaged');
});

test('facts: Affected (several lines, validated), Fixed, CWE, CVSS 3.1 and 4.0 scored; an invalid range changes nothing', async () => {
  const { id, replyTo } = await openReport(h, { from: REPORTER });
  await command(`Alice <${ALICE}>`, replyTo, id, 'Affected: PyPI bases >=0.2.0, <=0.3\nSeverity: high\n');
  h.sender.sent.length = 0;
  await command(`Alice <${ALICE}>`, replyTo, id, 'Affected: PyPI bases from 0.2 to 0.3\n');
  expect(lastTo(ALICE)).toMatch(/"from 0\.2 to 0\.3" is not a version constraint/);
  expect((await h.store.getReport(id))!.facts!.affected).toEqual([{ ecosystem: 'PyPI', package: 'bases', range: '>=0.2.0, <=0.3' }]);

  await command(
    `Alice <${ALICE}>`,
    replyTo,
    id,
    'Affected: PyPI bases >=0.2.0, <0.3.1\nAffected: npm bases-js <1.4.2\nFixed: 0.3.1\nCWE: CWE-407\nSeverity: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H\n',
  );
  let report = (await h.store.getReport(id))!;
  expect(report.facts).toEqual({
    affected: [
      { ecosystem: 'PyPI', package: 'bases', range: '>=0.2.0, <0.3.1' },
      { ecosystem: 'npm', package: 'bases-js', range: '<1.4.2' },
    ],
    fixed: [{ version: '0.3.1' }],
    cwe: ['CWE-407'],
    severity: { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', score: 7.5, rating: 'high' },
  });
  expect(report.severity).toBe('high');
  await command(`Alice <${ALICE}>`, replyTo, id, 'Severity: CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N\n');
  report = (await h.store.getReport(id))!;
  expect(report.facts!.severity).toEqual({ vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', score: 9.3, rating: 'critical' });
  expect(report.severity).toBe('critical');
  await command(`Alice <${ALICE}>`, replyTo, id, 'Severity: CVSS:3.1/AV:N/AC:L\n');
  expect(lastTo(ALICE)).toMatch(/the base metric PR is missing/);
  const ended = embargoEndDrafts({ report, project, now: h.clock.now(), reporterTold: true }).maintainers.text;
  expect(ended).toContain('Affected: PyPI bases >=0.2.0, <0.3.1; npm bases-js <1.4.2');
  expect(ended).toContain('Severity: critical (CVSS 9.3');
});

test("the sample report's credit wish is captured as the reporter's, shown to the maintainers, and used at embargo end until confirmed", async () => {
  const sample = readFileSync(join(__dirname, '../../examples/mail/report.eml'), 'utf8');
  const r = await h.deliver(sample, { recipients: [project.addresses[0]] });
  const report = (await h.store.getReport(r.reportId!))!;
  expect(report.reporterPreferences).toMatchObject({ credit: 'Jane Reporter (Example Security Research)' });
  expect(report.credit).toBeUndefined(); // a wish, not the maintainers' decision
  const notice = h.sender.sent.find((m) => m.outboxId === 'notice')!.parsed.text!;
  expect(notice).toContain('credit: Jane Reporter (Example Security Research) (confirm with `Credit: <name>`)');
  const ended = embargoEndDrafts({ report, project, now: h.clock.now(), reporterTold: true });
  expect(ended.reporter.text).toContain('You asked to be credited as: Jane Reporter (Example Security Research). The maintainers have not confirmed it yet');
  expect(ended.maintainers.text).toContain('the reporter asked for "Jane Reporter (Example Security Research)"');
});

test("a reporter's Credit: line in a follow-up is recorded as their wish", async () => {
  const { id, replyTo } = await openReport(h, { from: `Jane <${REPORTER}>` });
  await h.deliver(mail({ from: `Jane <${REPORTER}>`, to: replyTo, subject: `Re: [security report #${id}] overflow`, body: 'Credit: J. Reporter\n\nThanks!' }), { recipients: [replyTo] });
  expect((await h.store.getReport(id))!.reporterPreferences).toMatchObject({ credit: 'J. Reporter' });
});

test('a relayed reply without commands is copied to the other maintainers, who see what the reporter got', async () => {
  const { id, replyTo } = await openReport(h, { from: REPORTER });
  h.sender.sent.length = 0;
  await command(`Alice <${ALICE}>`, replyTo, id, 'Thanks Jane, we can reproduce it.\n');
  const copy = h.sender.sent.find((m) => m.outboxId.startsWith('relay-copy:'))!;
  expect(copy.envelope.to).toEqual([BOB]);
  expect(copy.parsed.text).toContain('  | Thanks Jane, we can reproduce it.');
  expect(copy.parsed.subject).toContain('Sent to the reporter by Alice');
});

test("the notice carries the reporter's files that fit under the sending limit, with warnings; the rest are named with how to get them", async () => {
  const pdf = Buffer.alloc(3 * 1024 * 1024, 0x25);
  const archive = Buffer.alloc(25 * 1024 * 1024, 0x5a);
  const b64 = (b: Buffer) => b.toString('base64').replace(/.{76}/g, '$&\r\n');
  const raw = [
    `From: Jane <${REPORTER}>`,
    `To: ${project.addresses[0]}`,
    'Subject: overflow, PoC attached',
    'Message-ID: <evidence-1@reporter.example>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'decode() overflows in 0.3.0; the write-up and the PoC are attached.',
    '--b',
    'Content-Type: application/pdf; name="write-up.pdf"',
    'Content-Disposition: attachment; filename="write-up.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    b64(pdf),
    '--b',
    'Content-Type: application/zip; name="poc.zip"',
    'Content-Disposition: attachment; filename="poc.zip"',
    'Content-Transfer-Encoding: base64',
    '',
    b64(archive),
    '--b--',
    '',
  ].join('\r\n');
  const r = await h.deliver(raw, { recipients: [project.addresses[0]] });
  expect(r.outcome).toBe('report');
  const notice = h.sender.sent.find((m) => m.outboxId === 'notice')!;
  expect(notice.raw.length).toBeLessThanOrEqual(10 * 1024 * 1024);
  expect(notice.parsed.attachments.map((a) => [a.filename, a.size])).toEqual([['write-up.pdf', pdf.length]]);
  expect(notice.parsed.attachments[0]!.content.equals(pdf)).toBe(true);
  const text = notice.parsed.text!;
  expect(text).toContain('UNTRUSTED: open them only in an isolated environment');
  expect(text).toMatch(/"write-up\.pdf" \(application\/pdf, 3\.0 MB\) sha256 [0-9a-f]{64} \[attached\]/);
  expect(text).toMatch(/"poc\.zip" \(application\/zip, 25\.0 MB, ARCHIVE\) sha256 [0-9a-f]{64} \[not attached: too large for one mail\]/);
  expect(text).toContain(`\`secintake attachments ${r.reportId}\` saves them`);
  // locally the stored message is a file: its path is given, and it is the message as received
  const path = /in the stored message \(([^)]+)\)/.exec(text)![1]!;
  expect(readFileSync(path).length).toBe(Buffer.byteLength(raw));
}, 120_000);
