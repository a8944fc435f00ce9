/**
 * Reopen on the local stack (issue 12): a closed report's workflow has ended; `Status: reopened` starts a new
 * generation with its own execution (`<id>-g1`), the reporter is told, and the new generation's timers run (the
 * weekly update counts from the reopen). The old execution never acts again.
 */
import { example, exampleMail, plainMail, redated, startScenario, type Scenario } from './scenario-support';

const REPORTER = 'jane@reporter.example';
const ALICE = 'alice@hashberg.io';
const ARRIVAL = '2026-10-20T09:00:00Z';

let s: Scenario;
beforeAll(async () => {
  s = await startScenario({ config: example('bases'), startAt: ARRIVAL, maintainerDomains: ['hashberg.io'] });
});
afterAll(() => s.close());

test('a closed report reopened by a maintainer runs again in a new generation', async () => {
  await s.deliver(redated(await exampleMail('report'), ARRIVAL), { from: REPORTER, to: 'security@hashberg.io' });
  const [report] = await s.stack.deps.store.listReports();
  const receipt = (await s.outbox())[0]!;
  const reply = async (at: string, n: number, body: string) => {
    await s.advanceTo(at);
    await s.deliver(
      plainMail({ from: `Alice <${ALICE}>`, to: receipt.replyTo, subject: `Re: ${receipt.subject}`, date: at, messageId: `r${n}@hashberg.io`, body }),
      { from: ALICE, to: receipt.replyTo },
      true,
    );
    await s.stack.runner.idle();
  };

  await reply('2026-10-20T12:00:00Z', 1, 'Status: closed invalid\n\nThis is documented behaviour, not a vulnerability.\n');
  expect(await s.stack.runner.isRunning(report!.id)).toBe(false);

  await reply('2026-10-27T12:00:00Z', 2, 'Status: reopened\n');
  const reopened = (await s.stack.deps.store.getReport(report!.id))!;
  expect(reopened).toMatchObject({ status: 'triaged', generation: 1, reopenedAt: '2026-10-27T12:00:00.000Z' });
  expect(reopened.closeReason).toBeUndefined();
  expect(await s.stack.runner.isRunning(report!.id, 1)).toBe(true);
  expect(await s.stack.runner.isRunning(report!.id, 0)).toBe(false);
  const told = (await s.outbox()).filter((m) => m.to.includes(REPORTER)).map((m) => m.kind);
  expect(told).toEqual(['receipt', 'relay', 'reopened']);
  const reopenedMail = (await s.outbox()).find((m) => m.kind === 'reopened')!;
  expect(reopenedMail.text).toContain(`have reopened your report ${report!.id}`);
  expect(reopenedMail.text).toMatch(/Next: status update by /);

  // the new generation's timers: the weekly update counts from the reopen (due 2026-11-03 12:00 UTC)
  await s.advanceTo('2026-11-04T00:00:00Z');
  const fired = (await s.fired(report!.id)).map((f) => f.key);
  expect(fired).toEqual([
    'update:remind:50%:2026-11-03T12:00:00.000Z',
    'update:remind:2h:2026-11-03T12:00:00.000Z',
    'update:escalate:2026-11-03T12:00:00.000Z',
  ]);
  const confirmation = (await s.outbox()).filter((m) => m.kind === 'commands-applied').at(-1)!;
  expect(confirmation.text).toMatch(/Reopened: closed -> triaged/);
  expect(confirmation.text).toContain('that the report was reopened');
});
