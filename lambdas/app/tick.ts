/**
 * Use case: one turn of a report's workflow (the `Tick` state: Plan and Act folded into one Lambda, so a loop
 * costs two state transitions: Tick, Sleep; a finished report's last Sleep ends the execution, see arm.ts).
 *
 * 1. re-read the report and its policy
 * 2. act on every due timer action, in firing order: build the mail, send it exactly once (outbox ID = the
 *    action key), record an audit event, then mark the key fired (embargo end: the report is due for disclosure)
 * 3. plan: store the next wake-up on the report and tell the state machine how long to sleep
 * 4. hand over to a new execution when this one is 300 days old (a Standard execution lasts at most a year)
 *
 * Each write is idempotent on its own and ordered send -> event -> fired, so a Tick retried after a crash at
 * any point sends nothing twice and loses nothing.
 */
import type { Project } from '../core/config';
import type { Draft } from '../core/drafts';
import {
  embargoEndDrafts,
  escalationDraft,
  lateNoticeDraft,
  reminderDraft,
} from '../core/drafts';
import type { Report } from '../core/report';
import { dueActions, isFinished, lateNoticeNextDate, nextUpdateDate, nextWakeAt, type TimerAction } from '../core/timeline';
import type { Deps } from './deps';
import { sendOnce } from './outbox';
import { executionName, generationOf } from '../ports/workflow';
import { sendQuarantineDigest } from './quarantine-digest';
import { parseHeldDigestExecution } from '../core/held';
import { heldDigestTurn } from './held-mail';
import { envelopeFor, patchReport } from './report-records';
import { publishFigures } from './figures';
import { disclosureTurn } from './disclosure';
import { nextDisclosureAt } from '../core/disclosure';

function earliest(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() <= b.getTime() ? a : b;
}

export interface TickInput {
  reportId: string;
  /** `$$.Execution.Name`: `<reportId>` or `<reportId>-g<generation>`. */
  execution?: string;
}

export interface TickOutput {
  reportId: string;
  /** The execution ends: the next `Sleep` (arm) ends it at once instead of sleeping. */
  done: boolean;
  sleepSeconds: number;
  /** The report version this plan was made from: `arm` wakes at once if the report changed since. */
  plannedVersion: number;
  /** Set when this execution handed the report over to a new one. */
  continuedAs?: string;
}

/** Never sleep longer than this in one state (DESIGN section 4; Node timers overflow at 24.8 days). */
export const MAX_SLEEP_SECONDS = 7 * 24 * 3600;
/** A timer firing later than this after its instant says so in its mail. */
export const LATE_FIRING_MS = 60_000;
/** Hand over well before Step Functions' one-year limit on a Standard execution. */
export const GENERATION_MS = 300 * 24 * 3600 * 1000;
/**
 * The `Sleep` timeout when the execution is done: arm ends the sleep at once (SendTaskFailure), so this only
 * matters if it could not; then Tick runs again and finds the same. Longer than any Lambda run (15 minutes).
 */
export const FINISHING_SLEEP_SECONDS = 3600;

export class UnknownProject extends Error {
  override readonly name = 'UnknownProject';
  constructor(readonly reportId: string, readonly project: string) {
    super(`report ${reportId} belongs to project ${JSON.stringify(project)}, which is not in the config: add it back or close the report`);
  }
}

export async function tick(deps: Deps, input: TickInput): Promise<TickOutput> {
  const out = await turn(deps, input);
  return out.done ? { ...out, sleepSeconds: FINISHING_SLEEP_SECONDS } : out;
}

