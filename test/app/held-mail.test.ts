/**
 * Held mail (issue 11, point 4): what becomes neither a report, a follow-up nor a maintainer's message (a bounce
 * or auto-reply that belongs to no report, list mail) is listed in the maintainers' digest of its hour with its
 * reason and a reference, and an authenticated maintainer promotes it to a report by replying `Promote: <ref>`.
 * Nobody else can: a stranger's or a forged maintainer's promote does nothing. On dynalite and the real parser,
 * with DKIM keys made in the test; the digest's timer runs by moving the clock.
 */
import { tick } from '../../lambdas/app/tick';
import { arm } from '../../lambdas/app/arm';
import { heldDigestExecution } from '../../lambdas/core/held';
import { dsnMail, loadExample, mail, startHarness, type Harness } from '../support/intake-harness';

const config = loadExample('bases');
const SECURITY = config.projects[0].addresses[0];
const ALICE = config.projects[0].maintainers[0].address;
const start = new Date('2027-03-12T21:02:00Z');
const endOfHour = new Date('2027-03-12T22:00:00Z');
const DIGEST = heldDigestExecution('bases', start);

let h: Harness;
beforeEach(async () => {
  h = await startHarness(config, start);
});
afterEach(async () => {
  await h.close();
});

const outOfOffice = () =>
  mail({
    from: 'Bob Example <bob@partner.example>',
    to: SECURITY,
    subject: 'Out of office: your message',
    body: 'I am away until Monday. Actually: I found an XSS in your admin page, see below...',
    headers: { 'Auto-Submitted': 'auto-replied' },
  });

const bounce = () =>
  dsnMail({ from: 'MAILER-DAEMON@mx.partner.example', to: SECURITY, subject: 'Undelivered Mail Returned to Sender', failed: 'gone@partner.example' });

async function holdTwo() {
  const a = await h.deliver(outOfOffice(), { mailFrom: 'bob@partner.example' });
  h.clock.set('2027-03-12T21:30:00Z');
  const b = await h.deliver(bounce(), { mailFrom: '' });
  expect([a.outcome, b.outcome]).toEqual(['ignored', 'ignored']);
  const refOf = (reason: string) => /held as (\S+),/.exec(reason)?.[1];
  return { a: refOf(a.reason)!, b: refOf(b.reason)!, sesA: a.sesMessageId };
}

async function runDigest(at: Date) {
  h.clock.set(at);
  return tick(h.deps, { reportId: DIGEST, execution: DIGEST });
}

test('an auto-reply and a bounce that belong to no report are held and listed, with reason and reference, in one digest at the end of the hour', async () => {
  const { a, b } = await holdTwo();
  expect(a).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  expect(h.sender.sent).toHaveLength(0); // nothing is answered, nobody is told before the hour ends
  expect(h.workflow.started).toEqual([DIGEST]); // one digest execution for the project and hour

  const early = await runDigest(new Date(endOfHour.getTime() - 60_000));
  expect(early).toMatchObject({ done: false, sleepSeconds: 60 });
  await arm(h.deps, { reportId: DIGEST, token: 'tok', plannedVersion: 0 }); // sleeps: no report to wake it
  expect(h.workflow.woken).toEqual([]);
  expect(h.sender.sent).toHaveLength(0);

  expect(await runDigest(endOfHour)).toMatchObject({ done: true });
  const mails = h.sender.to(ALICE);
  expect(mails.map((m) => m.outboxId)).toEqual(['held-digest']);
  const digest = mails[0]!.parsed;
  expect(digest.subject).toBe('[bases security] Held mail: 2 messages not taken as reports');
  expect(digest.text).toContain(`- ${a}`);
  expect(digest.text).toContain(`- ${b}`);
  expect(digest.text).toContain('from bob@partner.example');
  expect(digest.text).toContain('subject: Out of office: your message');
  expect(digest.text).toMatch(/held as auto-reply: .*Auto-Submitted/);
  expect(digest.text).toMatch(/held as bounce: /);
  expect(digest.text).toContain(`Promote: ${a}`);
  expect(digest.headers.get('reply-to')).toMatchObject({ value: [{ address: SECURITY }] });
  expect(h.sender.to('bob@partner.example')).toHaveLength(0);

  // a late or repeated run sends nothing more
  await runDigest(new Date(endOfHour.getTime() + 3_600_000));
  expect(h.sender.to(ALICE)).toHaveLength(1);
  expect(await h.store.listReports()).toEqual([]);
});

