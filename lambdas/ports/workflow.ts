/**
 * The report's workflow (Step Functions on AWS, the local ASL runner locally). Only IDs cross this port:
 * no report content ever goes into execution input.
 */
export interface Workflow {
  /**
   * Start the report's execution, named by the report ID. Starting one that already runs is not an error.
   * `generation` > 0 continues a long-lived report in a new execution named `<reportId>_<generation>` (a
   * Standard execution lasts at most a year; the workflow hands over every 300 days).
   */
  start(reportId: string, generation?: number): Promise<void>;
  /** Wake a sleeping execution so it re-plans now. An expired or unknown token is not an error. */
  wake(token: string): Promise<void>;
  /** Whether an execution for this report is running (for `doctor` and the orphan check). */
  isRunning(reportId: string): Promise<boolean>;
}
