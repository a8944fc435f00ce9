/**
 * A policy duration as written in the config (`24h`, `90m`, `7d`, `48bh`, `2bd`, `0.5bd`).
 *
 * Units, with the semantics applied by `deadline.ts` (DESIGN section 1):
 * - `m`, `h`: elapsed calendar time (60 s / 3600 s each), whatever the clocks do;
 * - `d`: the same local wall-clock time N days later in the project's time zone;
 * - `bh`: hours of working time (inside the calendar's working periods);
 * - `bd`: one working day's length of working time each (24 h on a whole-day calendar, 8 h on 09:00-17:00).
 */
import { DURATION_PATTERN } from './duration-pattern';

export type DurationUnit = 'm' | 'h' | 'd' | 'bh' | 'bd';

export interface Duration {
  amount: number;
  unit: DurationUnit;
}

/** The text given is not a duration the config accepts. */
export class InvalidDuration extends Error {
  override readonly name = 'InvalidDuration';
  constructor(readonly text: string) {
    super(`${JSON.stringify(text)} is not a duration (use e.g. 24h, 7d, 48bh, 2bd, 30m)`);
  }
}

/** Parses a config duration. Rejects zero, like the config schema: a promise of "0h" is a typo. */
export function parseDuration(text: string): Duration {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) throw new InvalidDuration(text);
  const amount = Number(match[1]);
  if (!Number.isFinite(amount) || amount <= 0) throw new InvalidDuration(text);
  return { amount, unit: match[2] as DurationUnit };
}

/** Accepts either form, so callers can pass config strings straight through. */
export function toDuration(d: Duration | string): Duration {
  if (typeof d === 'string') return parseDuration(d);
  if (!Number.isFinite(d.amount) || d.amount < 0) throw new InvalidDuration(`${d.amount}${d.unit}`);
  return d;
}

const UNIT_WORDS: Record<DurationUnit, [string, string]> = {
  m: ['minute', 'minutes'],
  h: ['hour', 'hours'],
  d: ['day', 'days'],
  bh: ['working hour', 'working hours'],
  bd: ['working day', 'working days'],
};

/** Human form for mail: "24 hours", "2 working days", "1 working hour", "1.5 hours". */
export function formatDuration(d: Duration): string {
  const [one, many] = UNIT_WORDS[d.unit];
  return `${tidy(d.amount)} ${d.amount === 1 ? one : many}`;
}

/** The config form back: `{ amount: 48, unit: 'bh' }` -> "48bh". */
export function durationText(d: Duration): string {
  return `${tidy(d.amount)}${d.unit}`;
}

/** A fraction of a duration in the same unit, e.g. the 50% reminder of 48bh is 24bh. */
export function scaleDuration(d: Duration | string, factor: number): Duration {
  const base = toDuration(d);
  if (!Number.isFinite(factor) || factor < 0) {
    throw new RangeError(`cannot scale a duration by ${factor}: the factor must be a finite number >= 0`);
  }
  return { amount: tidy(base.amount * factor), unit: base.unit };
}

/** Drops binary floating-point noise (0.1 * 3 = 0.30000000000000004) so that "0.3 hours" prints as such. */
function tidy(n: number): number {
  return Number(n.toPrecision(12));
}
