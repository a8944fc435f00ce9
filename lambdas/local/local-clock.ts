/**
 * The local stack's clock: real time plus an offset that `secintake clock advance 72h` moves forward, kept in
 * `<dataDir>/clock.json` so every process of the local stack (server, CLI) agrees on the time.
 *
 * `frozen` (tests): the clock stands still until `advance` or `set` moves it, so timers are tested by moving
 * the clock, never by sleeping. It only moves forward: timers that fired cannot un-fire.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../ports/clock';

export class ClockMovedBackwards extends Error {
  override readonly name = 'ClockMovedBackwards';
  constructor(readonly target: Date, readonly now: Date) {
    super(`the local clock only moves forward: ${target.toISOString()} is before ${now.toISOString()}`);
  }
}

export interface LocalClockOptions {
  /** Where clock.json lives; without it the offset is kept in memory only. */
  dataDir?: string;
  /** Stand still at this instant (tests). */
  frozenAt?: Date;
  /** Real time source; tests of the clock itself may replace it. */
  realNow?: () => number;
}

interface ClockFile {
  offsetMs: number;
}

export class LocalClock implements Clock {
  private offsetMs = 0;
  private frozenMs: number | undefined;
  private readonly file: string | undefined;
  private readonly realNow: () => number;
  private readonly listeners = new Set<() => void>();

  constructor(options: LocalClockOptions = {}) {
    this.realNow = options.realNow ?? Date.now;
    this.file = options.dataDir ? join(options.dataDir, 'clock.json') : undefined;
    if (options.frozenAt) this.frozenMs = options.frozenAt.getTime();
    else this.offsetMs = this.load();
  }

  get frozen(): boolean {
    return this.frozenMs !== undefined;
  }

  now(): Date {
    if (this.frozenMs !== undefined) return new Date(this.frozenMs);
    // Re-read: another process (the CLI) may have advanced it.
    if (this.file) this.offsetMs = this.load();
    return new Date(this.realNow() + this.offsetMs);
  }

  /** Moves the clock forward by `ms` (>= 0). */
  advance(ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0) throw new ClockMovedBackwards(new Date(this.now().getTime() + ms), this.now());
    return this.set(new Date(this.now().getTime() + ms));
  }

  /** Moves the clock to `target`, which must not be before now. */
  set(target: Date): Date {
    const now = this.now();
    if (target.getTime() < now.getTime()) throw new ClockMovedBackwards(target, now);
    if (this.frozenMs !== undefined) this.frozenMs = target.getTime();
    else {
      this.offsetMs = target.getTime() - this.realNow();
      this.save();
    }
    for (const listener of this.listeners) listener();
    return new Date(target);
  }

  /** Called after every move (the workflow runner re-checks its sleepers). Returns an unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private load(): number {
    if (!this.file) return this.offsetMs;
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as ClockFile;
      return Number.isFinite(parsed.offsetMs) ? parsed.offsetMs : 0;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw e;
    }
  }

  private save(): void {
    if (!this.file) return;
    mkdirSync(join(this.file, '..'), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ offsetMs: this.offsetMs } satisfies ClockFile));
    renameSync(tmp, this.file); // atomic: a reader never sees half a file
  }
}
