/**
 * Outside embargo channels by mail (issue 14, point 6), on the harness (dynalite, the real intake, a movable
 * clock): a maintainer shares the report with linux-distros, the embargo comes down to the list's limit and the
 * reporter and the maintainers are told; a later date is refused with the reason; the end fires at the channel's
 * limit as the clock moves; `show` gives the effective embargo with its sources. Only an authenticated
 * maintainer's mail shares a report: the attacks are below.
 */
import { tick } from '../../lambdas/app/tick';
import { readOperations } from '../../lambdas/local/read-operations';
import { loadExample, mail, openReport, startHarness, type Harness } from '../support/intake-harness';

const example = loadExample('bases');
// a project that allows 30 days, so that the channel's 14 days are what limits
const project = { ...example.projects[0], timers: { ...example.projects[0].timers, embargo: { default: '72h', max: '30d' } } };
const config = { ...example, projects: [project] };
const REPORTER = 'jane@reporter.example';
const ALICE = project.maintainers[0].address;
const HOUR = 3600_000;
const DAY = 24 * HOUR;

let h: Harness;
beforeEach(async () => {
  h = await startHarness(config);
});
afterEach(() => h.close());

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const signed = (reply: string, id: string, body: string) =>
  h.deliverSigned(mail({ from: `Alice <${ALICE}>`, to: reply, subject: `Re: [security report #${id}] overflow`, body }), { recipients: [reply] });

async function sharedWithDistros() {
  const { id, replyTo } = await openReport(h, { from: `Jane <${REPORTER}>`, subject: 'overflow', body: 'decode() overflows' });
  const start = h.clock.now();
  await signed(replyTo, id, `Embargo: ${utc(new Date(start.getTime() + 25 * DAY))}\n\nThanks, we are on it.`);
  expect((await h.store.getReport(id))!.embargo!.until).toBe(new Date(start.getTime() + 25 * DAY).toISOString());
  h.clock.advance(DAY);
  const sharedAt = h.clock.now();
  h.sender.sent.length = 0;
  await signed(replyTo, id, 'Embargo: channel linux-distros\n\nWe shared the report with the linux-distros list so that distributions can prepare.');
  return { id, replyTo, start, sharedAt, limit: new Date(sharedAt.getTime() + 14 * DAY) };
}