test('an authenticated maintainer promotes held mail by replying to the digest: a report under that reference, no receipt to the sender, the notice says why', async () => {
  const { a, sesA } = await holdTwo();
  await runDigest(endOfHour);
  const digest = h.sender.to(ALICE)[0]!.parsed;

  h.clock.set('2027-03-12T22:10:00Z');
  const r = await h.deliverSigned(
    mail({ from: `Alice <${ALICE}>`, to: SECURITY, subject: `Re: ${digest.subject}`, inReplyTo: digest.messageId!.replace(/^<|>$/g, ''), body: `Promote: ${a}\n\nThis one is a real report.` }),
    { mailFrom: ALICE },
  );
  expect(r).toMatchObject({ outcome: 'maintainer', reportId: a });
  const report = (await h.store.getReport(a))!;
  expect(report).toMatchObject({ status: 'received', reporter: { address: 'bob@partner.example' }, createdAt: '2027-03-12T22:10:00.000Z' });
  expect(await h.store.getInbound(sesA)).toMatchObject({ outcome: 'report', reportId: a });
  expect(h.workflow.started).toContain(a);

  // no receipt to what looked like an auto-reply; the maintainers' notice is the confirmation and says why
  expect(h.sender.to('bob@partner.example')).toHaveLength(0);
  const notice = h.sender.to(ALICE).find((m) => m.outboxId === 'notice')!.parsed;
  expect(notice.subject).toContain(a);
  expect(notice.text).toMatch(/promoted from held mail/);
  const events = await h.store.listEvents(a);
  expect(events.find((e) => e.type === 'report.promoted')).toMatchObject({ actor: ALICE, detail: { ref: a, heldAs: 'auto-reply' } });
  expect((await h.store.listMessages(a)).map((m) => m.role)).toEqual(expect.arrayContaining(['reporter', 'maintainer']));

  // the same signed message delivered again promotes nothing more and sends nothing
  const sent = h.sender.sent.length;
  await h.deliverSigned(
    mail({ from: `Alice <${ALICE}>`, to: SECURITY, subject: 'Promote', messageId: 'again@hashberg.io', body: `Promote: ${a}` }),
    { mailFrom: ALICE },
  );
  expect(h.sender.sent.length).toBe(sent);
});

test('attack: a stranger\'s Promote does nothing to held mail (their mail is only their own new report)', async () => {
  const { a, sesA } = await holdTwo();
  const r = await h.deliver(mail({ from: 'mallory@evil.example', to: SECURITY, subject: 'Re: Held mail', body: `Promote: ${a}` }), { mailFrom: 'mallory@evil.example' });
  expect(r.outcome).toBe('report');
  expect(r.reportId).not.toBe(a);
  expect(await h.store.getReport(a)).toBeUndefined();
  expect(await h.store.getInbound(sesA)).toMatchObject({ outcome: 'ignored' });
});

test('attack: mail claiming to be a maintainer but not authenticated (no signature: DMARC fails) promotes nothing', async () => {
  const { a, sesA } = await holdTwo();
  const r = await h.deliverVerified(mail({ from: `Alice <${ALICE}>`, to: SECURITY, subject: 'Promote', body: `Promote: ${a}` }), { mailFrom: ALICE });
  expect(r.outcome).not.toBe('maintainer');
  expect(await h.store.getReport(a)).toBeUndefined();
  expect(await h.store.getInbound(sesA)).toMatchObject({ outcome: 'ignored' });
});

test('a Promote with an unknown reference opens nothing and tells the maintainer', async () => {
  await holdTwo();
  const r = await h.deliverSigned(mail({ from: `Alice <${ALICE}>`, to: SECURITY, subject: 'Promote', body: 'Promote: ZZZZ-ZZZZ' }), { mailFrom: ALICE });
  expect(r.outcome).toBe('maintainer');
  expect(await h.store.listReports()).toEqual([]);
  const answer = h.sender.to(ALICE).find((m) => m.outboxId === 'promote-answer')!.parsed;
  expect(answer.subject).toContain('Not promoted: ZZZZ-ZZZZ');
  expect(answer.text).toContain('no held message ZZZZ-ZZZZ');
});

test('mail held after its arrival hour ended (an intake retried late) is in the next digest, not lost to one already sent', async () => {
  h.clock.set('2027-03-12T22:03:00Z');
  const r = await h.deliver(outOfOffice(), { mailFrom: 'bob@partner.example', receivedAt: '2027-03-12T21:59:00.000Z' });
  const next = heldDigestExecution('bases', '2027-03-12T22:03:00Z');
  expect(h.workflow.started).toEqual([next]);
  h.clock.set('2027-03-12T23:00:00Z');
  await tick(h.deps, { reportId: next, execution: next });
  const digest = h.sender.to(ALICE)[0]!.parsed;
  expect(digest.text).toContain(/held as (\S+),/.exec(r.reason)![1]!);
  expect(digest.text).toContain('Fri 2027-03-12 21:59 GMT'); // shown with its arrival
});
