/**
 * Internal notes never leak (issue 20): a maintainer answering the copy of an `Internal: yes` note, without
 * repeating it, writes to the other maintainers, not to the reporter; `Internal: no` is how to write to the
 * reporter from there. The internal reply address has its own MAC: the flag cannot be stripped or added.
 */
import { parseReplyAddress, replyAddress } from '../../lambdas/core/reply-address';
import { fixedKey, loadExample, mail, startHarness, type Harness, openReport as openReportIn } from '../support/intake-harness';
import { testTimeout } from '../support/timeouts';

const config = loadExample('bases');
const SECURITY = config.projects[0].addresses[0];
const REPORTER = 'jane@reporter.example';
const [ALICE, BOB] = config.projects[0].maintainers.map((m) => m.address);

let h: Harness;
beforeEach(async () => {
  h = await startHarness(config);
});
afterEach(() => h.close());

async function reportWithInternalNote() {
  const { id, replyTo: reply } = await openReportIn(h, { from: REPORTER, subject: 'Heap overflow', body: 'decode() overflows' });
  h.sender.sent.length = 0;
  await h.deliverSigned(mail({ from: ALICE, to: reply, subject: `Re: [security report #${id}] x`, body: 'Internal: yes\n\nBob, I think this is the 0.2 regression.' }), { recipients: [reply] });
  const note = h.sender.sent.find((s) => s.outboxId.startsWith('internal:'))!;
  return { id, note };
}

test('the internal note tells its readers that replies stay internal, and carries the internal reply address', async () => {
  const { id, note } = await reportWithInternalNote();
  expect(note.envelope.to).toEqual([BOB]);
  expect(note.parsed.text).toMatch(/Replies to this note stay internal/);
  expect(note.parsed.text).not.toMatch(/any text for the reporter/);
  const replyTo = note.parsed.replyTo!.value[0].address!;
  expect(parseReplyAddress(replyTo, await fixedKey.replyAddressKey())).toMatchObject({ kind: 'valid', reportId: id, internal: true });
});

test('a reply to an internal note without "Internal: yes" reaches no reporter; it goes to the other maintainers', async () => {
  const { id, note } = await reportWithInternalNote();
  const internalAddress = note.parsed.replyTo!.value[0].address!;
  h.sender.sent.length = 0;
  const r = await h.deliverSigned(
    mail({ from: BOB, to: internalAddress, subject: `Re: [security report #${id}] Internal note`, body: 'Agreed, it came with the 0.2 rewrite.\n\n> Bob, I think this is the 0.2 regression.' }),
    { recipients: [internalAddress] },
  );
  expect(r.outcome).toBe('maintainer');
  expect(h.sender.to(REPORTER)).toHaveLength(0);
  const forwarded = h.sender.sent.filter((s) => s.outboxId.startsWith('internal:'));
  expect(forwarded.map((s) => s.envelope.to)).toEqual([[ALICE]]);
  expect((await h.store.getReport(id))?.acknowledgedAt).toBeUndefined();
});

test('"Internal: no" in a reply to an internal note writes to the reporter', async () => {
  const { id, note } = await reportWithInternalNote();
  const internalAddress = note.parsed.replyTo!.value[0].address!;
  h.sender.sent.length = 0;
  await h.deliverSigned(mail({ from: BOB, to: internalAddress, subject: `Re: [security report #${id}] x`, body: 'Internal: no\n\nHi Jane, confirmed.' }), { recipients: [internalAddress] });
  expect(h.sender.to(REPORTER).map((s) => s.parsed.text)).toEqual([expect.stringContaining('Hi Jane, confirmed.')]);
});

test('the internal flag is covered by the MAC: stripping or adding it makes the address tampered', async () => {
  const key = await fixedKey.replyAddressKey();
  const internal = replyAddress(SECURITY, 'K7QM-2XPD', key, { internal: true });
  const plain = replyAddress(SECURITY, 'K7QM-2XPD', key);
  expect(parseReplyAddress(internal.replace(/i\./, '.'), key).kind).toBe('tampered');
  expect(parseReplyAddress(plain.replace(/\.(?=[0-9a-z]{10}@)/, 'i.'), key).kind).toBe('tampered');
  expect(parseReplyAddress(plain, key)).toMatchObject({ kind: 'valid', internal: false });
});

