/**
 * Re-drives failed intakes from the failure queue (`secintake --aws replay [--message-id ID] [--yes]`): takes
 * every waiting entry (hidden from other readers meanwhile), keeps those asked for, asks for confirmation, runs
 * intake on each entry's own SES event (its verdicts as SES gave them: nothing is rebuilt or trusted from
 * elsewhere), removes the entries whose intake now succeeded and puts every other one back unchanged. Intake is
 * idempotent (keyed by the SES message ID), so replaying an entry twice, or one that finished meanwhile, is
 * harmless. Port-driven: tested with a local queue and the real intake (test/app/replay-failed-intakes.test.ts).
 */
import type { FailedIntake, FailedIntakeQueue, IntakeInvoker, IntakeRunResult } from '../ports/failed-intake-queue';
import { UserError } from './user-error';

export interface ReplayOptions {
  /** Only the entry of this SES message ID. */
  messageId?: string;
  /** Shown the entries to replay; false stops before anything runs. */
  confirm(entries: FailedIntake[]): Promise<boolean>;
  /** Each entry's outcome as it happens. */
  onOutcome?(outcome: ReplayOutcome): void;
}

export type ReplayOutcome =
  | { entry: FailedIntake; state: 'replayed'; results: IntakeRunResult[] }
  | { entry: FailedIntake; state: 'failed'; error: string }
  | { entry: FailedIntake; state: 'skipped'; error: string };

export interface ReplaySummary {
  /** Entries on the queue when it was read. */
  waiting: number;
  selected: number;
  confirmed: boolean;
  outcomes: ReplayOutcome[];
}

/** The waiting entries, without changing anything (each is put back at once). */
export async function listFailedIntakes(queue: FailedIntakeQueue): Promise<FailedIntake[]> {
  const entries = await queue.takeAll();
  await Promise.all(entries.map((e) => queue.release(e.handle)));
  return entries;
}

export async function replayFailedIntakes(queue: FailedIntakeQueue, intake: IntakeInvoker, opts: ReplayOptions): Promise<ReplaySummary> {
  const entries = await queue.takeAll();
  const wanted = (e: FailedIntake) => opts.messageId === undefined || e.sesMessageIds.includes(opts.messageId);
  const selected = entries.filter(wanted);
  await Promise.all(entries.filter((e) => !wanted(e)).map((e) => queue.release(e.handle)));
  const summary: ReplaySummary = { waiting: entries.length, selected: selected.length, confirmed: false, outcomes: [] };
  if (opts.messageId !== undefined && !selected.length) {
    const ids = entries.flatMap((e) => e.sesMessageIds);
    throw new UserError(
      `${opts.messageId} is not on the failure queue (${ids.length ? `waiting: ${ids.join(', ')}` : 'it is empty'}). ` +
        'Only a queued entry holds the SES verdicts intake needs; a message whose intake finished needs no replay',
    );
  }
  if (!selected.length) return summary;

  let confirmed = false;
  try {
    confirmed = await opts.confirm(selected);
  } finally {
    if (!confirmed) await Promise.all(selected.map((e) => queue.release(e.handle)));
  }
  summary.confirmed = confirmed;
  if (!confirmed) return summary;

  for (const entry of selected) {
    let outcome: ReplayOutcome;
    if (entry.event === undefined) {
      outcome = { entry, state: 'skipped', error: 'not a Lambda on-failure record (no requestPayload): left on the queue' };
      await queue.release(entry.handle);
    } else {
      let run;
      try {
        run = await intake.invoke(entry.event);
      } catch (err) {
        run = { ok: false as const, error: `${(err as Error).name}: ${(err as Error).message}` };
      }
      if (run.ok) {
        await queue.remove(entry.handle);
        outcome = { entry, state: 'replayed', results: run.results };
      } else {
        await queue.release(entry.handle);
        outcome = { entry, state: 'failed', error: run.error };
      }
    }
    summary.outcomes.push(outcome);
    opts.onOutcome?.(outcome);
  }
  return summary;
}