async function turn(deps: Deps, input: TickInput): Promise<TickOutput> {
  const { reportId } = input;
  const heldDigest = parseHeldDigestExecution(reportId);
  if (heldDigest) return { reportId, plannedVersion: 0, ...(await heldDigestTurn(deps, reportId, heldDigest)) };
  let report = await deps.store.getReport(reportId);
  if (!report) {
    deps.log.warn('tick: report not found, ending its workflow', { reportId });
    return { reportId, done: true, sleepSeconds: 1, plannedVersion: 0 };
  }
  const project = deps.config.projects.find((p) => p.id === report!.project);
  if (!project) throw new UnknownProject(reportId, report.project);

  const now = deps.clock.now();
  if (isStale(report, input.execution)) {
    // a reopen, a release or a hand-over started a newer generation: only that one acts on the report
    deps.log.info('tick: a newer workflow generation runs this report, ending this one', { reportId, execution: input.execution, generation: report.generation ?? 0 });
    return { reportId, done: true, sleepSeconds: 1, plannedVersion: report.version };
  }
  for (const action of dueActions(report, project, now)) {
    report = await act(deps, report, project, action, now);
  }
  // disclosure steps on GitHub (issue 14): after the timers, so an embargo end fired now is seen
  if (project.disclosure && !isFinished(report)) report = await disclosureTurn(deps, report, project, now);
  // before the plan: the claim is a write, and the plan carries the version it was made from
  report = await publishFigures(deps, report, project, now);

  const next = earliest(nextWakeAt(report, project, now), project.disclosure && !isFinished(report) ? nextDisclosureAt(report, project, now) : undefined);
  const nextDueAt = next?.toISOString();
  if (report.nextDueAt !== nextDueAt) report = await patchReport(deps, report, () => ({ nextDueAt }));

  const done = isFinished(report);
  const plan: TickOutput = { reportId, done, sleepSeconds: sleepSecondsUntil(next, now), plannedVersion: report.version };
  if (!done) {
    const continuedAs = await handOverIfOld(deps, report, input.execution, now);
    if (continuedAs) return { ...plan, done: true, continuedAs };
  }
  return plan;
}

/** Whole seconds to the next wake-up, at least 1 (Step Functions' minimum timeout), at most 7 days. */
export function sleepSecondsUntil(next: Date | undefined, now: Date): number {
  if (!next) return MAX_SLEEP_SECONDS;
  const seconds = Math.ceil((next.getTime() - now.getTime()) / 1000);
  return Math.min(MAX_SLEEP_SECONDS, Math.max(1, seconds));
}

async function act(deps: Deps, report: Report, project: Project, action: TimerAction, now: Date): Promise<Report> {
  if (action.kind === 'quarantine-digest') {
    const digest = await sendQuarantineDigest(deps, project, report, now);
    deps.log.info('quarantine digest', {
      reportId: report.id,
      sent: digest.sent,
      on: digest.on,
      listed: digest.listed.length,
      ...(digest.sent ? {} : { reason: digest.reason }),
    });
  } else {
    const envelope = await envelopeFor(deps, report);
    for (const { outboxId, draft } of messagesFor(action, report, project, now)) {
      await sendOnce(deps, { reportId: report.id, outboxId, draft, envelope });
    }
  }
  // `at` is the firing instant, not `now`: the event's store key is then the same on every retry.
  await deps.store.appendToReport({
    events: [
      {
        reportId: report.id,
        at: action.firesAt.toISOString(),
        key: action.key,
        type: 'timer.fired',
        actor: 'workflow',
        detail: { key: action.key, deadline: action.deadline, dueAt: action.dueAt.toISOString(), firedAt: now.toISOString() },
      },
    ],
  });
  const updated = await patchReport(deps, report, (current) =>
    current.fired.includes(action.key)
      ? undefined
      : {
          fired: [...current.fired, action.key],
          ...(action.kind === 'embargo-end' ? { disclosureDueAt: now.toISOString() } : {}),
        },
  );
  if (action.kind === 'escalate') deps.metrics.count('deadlinesMissed');
  deps.log.info('timer fired', { reportId: report.id, key: action.key });
  return updated;
}

