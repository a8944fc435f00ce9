/** A failure queue in memory, with SQS's semantics that matter here: taken entries are hidden until removed or released. */
import type { FailedIntake, FailedIntakeQueue } from '../../lambdas/ports/failed-intake-queue';

export class MemoryFailedIntakeQueue implements FailedIntakeQueue {
  private entries: { entry: FailedIntake; hidden: boolean }[] = [];
  private n = 0;

  /** Adds what Lambda's on-failure destination would: the event, its error and attempt count. */
  add(event: unknown, sesMessageIds: string[], error = 'Error: boom'): void {
    this.entries.push({ entry: { handle: `h${++this.n}`, event, sesMessageIds, error, attempts: 3, failedAt: '2027-03-12T21:10:00.000Z' }, hidden: false });
  }

  /** What is on the queue (hidden or not), by SES message ID. */
  ids(): string[] {
    return this.entries.flatMap((e) => e.entry.sesMessageIds);
  }

  visible(): number {
    return this.entries.filter((e) => !e.hidden).length;
  }

  async takeAll(): Promise<FailedIntake[]> {
    const taken = this.entries.filter((e) => !e.hidden);
    for (const e of taken) e.hidden = true;
    return taken.map((e) => ({ ...e.entry }));
  }

  async remove(handle: string): Promise<void> {
    this.entries = this.entries.filter((e) => e.entry.handle !== handle);
  }

  async release(handle: string): Promise<void> {
    const e = this.entries.find((x) => x.entry.handle === handle);
    if (e) e.hidden = false;
  }
}