test('a relay over the sending limit is answered to the maintainer: what happened, what was applied, what to do', async () => {
  const { id, replyTo: reply } = await openReportIn(h, { from: REPORTER, subject: 'Heap overflow', body: 'decode() overflows' });
  h.sender.sent.length = 0;
  const big = Buffer.alloc(8 * 1024 * 1024, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
  const raw = [
    `From: Alice <${ALICE}>`,
    `To: ${reply}`,
    `Subject: Re: [security report #${id}] Heap overflow`,
    'Message-ID: <big-relay@hashberg.io>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain',
    '',
    'Status: fixing',
    '',
    'Jane, here is a build with the fix to test.',
    '--b',
    'Content-Type: application/octet-stream; name="build.tar.gz"',
    'Content-Disposition: attachment; filename="build.tar.gz"',
    'Content-Transfer-Encoding: base64',
    '',
    big,
    '--b--',
    '',
  ].join('\r\n');
  const result = await h.deliverSigned(raw, { recipients: [reply] });
  expect(result.outcome).toBe('maintainer');
  expect(result.reason).toMatch(/relay to the reporter was refused/);
  // the text did not go; the reporter hears only that a person acknowledged their report
  expect(h.sender.to(REPORTER).map((s) => s.outboxId.split(':')[0])).toEqual(['acknowledged']);
  expect((await h.store.getReport(id))?.status).toBe('fixing');
  // a relay refused for good meets neither the detailed response nor the update
  expect((await h.store.getReport(id))?.respondedAt).toBeUndefined();
  expect((await h.store.getReport(id))?.lastUpdateAt).toBeUndefined();
  const told = h.sender.to(ALICE).filter((s) => s.outboxId.startsWith('relay-failed:'));
  expect(told).toHaveLength(1);
  expect(told[0].parsed.subject).toMatch(/Not sent to the reporter/);
  expect(told[0].parsed.text).toMatch(/was NOT sent to the reporter: .*over the sending limit/);
  expect(told[0].parsed.text).toMatch(/Your commands were applied: status/);
  expect(told[0].parsed.text).toMatch(/"build\.tar\.gz", 8\.0 MB/);
  expect((await h.store.listEvents(id)).map((e) => e.type)).toContain('relay.failed');
}, testTimeout(240_000));

test('a relay the mail service fails on every retry is answered to the maintainer on the last attempt, and only then', async () => {
  const { recordIntakeFailure } = await import('../../lambdas/app/receive-mail');
  const { INTAKE_ATTEMPTS } = await import('../../lambdas/app/intake-attempts');
  const { signMessage } = await import('../support/dkim-keys');
  const { crlf } = await import('../support/intake-harness');
  const { id, replyTo: reply } = await openReportIn(h, { from: REPORTER, subject: 'Heap overflow', body: 'decode() overflows' });
  h.sender.sent.length = 0;
  // SES throttles every relay to the reporter (a transient error, not a refusal); everything else goes out
  const send = h.sender.send.bind(h.sender);
  h.sender.send = async (raw, envelope, outboxId) => {
    if (outboxId.startsWith('relay:')) throw Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' });
    return send(raw, envelope, outboxId);
  };
  const signed = await signMessage(crlf(mail({ from: ALICE, to: reply, subject: `Re: [security report #${id}] x`, body: 'Status: triaged\n\nConfirmed; a fix is coming.' })), 'hashberg.io');
  const told = () => h.sender.to(ALICE).filter((s) => s.outboxId.startsWith('relay-failed:'));
  // the intake handler's loop: each attempt fails, is recorded, and Lambda runs the next one
  for (let attempt = 1; attempt <= INTAKE_ATTEMPTS; attempt++) {
    expect(told()).toEqual([]);
    const failure = await h.deliverVerified(signed, { recipients: [reply], sesMessageId: 'ses-throttled' }).then(() => undefined, (e: Error) => e);
    expect(failure?.name).toBe('Throttling');
    await recordIntakeFailure(h.deps, { sesMessageId: 'ses-throttled', recipients: [reply], verdicts: {} as never, receivedAt: '', rawKey: 'inbound/ses-throttled' }, failure);
  }
  expect(told()).toHaveLength(1);
  const text = told()[0].parsed.text!;
  expect(text).toMatch(/was NOT sent to the reporter: the mail service failed \(Throttling\) on attempt 3 of 3/);
  expect(text).toContain('Nothing is lost');
  expect(text).toContain('secintake replay ses-throttled');
  expect(h.sender.to(REPORTER)).toEqual([]);
  expect(await h.store.getInbound('ses-throttled')).toMatchObject({ state: 'failed', attempts: 3 });
  // the commands were applied once, whatever the retries; the relay that never went out meets nothing
  const report = (await h.store.getReport(id))!;
  expect(report.status).toBe('triaged');
  expect(report.respondedAt).toBeUndefined();
  expect(report.lastUpdateAt).toBeUndefined();
  expect(report.relayPending).toMatchObject({ respond: true }); // a replay that sends it meets the response then
  expect(h.sender.to(ALICE).filter((s) => s.outboxId.startsWith('applied:'))).toHaveLength(0);
}, testTimeout(240_000));