/**
 * The mail one action sends, each under its own outbox ID (the action key, plus the audience when there are
 * two). A reporter whose mail bounces is not written to again: the maintainers still hear of it.
 */
function messagesFor(action: TimerAction, report: Report, project: Project, now: Date): Array<{ outboxId: string; draft: Draft }> {
  if (action.deadline === 'quarantine') return []; // the digest is sent by sendQuarantineDigest
  // a firing more than a minute after its instant (the stack was stopped, a long retry) says when it was planned
  const late = now.getTime() - action.firesAt.getTime() > LATE_FIRING_MS;
  const base = { report, project, now, deadline: action.deadline, dueAt: action.dueAt, ...(late ? { plannedAt: action.firesAt } : {}) };
  const reporterReachable = report.reporterUnreachable === undefined;
  const one = (draft: Draft) => [{ outboxId: action.key, draft }];
  // what the reporter's late notice promised: a date still ahead, or only that it is late
  const told = (next: Date) => ({ reporterToldNextBy: next.getTime() > now.getTime() ? next : true as const });
  switch (action.kind) {
    case 'remind':
      return one(reminderDraft(base));
    case 'escalate': {
      const soft = action.key === 'acknowledge:escalate:soft';
      return one(
        escalationDraft({
          ...base,
          bound: action.key === 'acknowledge:escalate:hard' ? 'hard' : 'soft',
          ...(soft && reporterReachable ? told(lateNoticeNextDate(report, project)) : {}),
          ...(action.deadline === 'update' && project.timers.update?.lateNotice && reporterReachable
            ? told(nextUpdateDate(action.dueAt, project))
            : {}),
        }),
      );
    }
    case 'late-notice': {
      if (!reporterReachable) return [];
      // a missed update promises the next point of the cadence; a late acknowledgment, the policy's next date
      const nextDate = action.deadline === 'update' ? nextUpdateDate(action.dueAt, project) : lateNoticeNextDate(report, project);
      // sent late (the stack was stopped), the date may already be past: a notice never promises a past date
      return one(lateNoticeDraft({ ...base, ...(nextDate.getTime() > now.getTime() ? { nextDate } : {}), escalated: project.escalation.length > 0 }));
    }
    case 'embargo-end': {
      // the maintainers' copy says truthfully whether the reporter's copy goes out with it
      const drafts = embargoEndDrafts({ ...base, endedAt: action.dueAt, reporterTold: reporterReachable });
      return [
        { outboxId: action.key, draft: drafts.maintainers },
        ...(reporterReachable ? [{ outboxId: `${action.key}:reporter`, draft: drafts.reporter }] : []),
      ];
    }
    case 'quarantine-digest':
      return [];
  }
}

/** An execution of an older generation than the report's current one (input without a name: never stale). */
export function isStale(report: Report, execution: string | undefined): boolean {
  return execution !== undefined && generationOf(execution) < (report.generation ?? 0);
}

/**
 * A Standard execution lasts at most a year: when the current generation is 300 days old, the next one starts
 * (`<reportId>-g<n+1>`) and this one ends. The generation is counted on the report (one conditional write), so
 * a retried or concurrent hand-over starts the same execution, and starting it twice is harmless.
 */
async function handOverIfOld(deps: Deps, report: Report, execution: string | undefined, now: Date) {
  if (!execution) return undefined;
  const generation = generationOf(execution);
  const startedAt = new Date(report.generationStartedAt ?? report.createdAt);
  if (now.getTime() - startedAt.getTime() < GENERATION_MS) return undefined;
  const updated = await patchReport(deps, report, (current) =>
    (current.generation ?? 0) === generation ? { generation: generation + 1, generationStartedAt: now.toISOString() } : undefined,
  );
  const next = updated.generation ?? 0;
  await deps.workflow.start(report.id, next);
  deps.log.info('workflow handed over to a new execution', { reportId: report.id, generation: next });
  return executionName(report.id, next);
}
