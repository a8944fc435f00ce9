/**
 * The real ASL (lambdas/local/report-workflow.asl.json, as CDK synthesizes it) on aws-local-stepfunctions, with
 * the unchanged SfnWorkflow adapter reaching the runner through the Step Functions stand-in, on a frozen clock.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { SfnWorkflow } from '../../lambdas/adapters/aws/sfn-workflow';
import { wakeReport } from '../../lambdas/app/arm';
import type { Report } from '../../lambdas/core/report';
import { ClockMovedBackwards, LocalClock } from '../../lambdas/local/local-clock';
import { LocalWorkflowRunner } from '../../lambdas/local/workflow-runner';
import { basesReport, exampleConfig, timerDeps } from '../support/timer-deps';

const created = new Date('2027-03-12T21:02:00Z');
const hours = (h: number) => new Date(created.getTime() + h * 3600_000);
const ID = 'K7QM-2XPD';

let runner: LocalWorkflowRunner;
let client: SFNClient;
let clock: LocalClock;
let t: ReturnType<typeof timerDeps>;

beforeEach(async () => {
  clock = new LocalClock({ frozenAt: created });
  runner = new LocalWorkflowRunner({ clock });
  const endpoint = await runner.listen();
  client = new SFNClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const workflow = new SfnWorkflow({ client, stateMachineArn: runner.stateMachineArn });
  t = timerDeps(exampleConfig('bases'), clock, { workflow });
  runner.setDeps(t.deps);
  await t.store.createReport(basesReport());
  await t.deps.workflow.start(ID);
  await runner.idle();
});

afterEach(async () => {
  await runner.close();
  client.destroy();
});

/** When each timer fired, by key (from the audit trail). */
async function firedAt(): Promise<Record<string, string>> {
  const events = await t.store.listEvents(ID);
  return Object.fromEntries(events.filter((e) => e.type === 'timer.fired').map((e) => [e.key, e.detail['firedAt'] as string]));
}

/** A maintainer's change as intake makes it: update the report, then wake its workflow. */
async function change(patch: Partial<Report>): Promise<void> {
  const report = (await t.store.getReport(ID))!;
  await wakeReport(t.deps, await t.store.updateReport(ID, report.version, patch));
  await runner.idle();
}

test('timers fire at their instants, once, as the clock advances', async () => {
  expect(await t.deps.workflow.isRunning(ID)).toBe(true);
  expect(t.sender.sent).toEqual([]);

  await runner.advanceTo(hours(30));
  expect(await firedAt()).toEqual({
    'acknowledge:remind:50%': hours(12).toISOString(),
    'acknowledge:remind:2h': hours(22).toISOString(),
    'acknowledge:escalate:soft': hours(24).toISOString(),
    'acknowledge:late-notice': hours(24).toISOString(),
    'respond:remind:50%': hours(24).toISOString(),
  });
  expect(t.sender.sent.map((m) => m.outboxId)).toEqual([
    'acknowledge:remind:50%',
    'acknowledge:remind:2h',
    'acknowledge:escalate:soft',
    'acknowledge:late-notice',
    'respond:remind:50%',
  ]);
  expect(clock.now()).toEqual(hours(30));
  expect((await t.store.getReport(ID))!.nextDueAt).toBe(hours(46).toISOString());

  await runner.advanceTo(hours(30)); // standing still fires nothing again
  expect(t.sender.sent).toHaveLength(5);
});

test('waking re-plans at once: an acknowledgment cancels the pending escalation', async () => {
  await runner.advanceTo(hours(13));
  const before = runner.transitions(ID);
  await change({ acknowledgedAt: hours(13).toISOString(), lastUpdateAt: hours(13).toISOString(), status: 'acknowledged' });
  // Woken (no clock move): Tick re-planned to the respond reminder at +24h instead of the ack reminder at +22h.
  expect((await t.store.getReport(ID))!.nextDueAt).toBe(hours(24).toISOString());
  expect(runner.transitions(ID) - before).toBe(2); // Tick, Sleep
  await runner.advanceTo(hours(30));
  expect(Object.keys(await firedAt())).toEqual(['acknowledge:remind:50%', 'respond:remind:50%']);
});

