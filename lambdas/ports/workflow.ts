/**
 * The report's workflow (Step Functions on AWS, the local ASL runner locally). Only IDs cross this port:
 * no report content ever goes into execution input.
 */
export interface Workflow {
  /**
   * Start the execution of the report's workflow generation `generation` (`executionName`). Starting one that
   * already exists is not an error. A new generation starts on reopen, on release from quarantine and every
   * 300 days (a Standard execution lasts at most a year, and its name stays taken for 90 days after it ends).
   */
  start(reportId: string, generation?: number): Promise<void>;
  /** Wake a sleeping execution so it re-plans now. An expired or unknown token is not an error. */
  wake(token: string): Promise<void>;
  /**
   * End the execution whose sleep holds this token: it succeeds (`Closed`). Tick found the report finished, or
   * a newer generation runs it; the sleep fails with `REPORT_FINISHED`, which the state machine catches. An
   * expired or unknown token is not an error.
   */
  finish(token: string): Promise<void>;
  /** Whether the execution of this generation of the report is running (for `doctor` and the orphan check). */
  isRunning(reportId: string, generation?: number): Promise<boolean>;
}

/** The error a sleep ends with when its execution is done; the `Sleep` state catches it to `Closed`. */
export const REPORT_FINISHED = 'ReportFinished';

/** `<reportId>` for generation 0, `<reportId>-g<n>` after: each generation of a report has its own execution. */
export function executionName(reportId: string, generation = 0): string {
  return generation > 0 ? `${reportId}-g${generation}` : reportId;
}

/** The generation an execution name belongs to (0 for a bare report ID). */
export function generationOf(execution: string | undefined): number {
  const m = /-g(\d+)$/.exec(execution ?? '');
  return m ? Number(m[1]) : 0;
}
