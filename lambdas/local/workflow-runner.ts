/**
 * Runs the report workflow locally: the very ASL CDK synthesizes (report-workflow.asl.json, see
 * infra/write-asl.ts) on aws-local-stepfunctions, with the Task states resolved to the same use cases the
 * Lambdas run, on the LocalClock.
 *
 * aws-local-stepfunctions has no `.waitForTaskToken`; the `Sleep` handler emulates it: it makes a token, runs
 * the arm use case, then waits until the token is returned through the Step Functions stand-in
 * (SendTaskSuccess, from the unchanged SfnWorkflow adapter) or the LocalClock reaches the planned wake-up, and
 * then throws `States.Timeout` (the interpreter's Catch matches by error name); a sleep arm ends with
 * SendTaskFailure `ReportFinished` throws that, which the Catch takes to `Closed`. The interpreter also arms its
 * own real-time timeout for the state (TimeoutSecondsPath); that one fires only in real time and is harmless.
 */
import './polyfills';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { arm, type ArmInput } from '../app/arm';
import type { Deps } from '../app/deps';
import { tick, type TickInput } from '../app/tick';
import { isFinished } from '../core/timeline';
import type { ReportStore } from '../ports/report-store';
import { executionName, REPORT_FINISHED } from '../ports/workflow';
import type { LocalClock } from './local-clock';
import { packageRoot } from './package-root';
import { SfnStandIn, StepFunctionsError, type ExecutionStatus, type StepFunctionsBackend } from './sfn-standin';

export const ASL_FILE = join(packageRoot(), 'lambdas', 'local', 'report-workflow.asl.json');
export const LOCAL_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:ReportWorkflow';
/** In real-time mode, how often due sleepers are looked for (another process may move clock.json). */
const REAL_TIME_CHECK_MS = 1000;

type Outcome = { output: unknown } | { timeout: true } | { finished: true };

interface Sleeper {
  token: string;
  wakeAt: number;
  settle: (outcome: Outcome) => void;
}

interface Execution {
  name: string;
  arn: string;
  reportId: string;
  input: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  /** busy: in Tick or arming; sleeping: parked in Sleep; ended. */
  phase: 'busy' | 'sleeping' | 'ended';
  sleeper?: Sleeper;
  /** States entered (each is a billed transition on Step Functions Standard). */
  transitions: number;
  abort: () => void;
}

export interface LocalWorkflowRunnerOptions {
  clock: LocalClock;
  /** Re-check sleepers every second against the (moving) real time; off for tests with a frozen clock. */
  realTime?: boolean;
  definition?: StateMachineDefinition;
}

export class LocalWorkflowRunner implements StepFunctionsBackend {
  readonly stateMachineArn = LOCAL_STATE_MACHINE_ARN;
  private readonly machine: StateMachine;
  private readonly clock: LocalClock;
  private readonly executions = new Map<string, Execution>();
  private readonly tokens = new Map<string, { execution: Execution; sleeper: Sleeper }>();
  private readonly standIn = new SfnStandIn(this);
  private readonly idleWaiters: Array<() => void> = [];
  private inFlight = 0;
  private deps: Deps | undefined;
  private closed = false;
  private readonly unsubscribe: () => void;
  private readonly interval: NodeJS.Timeout | undefined;

  constructor(options: LocalWorkflowRunnerOptions) {
    this.clock = options.clock;
    const definition = options.definition ?? (JSON.parse(readFileSync(ASL_FILE, 'utf8')) as StateMachineDefinition);
    this.machine = new StateMachine(definition, { validationOptions: { checkArn: false } });
    this.unsubscribe = this.clock.onChange(() => this.fireDue());
    if (options.realTime) this.interval = setInterval(() => this.fireDue(), REAL_TIME_CHECK_MS).unref();
  }

  /** Starts the Step Functions stand-in; returns its endpoint for `AWS_ENDPOINT_URL_SFN`. */
  listen(port = 0): Promise<string> {
    return this.standIn.listen(port);
  }

  get endpoint(): string {
    return this.standIn.endpoint;
  }

  /** The use cases' dependencies (built after listen(), since their Workflow talks to the stand-in). */
  setDeps(deps: Deps): void {
    this.deps = deps;
  }

  /** Starts the report's execution; a no-op when one with that name exists (as Step Functions does). */
  async start(reportId: string, generation = 0): Promise<void> {
    const name = executionName(reportId, generation);
    await this.startExecution(this.stateMachineArn, name, JSON.stringify({ reportId })).catch((e: unknown) => {
      if ((e as Error).name !== 'ExecutionAlreadyExists') throw e;
    });
  }

  async isRunning(reportId: string, generation = 0): Promise<boolean> {
    return this.executions.get(executionName(reportId, generation))?.status === 'RUNNING';
  }