test('the clock only moves forward', async () => {
  await runner.advanceTo(hours(2));
  await expect(runner.advanceTo(hours(1))).rejects.toThrow(ClockMovedBackwards);
  expect(() => clock.set(hours(1))).toThrow(
    `the local clock only moves forward: ${hours(1).toISOString()} is before ${hours(2).toISOString()}`,
  );
  expect(clock.now()).toEqual(hours(2));
});

test('a whole bases lifecycle, and what it costs in state transitions', async () => {
  await runner.advanceTo(hours(13));
  await change({ acknowledgedAt: hours(13).toISOString(), lastUpdateAt: hours(13).toISOString(), status: 'acknowledged' });
  await runner.advanceTo(hours(47));
  await change({ respondedAt: hours(47).toISOString(), lastUpdateAt: hours(47).toISOString(), status: 'triaged' });
  await runner.advanceTo(hours(240)); // day 10: the weekly update came due on day 8 (7 days after the response)
  const until = hours(312).toISOString();
  await change({ status: 'fixing', embargo: { until, setAt: hours(240).toISOString(), setBy: 'alice@hashberg.io' } });
  await runner.advanceTo(hours(320));
  await change({ status: 'disclosed' });

  expect(Object.keys(await firedAt())).toEqual([
    'acknowledge:remind:50%',
    'respond:remind:50%',
    'respond:remind:2h',
    // the weekly update is a deadline: reminded half-way and 2 h before, escalated when missed, and the next
    // week's half-way reminder, until the report was disclosed
    `update:remind:50%:${hours(47 + 168).toISOString()}`,
    `update:remind:2h:${hours(47 + 168).toISOString()}`,
    `update:escalate:${hours(47 + 168).toISOString()}`,
    'update:remind:50%:2027-03-28T19:02:00.000Z', // a week later on the wall clock: London is on BST by then
    `embargo:end:${until}`,
  ]);
  expect((await t.store.getReport(ID))!.disclosureDueAt).toBe(until);
  expect(await t.deps.workflow.isRunning(ID)).toBe(false);
  // ended by arm (ReportFinished caught to Closed): a success, not a failure the WorkflowFailed alarm counts
  const arn = `${runner.stateMachineArn.replace(':stateMachine:', ':execution:')}:${ID}`;
  expect((await runner.describeExecution(arn)).status).toBe('SUCCEEDED');
  // Ticks: the first, 8 timers, 4 wake-ups = 13. Each is Tick, Sleep; the last Sleep ends in Closed.
  expect(runner.transitions(ID)).toBe(13 * 2 + 1);
});

test('restart: resumeOpenReports starts every open report once; what fell due fires once', async () => {
  await runner.close();
  clock.set(hours(25)); // the stack was stopped over the soft deadline
  runner = new LocalWorkflowRunner({ clock });
  const endpoint = await runner.listen();
  client.destroy();
  client = new SFNClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  t.deps.workflow = new SfnWorkflow({ client, stateMachineArn: runner.stateMachineArn });
  runner.setDeps(t.deps);
  await t.store.createReport(basesReport({ id: 'B2CD-EFGH', origin: 'ses-2', status: 'closed' }));

  expect(await runner.resumeOpenReports(t.store)).toBe(1);
  await runner.idle();
  // The acknowledgment reminders came due while stopped, but so did their deadline: only the escalation goes.
  // The response reminder is an hour late, its deadline still ahead: it is sent.
  expect(t.sender.sent.map((m) => m.outboxId)).toEqual([
    'acknowledge:escalate:soft',
    'acknowledge:late-notice',
    'respond:remind:50%',
  ]);
  expect(await runner.isRunning('B2CD-EFGH')).toBe(false);
});

test('a new generation (reopen, release) runs in its own execution; the old one ends when woken and never acts', async () => {
  await change({ generation: 1, generationStartedAt: hours(1).toISOString() }); // the old sleep is woken: stale, it ends
  await t.deps.workflow.start(ID, 1);
  await runner.idle();
  expect(await t.deps.workflow.isRunning(ID, 0)).toBe(false);
  expect(await t.deps.workflow.isRunning(ID, 1)).toBe(true);
  // the token on the report is the new generation's: a change wakes it, and its timers fire once
  await runner.advanceTo(hours(13));
  expect(Object.keys(await firedAt())).toEqual(['acknowledge:remind:50%']);
  expect(t.sender.sent.map((m) => m.outboxId)).toEqual(['acknowledge:remind:50%']);
});
