/**
 * Deadline arithmetic: a pure function of (start, duration, calendar). DESIGN section 1 is the spec:
 *
 * - `m`, `h` (calendar minutes and hours): elapsed time, 3600 s an hour, whatever the clocks do.
 * - `d` (calendar days): the same local wall-clock time N days later in the calendar's time zone (23 or 25
 *   elapsed hours across a DST change). If that wall time does not exist (spring-forward gap), the first instant
 *   after the gap; if it happens twice (fall-back), the earlier. A fraction of a day (3.5d, from a 50% reminder)
 *   is whole days on the wall clock, then the fraction as elapsed time (0.5d = 12 h).
 * - `bh` (business hours): N hours of working time, counting only time inside the calendar's working periods
 *   (see `working-periods.ts`: working days, whole days or working hours, minus holidays, in the zone).
 * - `bd` (business days): one working day's length of working time each: 24 h on a whole-day calendar, 8 h on
 *   a 09:00-17:00 calendar. So on a whole-day Mon-Fri calendar 48bh = 2bd = two working days.
 * - Arrival outside working time starts the count at the next working period.
 * - A count that ends exactly at the end of a working period ends there (Friday 17:00), not at the next start.
 *   Counting backwards (`subtractDuration`), the mirror: a count that ends exactly at the start of a working
 *   period ends there (Monday 09:00), not at the previous end.
 * - Working time is real elapsed time: a whole working day with a spring-forward change has 23 hours of it.
 *
 * Results are rounded to the millisecond (a `Date`'s resolution).
 */
import type { Calendar } from './config';
import { type Duration, toDuration } from './duration';
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  type WorkingCalendar,
  instantOfWall,
  periodsAfter,
  periodsBefore,
  prepareCalendar,
  resolveZone,
  wallClock,
  workingDayLength,
} from './working-periods';

export { InvalidCalendar, InvalidTimeZone, NoWorkingTime } from './working-periods';

/** The instant `d` after `start` under `cal` (see the module doc for each unit's meaning). */
export function addDuration(start: Date, d: Duration | string, cal: Calendar): Date {
  return shift(start, toDuration(d), cal, +1);
}

/** The instant `d` before `end`: the inverse of `addDuration` (for "1 working hour before" reminders). */
export function subtractDuration(end: Date, d: Duration | string, cal: Calendar): Date {
  return shift(end, toDuration(d), cal, -1);
}

/** Whether `t` is inside a working period (periods are [start, end): Friday 17:00 itself is not). */
export function isWorkingTime(t: Date, cal: Calendar): boolean {
  const wc = prepareCalendar(cal);
  const ms = instantOf(t);
  const first = periodsAfter(wc, ms, ms).next();
  return !first.done && first.value.start <= ms;
}

/** `t` itself when it is working time, else the start of the next working period. */
export function nextWorkingStart(t: Date, cal: Calendar): Date {
  const wc = prepareCalendar(cal);
  const ms = instantOf(t);
  const first = periodsAfter(wc, ms).next();
  // periodsAfter never finishes without a `until`: it yields or throws NoWorkingTime.
  const period = first.value as { start: number };
  return new Date(Math.max(period.start, ms));
}

/** Milliseconds of working time in [a, b); negative when b is before a. */
export function workingTimeBetween(a: Date, b: Date, cal: Calendar): number {
  const from = instantOf(a);
  const to = instantOf(b);
  if (to < from) return -workingTimeBetween(b, a, cal);
  const wc = prepareCalendar(cal);
  let total = 0;
  for (const p of periodsAfter(wc, from, to)) {
    if (p.start >= to) break;
    total += Math.min(p.end, to) - Math.max(p.start, from);
  }
  return total;
}

/** How many milliseconds of working time a business-unit duration stands for on this calendar. */
export function workingTimeOf(d: Duration | string, cal: Calendar): number {
  const duration = toDuration(d);
  if (duration.unit === 'bh') return Math.round(duration.amount * HOUR_MS);
  if (duration.unit === 'bd') return Math.round(duration.amount * workingDayLength(prepareCalendar(cal)));
  throw new RangeError(`${duration.amount}${duration.unit} is calendar time, not working time`);
}

function shift(at: Date, d: Duration, cal: Calendar, sign: 1 | -1): Date {
  const t = instantOf(at);
  switch (d.unit) {
    case 'm':
      return new Date(t + sign * Math.round(d.amount * MINUTE_MS));
    case 'h':
      return new Date(t + sign * Math.round(d.amount * HOUR_MS));
    case 'd':
      return new Date(shiftDays(t, d.amount, cal.timeZone, sign));
    case 'bh':
    case 'bd': {
      const wc = prepareCalendar(cal);
      const work = workingTimeOf(d, cal);
      return new Date(sign > 0 ? countForward(wc, t, work) : countBackward(wc, t, work));
    }
  }
}

function shiftDays(t: number, amount: number, timeZone: string, sign: 1 | -1): number {
  const zone = resolveZone(timeZone);
  const whole = Math.floor(amount);
  const fraction = Math.round((amount - whole) * DAY_MS);
  if (sign > 0) return instantOfWall(zone, wallClock(zone, t) + whole * DAY_MS) + fraction;
  const before = t - fraction;
  return instantOfWall(zone, wallClock(zone, before) - whole * DAY_MS);
}

function countForward(wc: WorkingCalendar, from: number, work: number): number {
  if (work === 0) return from;
  let cursor = from;
  let left = work;
  for (const p of periodsAfter(wc, from)) {
    cursor = Math.max(cursor, p.start);
    const available = p.end - cursor;
    // `<=`: a count that uses up a period exactly ends at that period's end.
    if (left <= available) return cursor + left;
    left -= available;
  }
  throw new Error('unreachable: periodsAfter yields or throws');
}

function countBackward(wc: WorkingCalendar, from: number, work: number): number {
  if (work === 0) return from;
  let cursor = from;
  let left = work;
  for (const p of periodsBefore(wc, from)) {
    cursor = Math.min(cursor, p.end);
    const available = cursor - p.start;
    if (left <= available) return cursor - left;
    left -= available;
  }
  throw new Error('unreachable: periodsBefore yields or throws');
}

function instantOf(t: Date): number {
  const ms = t.getTime();
  if (Number.isNaN(ms)) throw new RangeError('deadline arithmetic was given an invalid Date');
  return ms;
}