  /** After a restart: every open report gets its execution back; its first Tick fires what fell due, once. */
  async resumeOpenReports(store: ReportStore): Promise<number> {
    const open = (await store.listReports()).filter((r) => !isFinished(r));
    for (const report of open) await this.start(report.id, report.generation ?? 0);
    return open.length;
  }

  /** State transitions of one execution so far (Step Functions Standard bills each). */
  transitions(name: string): number {
    return this.executions.get(name)?.transitions ?? 0;
  }

  /** Resolves when no execution is busy: each is parked in Sleep or has ended. */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.notifyIdle();
    });
  }

  /**
   * Moves the clock to `target` through every planned wake-up on the way, in time order, letting the
   * executions settle after each: every due timer fires at its instant, once. Throws ClockMovedBackwards.
   */
  async advanceTo(target: Date): Promise<void> {
    if (target.getTime() < this.clock.now().getTime()) this.clock.set(target); // throws ClockMovedBackwards
    await this.idle();
    for (;;) {
      const next = Math.min(...this.sleepers().map((s) => s.wakeAt));
      if (!Number.isFinite(next) || next > target.getTime()) break;
      if (next > this.clock.now().getTime()) this.clock.set(new Date(next)); // fires through onChange
      this.fireDue();
      await this.idle();
    }
    if (target.getTime() > this.clock.now().getTime()) this.clock.set(target);
    await this.idle();
  }

  /** Stops every execution and the stand-in; leaves no timer or socket open. */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    if (this.interval) clearInterval(this.interval);
    for (const e of this.executions.values()) if (e.status === 'RUNNING') this.stop(e, 'ABORTED');
    // Let in-flight handlers finish, then end every wait so the interpreter clears its own timeouts.
    while (this.inFlight > 0) await new Promise((r) => setImmediate(r));
    for (const e of this.executions.values()) e.sleeper?.settle({ output: {} });
    this.tokens.clear();
    await this.standIn.close();
  }

  // --- StepFunctionsBackend (the stand-in's API) ---

  async startExecution(stateMachineArn: string, name: string, input: string) {
    if (stateMachineArn !== this.stateMachineArn) {
      throw new StepFunctionsError('StateMachineDoesNotExist', `no state machine ${stateMachineArn} (local: ${this.stateMachineArn})`);
    }
    if (this.closed) throw new StepFunctionsError('InternalFailure', 'the local workflow runner is closed');
    if (this.executions.has(name)) throw new StepFunctionsError('ExecutionAlreadyExists', `execution ${name} already exists`);
    const parsed = JSON.parse(input) as { reportId?: unknown };
    if (typeof parsed.reportId !== 'string') throw new StepFunctionsError('InvalidExecutionInput', 'input must be { "reportId": ... }');
    const arn = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const startDate = this.clock.now();
    const execution: Execution = {
      name, arn, reportId: parsed.reportId, input, status: 'RUNNING', startDate, phase: 'busy', transitions: 0, abort: () => {},
    };
    this.executions.set(name, execution);
    this.run(execution);
    return { executionArn: arn, startDate };
  }

  async sendTaskSuccess(token: string, output: string): Promise<void> {
    const entry = this.takeToken(token);
    entry.execution.phase = 'busy';
    entry.sleeper.settle({ output: JSON.parse(output) as unknown });
  }

  async sendTaskFailure(token: string, error?: string): Promise<void> {
    // ReportFinished: arm ends the execution (the Sleep state catches it to Closed). Our workflow fails a sleep
    // with nothing else on purpose: treat any other failure as a wake-up so the report is re-planned.
    if (error !== REPORT_FINISHED) return this.sendTaskSuccess(token, '{}');
    const entry = this.takeToken(token);
    entry.execution.phase = 'busy';
    entry.sleeper.settle({ finished: true });
  }

  async describeExecution(executionArn: string) {
    const e = [...this.executions.values()].find((x) => x.arn === executionArn);
    if (!e) throw new StepFunctionsError('ExecutionDoesNotExist', `no execution ${executionArn}`);
    return { executionArn: e.arn, stateMachineArn: this.stateMachineArn, name: e.name, status: e.status, startDate: e.startDate, stopDate: e.stopDate, input: e.input };
  }

  async stopExecution(executionArn: string) {
    const e = [...this.executions.values()].find((x) => x.arn === executionArn);
    if (!e) throw new StepFunctionsError('ExecutionDoesNotExist', `no execution ${executionArn}`);
    if (e.status === 'RUNNING') this.stop(e, 'ABORTED');
    e.sleeper?.settle({ output: {} });
    return { stopDate: e.stopDate ?? this.clock.now() };
  }

  // --- internals ---

  private run(execution: Execution): void {
    const handlers = {
      Tick: async (input: unknown) =>
        this.inHandler(execution, async () => {
          this.dropSleeper(execution); // the interpreter's own real-time timeout may have ended a sleep
          const payload = (input as { Payload: TickInput }).Payload;
          return { StatusCode: 200, Payload: { ...(await tick(this.requireDeps(), payload)) } };
        }),
      Sleep: (input: unknown) => this.sleep(execution, (input as { Payload: ArmInput & { sleepSeconds: number } }).Payload),
    };
    const { result, abort, eventLogs } = this.machine.run(JSON.parse(execution.input), {
      overrides: { taskResourceLocalHandlers: handlers as never },
      noThrowOnAbort: true,
      context: {
        Execution: { Id: execution.arn, Name: execution.name },
        StateMachine: { Id: this.stateMachineArn, Name: 'ReportWorkflow' },
        // `$$.Task.Token` must resolve; the Sleep handler makes the real token.
        Task: { Token: 'local' },
      },
    });
    execution.abort = abort;
    void (async () => {
      for await (const event of eventLogs) if (event.type === 'StateEntered') execution.transitions++;
    })();
    result.then(
      () => this.stop(execution, execution.status === 'RUNNING' ? 'SUCCEEDED' : execution.status),
      (e: unknown) => {
        this.requireDeps().log.error('local workflow execution failed', { reportId: execution.reportId, error: (e as Error).message });
        this.stop(execution, 'FAILED');
      },
    );
  }

  private async sleep(execution: Execution, payload: ArmInput & { sleepSeconds: number }): Promise<unknown> {
    this.dropSleeper(execution);
    let settle!: Sleeper['settle'];
    const outcome = new Promise<Outcome>((resolve) => (settle = resolve));
    let settled = false;
    const sleeper: Sleeper = {
      token: `local-${randomBytes(12).toString('hex')}`,
      wakeAt: this.clock.now().getTime() + payload.sleepSeconds * 1000,
      settle: (o) => {
        settled = true;
        settle(o);
      },
    };
    // Registered before arm runs: arm may wake it at once (the report changed since Tick planned).
    execution.sleeper = sleeper;
    this.tokens.set(sleeper.token, { execution, sleeper });
    await this.inHandler(execution, () => arm(this.requireDeps(), { ...payload, token: sleeper.token }));
    if (!settled && execution.sleeper === sleeper) execution.phase = 'sleeping';
    this.notifyIdle();
    this.fireDue();
    const result = await outcome;
    if ('timeout' in result) throw Object.assign(new Error('the planned wake-up came'), { name: 'States.Timeout' });
    if ('finished' in result) throw Object.assign(new Error('the report needs no more timers'), { name: REPORT_FINISHED });
    return result.output;
  }

  private async inHandler<T>(execution: Execution, body: () => Promise<T>): Promise<T> {
    this.inFlight++;
    execution.phase = 'busy';
    try {
      return await body();
    } finally {
      this.inFlight--;
      this.notifyIdle();
    }
  }

  private sleepers(): Sleeper[] {
    return [...this.executions.values()].filter((e) => e.phase === 'sleeping' && e.sleeper).map((e) => e.sleeper!);
  }

  /** Ends every sleep whose wake-up the clock has reached. */
  private fireDue(): void {
    if (this.closed) return;
    const now = this.clock.now().getTime();
    for (const e of this.executions.values()) {
      const s = e.sleeper;
      if (e.phase !== 'sleeping' || !s || s.wakeAt > now) continue;
      this.tokens.delete(s.token);
      e.sleeper = undefined;
      e.phase = 'busy';
      s.settle({ timeout: true });
    }
  }

  private takeToken(token: string) {
    const entry = this.tokens.get(token);
    if (!entry) throw new StepFunctionsError('TaskDoesNotExist', 'the task for this token has ended or never existed');
    this.tokens.delete(token);
    if (entry.execution.sleeper === entry.sleeper) entry.execution.sleeper = undefined;
    return entry;
  }

  private dropSleeper(execution: Execution): void {
    const old = execution.sleeper;
    if (!old) return;
    this.tokens.delete(old.token);
    execution.sleeper = undefined;
    old.settle({ output: {} }); // an orphan: the interpreter stopped waiting for it already
  }

  private stop(execution: Execution, status: ExecutionStatus): void {
    if (execution.phase === 'ended') return;
    execution.status = status;
    execution.phase = 'ended';
    execution.stopDate = this.clock.now();
    if (status === 'ABORTED') execution.abort();
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if ([...this.executions.values()].some((e) => e.phase === 'busy')) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private requireDeps(): Deps {
    if (!this.deps) throw new Error('LocalWorkflowRunner.setDeps() was not called before the first execution');
    return this.deps;
  }
}
