/**
 * The working periods of a calendar as instants, and the wall-clock arithmetic they rest on. Used by
 * `deadline.ts`; kept apart so the duration rules there read on their own.
 *
 * A working period belongs to the local day it starts on:
 * - whole-day calendar (no `workingHours`): local midnight to the next local midnight (23 or 25 h on a DST day);
 * - `workingHours` 09:00-17:00: that day's 09:00 to 17:00;
 * - `workingHours` 22:00-06:00 (crossing midnight): 22:00 on a working day to 06:00 the next day, even when the
 *   next day is not a working day (the Friday night shift ends Saturday morning).
 * Holidays are whole local days with no working time at all: a holiday removes its own day's period, and cuts
 * a night period coming from the day before at the holiday's midnight.
 *
 * Wall times that do not exist (spring-forward gap) resolve to the first instant after the gap; wall times that
 * happen twice (fall-back) resolve to the earlier one.
 */
import { IANAZone } from 'luxon';
import type { Calendar } from './config';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Stop looking for working time after this many days without any: the calendar has none worth the name. */
const MAX_IDLE_DAYS = 3 * 366;
/** No policy promise reaches this far; an amount that does is a typo (`48000bh`), not a deadline. */
const MAX_SPAN_DAYS = 20 * 366;

/** A calendar that cannot be computed with (the config check reports the same problems earlier). */
export class InvalidCalendar extends Error {
  override readonly name: string = 'InvalidCalendar';
}

/** The calendar's (or a caller's) time zone is not one the IANA database knows. */
export class InvalidTimeZone extends InvalidCalendar {
  override readonly name = 'InvalidTimeZone';
}

/** Thrown instead of looping forever when a calendar has no working time left. */
export class NoWorkingTime extends Error {
  override readonly name = 'NoWorkingTime';
}

/** [start, end) in epoch milliseconds. */
export interface Period {
  start: number;
  end: number;
}

/** A calendar prepared for arithmetic: zone resolved, times in minutes, weekdays as numbers. */
export interface WorkingCalendar {
  zone: IANAZone;
  /** 0 = Sunday ... 6 = Saturday, as `Date#getUTCDay`. */
  weekdays: Set<number>;
  holidays: Array<{ from: string; to: string }>;
  /** Minutes after local midnight; absent on a whole-day calendar. */
  hours?: { start: number; end: number };
  describe: string;
}

const WEEKDAY_NUMBER: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

export function resolveZone(timeZone: string): IANAZone {
  const zone = IANAZone.create(timeZone);
  if (!zone.isValid) throw new InvalidTimeZone(`${JSON.stringify(timeZone)} is not an IANA time zone`);
  return zone;
}

export function prepareCalendar(cal: Calendar): WorkingCalendar {
  const zone = resolveZone(cal.timeZone);
  const days = cal.workingDays ?? ['mon', 'tue', 'wed', 'thu', 'fri'];
  const weekdays = new Set(days.map((d) => WEEKDAY_NUMBER[d]));
  const holidays = (cal.holidays ?? []).map((h) =>
    typeof h === 'string' ? { from: h, to: h } : { from: h.from, to: h.to ?? h.from },
  );
  let hours: WorkingCalendar['hours'];
  if (cal.workingHours) {
    hours = { start: minutesOf(cal.workingHours.start), end: minutesOf(cal.workingHours.end) };
    if (hours.start === hours.end) {
      throw new InvalidCalendar(
        `workingHours start and end are both ${cal.workingHours.start}: omit workingHours for whole working days`,
      );
    }
  }
  const span = cal.workingHours ? ` ${cal.workingHours.start}-${cal.workingHours.end}` : ' whole days';
  return { zone, weekdays, holidays, hours, describe: `${cal.timeZone}, ${days.join(' ')}${span}` };
}

