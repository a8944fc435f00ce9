/**
 * Where the intake's failures wait, and how intake is run again (issue 15, `secintake --aws replay`). On AWS the
 * queue is the intake function's on-failure SQS queue (each entry holds the SES event the function was invoked
 * with) and the invoker is a synchronous Lambda invoke of that function (adapters/aws/failed-intake-replay.ts).
 */

/** One failed intake waiting on the queue. */
export interface FailedIntake {
  /** The queue's handle of this delivery: to remove it after a replay, or to release it. */
  handle: string;
  /** The SES event the intake was invoked with, unchanged (undefined: the entry is not an on-failure record). */
  event?: unknown;
  /** The SES message IDs the event carries (one per record; SES sends one). */
  sesMessageIds: string[];
  /** When the last attempt failed (ISO 8601), as the queue entry says. */
  failedAt?: string;
  /** The last attempt's error, `Type: message`. */
  error?: string;
  /** How many times the function ran on it. */
  attempts?: number;
}

export interface FailedIntakeQueue {
  /** Every entry waiting, each hidden from other readers until removed or released. */
  takeAll(): Promise<FailedIntake[]>;
  /** Deletes an entry (after its replay succeeded). */
  remove(handle: string): Promise<void>;
  /** Puts an entry back in view, unchanged (not selected, not confirmed, or its replay failed again). */
  release(handle: string): Promise<void>;
}

/** The per-message answers of an intake run (app/receive-mail.ts's IntakeResult, as the function returns them). */
export interface IntakeRunResult {
  sesMessageId: string;
  outcome: string;
  reportId?: string;
  reason?: string;
  duplicate?: boolean;
}

export type IntakeRun = { ok: true; results: IntakeRunResult[] } | { ok: false; error: string };

/** Runs intake on an SES event, as SES does, and waits for its answer. */
export interface IntakeInvoker {
  invoke(event: unknown): Promise<IntakeRun>;
}