test('sharing with linux-distros brings the embargo to 14 days from the sharing; the reporter and the maintainers are told', async () => {
  const { id, sharedAt, limit } = await sharedWithDistros();
  const report = (await h.store.getReport(id))!;
  expect(report.embargo).toEqual({ until: limit.toISOString(), setAt: sharedAt.toISOString(), setBy: 'channel:linux-distros' });
  expect(report.embargoChannels).toEqual([{ channel: 'linux-distros', sharedAt: sharedAt.toISOString(), by: ALICE }]);
  // the reporter: the relayed text ends with the new date and why
  const toReporter = h.sender.to(REPORTER);
  expect(toReporter).toHaveLength(1);
  expect(toReporter[0]!.parsed.text).toMatch(/now ends on .*\(it was .*\)\. It ends with the limit of an outside channel the report was shared with \(the linux-distros list: at most 14 days \(7 days preferred\)/);
  // the maintainers: the confirmation lists the change
  const confirmation = h.sender.sent.find((s) => s.outboxId.startsWith('applied:'))!;
  expect(confirmation.parsed.text).toMatch(/embargo/i);
  expect(confirmation.parsed.text).toContain(limit.toISOString().slice(0, 10));
});

test('a later date is refused with the reason; nothing changes and nothing reaches the reporter', async () => {
  const { id, replyTo, limit } = await sharedWithDistros();
  const before = (await h.store.getReport(id))!;
  h.clock.advance(DAY);
  h.sender.sent.length = 0;
  await signed(replyTo, id, `Embargo: ${utc(new Date(limit.getTime() + 5 * DAY))}\n\nA little longer please.`);
  const after = (await h.store.getReport(id))!;
  expect(after.embargo).toEqual(before.embargo);
  expect(after.embargoProject).toEqual(before.embargoProject);
  expect(h.sender.to(REPORTER)).toEqual([]);
  const refusal = h.sender.to(ALICE)[0]!;
  expect(refusal.parsed.subject).toMatch(/Not applied: embargo refused/);
  expect(refusal.parsed.text).toMatch(/rules of the outside channels it was shared with \(linux-distros\) do not allow what you asked for/);
  expect(refusal.parsed.text!.replace(/\s+/g, ' ')).toContain(`is past the limit of linux-distros, with which the report was shared: the linux-distros list: at most 14 days (7 days preferred) from when it was shared`);
  expect(refusal.parsed.text!.replace(/\s+/g, ' ')).toContain(`i.e. until ${limit.toISOString()}`);
});

test("the embargo ends at the channel's limit as the clock moves, not at the project's date", async () => {
  const { id, limit } = await sharedWithDistros();
  h.clock.set(new Date(limit.getTime() - HOUR));
  await tick(h.deps, { reportId: id, execution: id });
  expect((await h.store.getReport(id))!.disclosureDueAt).toBeUndefined();
  h.sender.sent.length = 0;
  h.clock.set(limit);
  await tick(h.deps, { reportId: id, execution: id });
  const report = (await h.store.getReport(id))!;
  expect(report.disclosureDueAt).toBe(limit.toISOString());
  expect(report.fired).toContain(`embargo:end:${limit.toISOString()}`);
  // (an update escalation falls due at the same instant: only the embargo's mail is looked at here)
  expect(h.sender.sent.map((s) => s.outboxId).filter((k) => k.startsWith('embargo:'))).toEqual([`embargo:end:${limit.toISOString()}`, `embargo:end:${limit.toISOString()}:reporter`]);
});

test('show --json: report.embargo.effective gives the end and where each limit comes from', async () => {
  const { id, start, sharedAt, limit } = await sharedWithDistros();
  const view = await readOperations({ config, store: h.store, clock: h.clock, outboxDir: '' }).show(id);
  expect(view.report.embargo?.effective).toEqual({
    end: limit.toISOString(),
    sources: [
      { source: 'channel:linux-distros', end: limit.toISOString(), rule: `the linux-distros list: at most 14 days (7 days preferred) from when it was shared (${sharedAt.toISOString()})` },
      { source: 'project', end: new Date(start.getTime() + 25 * DAY).toISOString(), rule: `the project's embargo, set by ${ALICE}` },
    ],
  });
});

describe('only an authenticated maintainer shares a report (attacks)', () => {
  test("an unsigned message claiming to be Alice's does not share the report", async () => {
    const { id, replyTo } = await openReport(h, { from: `Jane <${REPORTER}>`, subject: 'overflow', body: 'decode() overflows' });
    await h.deliver(mail({ from: `Alice <${ALICE}>`, to: replyTo, subject: `Re: [security report #${id}] overflow`, body: 'Embargo: channel kernel-security\n\nshared' }), { recipients: [replyTo] });
    const report = (await h.store.getReport(id))!;
    expect(report.embargoChannels).toBeUndefined();
    expect(report.embargo).toBeUndefined();
  });

  test('the reporter writing the command does not share the report (their text is a follow-up)', async () => {
    const { id, replyTo } = await openReport(h, { from: `Jane <${REPORTER}>`, subject: 'overflow', body: 'decode() overflows' });
    await h.deliverVerified(mail({ from: `Jane <${REPORTER}>`, to: replyTo, subject: `Re: [security report #${id}] overflow`, body: 'Embargo: channel kernel-security\n\nplease' }), { recipients: [replyTo] });
    expect((await h.store.getReport(id))!.embargoChannels).toBeUndefined();
  });

  test("a message signed by another domain with Alice's From does not share the report", async () => {
    const { id, replyTo } = await openReport(h, { from: `Jane <${REPORTER}>`, subject: 'overflow', body: 'decode() overflows' });
    const raw = mail({ from: `Alice <${ALICE}>`, to: replyTo, subject: `Re: [security report #${id}] overflow`, body: 'Embargo: channel kernel-security\n\nshared' });
    // DKIM for the attacker's own domain, not hashberg.io: DMARC fails for the From
    const { signMessage } = await import('../support/dkim-keys');
    await h.deliverVerified(await signMessage(Buffer.from(raw.replace(/\r?\n/g, '\r\n')), 'attacker.example'), { recipients: [replyTo] });
    expect((await h.store.getReport(id))!.embargoChannels).toBeUndefined();
  });
});

test('Project Zero: 90 days from sharing; the fix released (Status: fixed) brings the end to 30 days after it, and the reporter is told', async () => {
  const { id, replyTo } = await openReport(h, { from: `Jane <${REPORTER}>`, subject: 'overflow', body: 'decode() overflows' });
  const sharedAt = h.clock.now();
  await signed(replyTo, id, 'Status: triaged\nEmbargo: channel project-zero\n');
  const ninety = new Date(sharedAt.getTime() + 90 * DAY);
  // Europe/London: 90 wall-clock days cross the clock change, so compare with the calendar's own arithmetic
  const { addDuration } = await import('../../lambdas/core/deadline');
  expect((await h.store.getReport(id))!.embargo!.until).toBe(addDuration(sharedAt, '90d', project.calendar).toISOString());
  expect(Math.abs(new Date((await h.store.getReport(id))!.embargo!.until).getTime() - ninety.getTime())).toBeLessThanOrEqual(HOUR);
  h.clock.advance(10 * DAY);
  const fixedAt = h.clock.now();
  h.sender.sent.length = 0;
  await signed(replyTo, id, 'Status: fixed\n');
  const report = (await h.store.getReport(id))!;
  expect(report.fixReleasedAt).toBe(fixedAt.toISOString());
  expect(report.embargo!.until).toBe(addDuration(fixedAt, '30d', project.calendar).toISOString());
  const told = h.sender.to(REPORTER).find((s) => s.outboxId.startsWith('embargo-set:'))!;
  expect(told.parsed.text!.replace(/\s+/g, ' ')).toMatch(/now ends on .* It ends with the limit of an outside channel the report was shared with \(Google Project Zero: 30 days after the fix was released/);
});