/** Length of one working day's working time, the unit of `bd`. */
export function workingDayLength(wc: WorkingCalendar): number {
  if (!wc.hours) return DAY_MS;
  return (((wc.hours.end - wc.hours.start + 1440) % 1440) || 1440) * MINUTE_MS;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/**
 * The zone's UTC offset at `t`, in minutes: luxon's `IANAZone#offset` (an Intl formatToParts per call, most of
 * what `secintake reports` spent on 1,000 reports), remembered per zone and UTC hour. An hour whose first and
 * last millisecond have the same offset has it throughout (tzdb never puts two transitions within one hour);
 * an hour with a transition in it is asked of luxon at each instant, as before. Same answers, fewer Intl calls.
 */
export function zoneOffset(zone: IANAZone, t: number): number {
  let cache = offsetCache.get(zone);
  if (!cache) offsetCache.set(zone, (cache = new Map()));
  const hour = Math.floor(t / HOUR_MS);
  let offset = cache.get(hour);
  if (offset === undefined) {
    const first = zone.offset(hour * HOUR_MS);
    offset = first === zone.offset(hour * HOUR_MS + HOUR_MS - 1) ? first : NaN;
    if (cache.size >= OFFSET_CACHE_HOURS) cache.clear();
    cache.set(hour, offset);
  }
  return Number.isNaN(offset) ? zone.offset(t) : offset;
}

/** Per zone (luxon keeps one IANAZone per name): UTC hour -> offset in minutes, NaN for an hour with a transition. */
const offsetCache = new WeakMap<IANAZone, Map<number, number>>();
/** About 11 years of hours per zone; a long-running process starts over beyond that. */
const OFFSET_CACHE_HOURS = 100_000;

/** The local day (days since 1970-01-01 on the local calendar) that contains instant `t`. */
export function localDay(zone: IANAZone, t: number): number {
  return Math.floor(wallClock(zone, t) / DAY_MS);
}

/** The local wall-clock reading of `t`, written as if it were a UTC epoch value. */
export function wallClock(zone: IANAZone, t: number): number {
  return t + zoneOffset(zone, t) * MINUTE_MS;
}

/**
 * The instant at which the zone's clocks read `wall` (a wall-clock reading written as a UTC epoch value).
 * Ambiguous (fall-back): the earlier instant. Nonexistent (spring-forward gap): the first instant after the gap.
 */
export function instantOfWall(zone: IANAZone, wall: number): number {
  // Offsets are within +-14 h, so every candidate instant lies within a day of `wall`; probing both sides
  // of it finds the offsets in force before and after any transition near it.
  const before = zoneOffset(zone, wall - DAY_MS);
  const after = zoneOffset(zone, wall + DAY_MS);
  // The usual case, and the hot path of day-by-day walks: no transition near, one answer.
  if (before === after) return wall - before * MINUTE_MS;
  const offsets = new Set([before, zoneOffset(zone, wall), after]);
  const valid: number[] = [];
  for (const o of offsets) {
    const t = wall - o * MINUTE_MS;
    if (zoneOffset(zone, t) === o) valid.push(t);
  }
  if (valid.length > 0) return Math.min(...valid);
  // In a gap: the transition lies between the instants the two offsets give; find it by bisection.
  const candidates = [...offsets].map((o) => wall - o * MINUTE_MS);
  let lo = Math.min(...candidates);
  let hi = Math.max(...candidates);
  const later = zoneOffset(zone, hi);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zoneOffset(zone, mid) === later) hi = mid;
    else lo = mid;
  }
  return hi;
}

export function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function isHoliday(wc: WorkingCalendar, day: number): boolean {
  const iso = isoDate(day);
  return wc.holidays.some((h) => h.from <= iso && iso <= h.to);
}

function isWorkingDay(wc: WorkingCalendar, day: number): boolean {
  return wc.weekdays.has(new Date(day * DAY_MS).getUTCDay()) && !isHoliday(wc, day);
}

/** The working period that starts on local day `day`, if any. */
export function periodOf(wc: WorkingCalendar, day: number): Period | undefined {
  if (!isWorkingDay(wc, day)) return undefined;
  const at = (d: number, minutes: number) => instantOfWall(wc.zone, d * DAY_MS + minutes * MINUTE_MS);
  let period: Period;
  if (!wc.hours) period = { start: at(day, 0), end: at(day + 1, 0) };
  else if (wc.hours.start < wc.hours.end) period = { start: at(day, wc.hours.start), end: at(day, wc.hours.end) };
  else {
    const end = isHoliday(wc, day + 1) ? at(day + 1, 0) : at(day + 1, wc.hours.end);
    period = { start: at(day, wc.hours.start), end };
  }
  // A period inside a DST gap has no time in it.
  return period.end > period.start ? period : undefined;
}

/** Working periods that end after `from`, in time order; `until` (inclusive) bounds the search. */
export function* periodsAfter(wc: WorkingCalendar, from: number, until = Infinity): Generator<Period> {
  const lastDay = until === Infinity ? Infinity : localDay(wc.zone, until);
  let idle = 0;
  // The day before may hold a night period running into `from`'s day.
  const firstDay = localDay(wc.zone, from) - 1;
  for (let day = firstDay; day <= lastDay; day++) {
    if (until === Infinity && day - firstDay > MAX_SPAN_DAYS) throw tooFar(from);
    const p = periodOf(wc, day);
    if (p && p.end > from) {
      idle = 0;
      yield p;
    } else if (++idle > MAX_IDLE_DAYS && until === Infinity) {
      throw noWorkingTime(wc, from, 'after');
    }
  }
}

/** Working periods that start before `from`, latest first. */
export function* periodsBefore(wc: WorkingCalendar, from: number): Generator<Period> {
  let idle = 0;
  const firstDay = localDay(wc.zone, from);
  for (let day = firstDay; ; day--) {
    if (firstDay - day > MAX_SPAN_DAYS) throw tooFar(from);
    const p = periodOf(wc, day);
    if (p && p.start < from) {
      idle = 0;
      yield p;
    } else if (++idle > MAX_IDLE_DAYS) {
      throw noWorkingTime(wc, from, 'before');
    }
  }
}

function tooFar(from: number): RangeError {
  return new RangeError(
    `a deadline more than 20 years from ${new Date(from).toISOString()} is not a deadline: check the duration`,
  );
}

function noWorkingTime(wc: WorkingCalendar, from: number, direction: string): NoWorkingTime {
  return new NoWorkingTime(
    `the calendar (${wc.describe}) has no working time in the ${MAX_IDLE_DAYS} days ${direction} ` +
      `${new Date(from).toISOString()}: check its workingDays and holidays`,
  );
}
