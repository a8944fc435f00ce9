/**
 * The workflow's `Sleep` state invokes this with a task token (`.waitForTaskToken`), then waits until the token
 * is returned (woken) or the state's timeout (the planned wake-up) passes.
 *
 * 0. if Tick found the execution done (the report is finished, gone, run by a newer generation, or handed
 *    over), end the execution: the sleep fails with REPORT_FINISHED, which the state machine catches to its
 *    `Closed` state. (No `Finished?` Choice state after Tick: a loop costs two transitions, not three.)
 * 1. store the token on the report, so intake can wake the sleep when the report changes;
 * 2. if the report changed between Tick's planning and now, the plan may be stale: wake at once.
 *
 * The version check closes the race where intake changed the report after Tick read it but before a token was
 * stored: intake found no token to wake, so arm does it.
 */
import type { Report } from '../core/report';
import { VersionConflict } from '../ports/report-store';
import type { Deps } from './deps';
import { parseHeldDigestExecution } from '../core/held';
import { generationOf } from '../ports/workflow';

export interface ArmInput {
  reportId: string;
  token: string;
  plannedVersion: number;
  /**
   * Tick's verdict: this execution ends. Absent: an execution started under the older definition (with a
   * `Finished?` Choice state and no ReportFinished catcher), which must never be failed: its sleep is woken and
   * its Tick ends it, as before.
   */
  done?: boolean;
  /** `$$.Execution.Name`: a sleep of an older generation is never armed (intake wakes only the current one). */
  execution?: string;
}

const MAX_ATTEMPTS = 5;

export async function arm(deps: Pick<Deps, 'store' | 'workflow' | 'log'>, input: ArmInput): Promise<void> {
  if (input.done === true) {
    await deps.workflow.finish(input.token);
    return;
  }
  // a held-mail digest execution has no report to wake it: it sleeps until its hour ends
  if (parseHeldDigestExecution(input.reportId)) return;
  for (let attempt = 1; ; attempt++) {
    const report = await deps.store.getReport(input.reportId);
    if (!report) {
      // Nothing to sleep on: end the execution (Tick would find the report gone and say so).
      deps.log.warn('arm: report not found', { reportId: input.reportId });
      await endSleep(deps, input);
      return;
    }
    if (input.execution !== undefined && generationOf(input.execution) < (report.generation ?? 0)) {
      // a newer generation runs this report: end this execution now
      await endSleep(deps, input);
      return;
    }
    try {
      await deps.store.updateReport(report.id, report.version, {
        workflow: { token: input.token, plannedVersion: input.plannedVersion },
      });
    } catch (e) {
      if (e instanceof VersionConflict && attempt < MAX_ATTEMPTS) continue;
      throw e;
    }
    if (report.version !== input.plannedVersion) {
      deps.log.info('arm: report changed since planning, waking now', {
        reportId: report.id,
        plannedVersion: input.plannedVersion,
        version: report.version,
      });
      await deps.workflow.wake(input.token);
    }
    return;
  }
}

/** Ends the execution; under the older definition (no `done` in the input), wakes it so its Tick ends it. */
async function endSleep(deps: Pick<Deps, 'workflow'>, input: ArmInput): Promise<void> {
  if (input.done === undefined) await deps.workflow.wake(input.token);
  else await deps.workflow.finish(input.token);
}

/**
 * Called by intake after any change to a report: the sleeping execution re-plans now. A report without a
 * token (its Tick is running, or none was armed yet) needs nothing: arm compares versions and wakes itself.
 * Workflow.wake ignores expired tokens, so a stale token is harmless.
 */
export async function wakeReport(deps: Pick<Deps, 'workflow' | 'log'>, report: Report): Promise<void> {
  const token = report.workflow?.token;
  if (!token) return;
  try {
    await deps.workflow.wake(token);
  } catch (e) {
    // The change is recorded; the planned wake-up still comes. Don't fail intake for a late re-plan.
    deps.log.warn('could not wake the workflow', { reportId: report.id, error: (e as Error).name });
  }
}
