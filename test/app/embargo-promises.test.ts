/**
 * The embargo is a promise to the world, kept both ways (issue 12, in part): its maximum counts from when it was
 * first set, so repeating the command never extends it; the reporter hears its date whenever it is set, moved
 * or lifted; the embargo-end mail says truthfully what the reporter was sent.
 */
import { embargoEndDrafts } from '../../lambdas/core/drafts';
import { loadExample, mail, startHarness, type Harness, openReport as openReportIn } from '../support/intake-harness';

const config = loadExample('bases'); // embargo default 72h, max 14d
const project = config.projects[0];
const REPORTER = 'jane@reporter.example';
const ALICE = project.maintainers[0].address;
const DAY = 24 * 3600_000;

let h: Harness;
beforeEach(async () => {
  h = await startHarness(config);
});
afterEach(() => h.close());

async function openWithReply() {
  const { id, replyTo: reply } = await openReportIn(h, { from: REPORTER, subject: 'overflow', body: 'decode() overflows' });
  return { id, reply };
}

const command = (reply: string, id: string, body: string) =>
  h.deliverSigned(mail({ from: `Alice <${ALICE}>`, to: reply, subject: `Re: [security report #${id}] overflow`, body }), { recipients: [reply] });

test('Embargo: 14d repeated at day 13 is refused: the maximum counts from when it was first set', async () => {
  const { id, reply } = await openWithReply();
  await command(reply, id, 'Embargo: 14d\n\nWe are on it.');
  const first = (await h.store.getReport(id))!;
  expect(new Date(first.embargo!.until).getTime() - h.clock.now().getTime()).toBe(14 * DAY);
  h.clock.advance(13 * DAY);
  h.sender.sent.length = 0;
  await command(reply, id, 'Embargo: 14d\n\nA little longer.');
  expect((await h.store.getReport(id))!.embargo).toEqual(first.embargo);
  const refusal = h.sender.to(ALICE)[0]!.parsed.text!;
  expect(refusal).toMatch(/longer than this project's policy allows \(at most 14d from when the embargo was first set/);
  // within the maximum it may still move: one more day is fine
  await command(reply, id, 'Embargo: 1d\n\nShorter after all.');
  expect(new Date((await h.store.getReport(id))!.embargo!.until).getTime() - h.clock.now().getTime()).toBe(DAY);
});

test('the reporter is told the embargo date when it is set, moved and lifted', async () => {
  const { id, reply } = await openWithReply();
  h.sender.sent.length = 0;
  await command(reply, id, 'Internal: yes\nEmbargo: 72h\n\nBob, FYI.');
  const set = h.sender.to(REPORTER);
  expect(set.map((s) => s.outboxId.split(':')[0])).toEqual(['embargo-set']); // the internal text is not relayed
  expect(set[0].parsed.text).toMatch(/set an embargo on your report .* it ends on /);
  expect(set[0].parsed.subject).toMatch(/Embargo until /);
  h.sender.sent.length = 0;
  await command(reply, id, 'Embargo: 96h');
  expect(h.sender.to(REPORTER)[0].parsed.text).toMatch(/now ends on .* \(it was /);
  h.sender.sent.length = 0;
  await command(reply, id, 'Embargo: none');
  expect(h.sender.to(REPORTER)[0].parsed.text).toMatch(/lifted the embargo/);
});

test("the embargo-end mail to the maintainers says whether the reporter's copy went out", async () => {
  const { id } = await openWithReply();
  const report = { ...(await h.store.getReport(id))!, embargo: { until: '2027-03-20T12:00:00.000Z', setAt: '2027-03-13T12:00:00.000Z', setBy: ALICE } };
  const told = embargoEndDrafts({ report, project, now: new Date('2027-03-20T12:00:00Z'), reporterTold: true }).maintainers.text;
  expect(told).toContain('The reporter is told in a message sent with this one.');
  const bounced = embargoEndDrafts({ report, project, now: new Date('2027-03-20T12:00:00Z'), reporterTold: false }).maintainers.text;
  expect(bounced).toContain('The reporter cannot be told');
});
