/**
 * Every expected instant below was worked out by hand (local time in the comment, UTC in the value), not
 * computed by the code. 2027 DST: America/New_York springs forward Sun 03-14 02:00 EST -> 03:00 EDT and falls
 * back Sun 11-07 02:00 EDT -> 01:00 EST; Europe/Berlin Sun 03-28 02:00 CET -> 03:00 CEST and Sun 10-31
 * 03:00 CEST -> 02:00 CET.
 */
import type { Calendar } from '../../lambdas/core/config';
import {
  InvalidCalendar,
  NoWorkingTime,
  addDuration,
  isWorkingTime,
  nextWorkingStart,
  subtractDuration,
  workingTimeBetween,
  workingTimeOf,
} from '../../lambdas/core/deadline';
import { scaleDuration } from '../../lambdas/core/duration';

const WEEK: Calendar['workingDays'] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const ALL_DAYS: Calendar['workingDays'] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const office = (timeZone: string, holidays: Calendar['holidays'] = []): Calendar => ({
  timeZone,
  workingDays: WEEK,
  workingHours: { start: '09:00', end: '17:00' },
  holidays,
});
const wholeDays = (timeZone: string, workingDays = WEEK, holidays: Calendar['holidays'] = []): Calendar => ({
  timeZone,
  workingDays,
  holidays,
});
const NY_OFFICE = office('America/New_York');
const NY_WHOLE = wholeDays('America/New_York');
const BERLIN_OFFICE = office('Europe/Berlin');
const NIGHT_SHIFT: Calendar = { timeZone: 'UTC', workingDays: WEEK, workingHours: { start: '22:00', end: '06:00' }, holidays: [] };

const at = (iso: string) => new Date(iso);
const HOUR = 3_600_000;

describe('addDuration', () => {
  it.each([
    // calendar hours: elapsed, whatever the clocks do
    ['24h NY spring', NY_WHOLE, '2027-03-13T17:00:00Z', '24h', '2027-03-14T17:00:00.000Z'], // Sat 12:00 EST -> Sun 13:00 EDT
    ['24h NY fall', NY_WHOLE, '2027-11-06T16:00:00Z', '24h', '2027-11-07T16:00:00.000Z'], // Sat 12:00 EDT -> Sun 11:00 EST
    ['24h Berlin spring', BERLIN_OFFICE, '2027-03-27T11:00:00Z', '24h', '2027-03-28T11:00:00.000Z'], // Sat 12:00 CET -> Sun 13:00 CEST
    ['24h Berlin fall', BERLIN_OFFICE, '2027-10-30T10:00:00Z', '24h', '2027-10-31T10:00:00.000Z'], // Sat 12:00 CEST -> Sun 11:00 CET
    ['90m', NY_OFFICE, '2027-03-13T17:00:00Z', '90m', '2027-03-13T18:30:00.000Z'],
    // calendar days: same wall-clock time
    ['7d NY spring', NY_OFFICE, '2027-03-12T21:02:00Z', '7d', '2027-03-19T20:02:00.000Z'], // Fri 16:02 EST -> Fri 16:02 EDT
    ['7d NY fall', NY_OFFICE, '2027-11-05T20:02:00Z', '7d', '2027-11-12T21:02:00.000Z'], // Fri 16:02 EDT -> Fri 16:02 EST
    ['7d Berlin spring', BERLIN_OFFICE, '2027-03-24T09:00:00Z', '7d', '2027-03-31T08:00:00.000Z'], // Wed 10:00 CET -> CEST
    ['7d Berlin fall', BERLIN_OFFICE, '2027-10-27T08:00:00Z', '7d', '2027-11-03T09:00:00.000Z'], // Wed 10:00 CEST -> CET
    ['1d across fall-back is 25 h', NY_OFFICE, '2027-11-06T16:00:00Z', '1d', '2027-11-07T17:00:00.000Z'],
    ['1d into NY gap', NY_OFFICE, '2027-03-13T07:30:00Z', '1d', '2027-03-14T07:00:00.000Z'], // Sat 02:30 EST -> Sun 03:00 EDT
    ['1d into Berlin gap', BERLIN_OFFICE, '2027-03-27T01:30:00Z', '1d', '2027-03-28T01:00:00.000Z'], // Sat 02:30 CET -> Sun 03:00 CEST
    ['1d onto a repeated hour: the earlier', NY_OFFICE, '2027-11-06T05:30:00Z', '1d', '2027-11-07T05:30:00.000Z'], // 01:30 EDT
    ['3.5d: 3 wall days then 12 h', NY_OFFICE, '2027-03-12T21:00:00Z', '3.5d', '2027-03-16T08:00:00.000Z'], // Mon 16:00 EDT + 12h
    // business hours across DST: working time is real time inside working periods
    ['2bh Fri -> Mon, NY spring', NY_OFFICE, '2027-03-12T21:00:00Z', '2bh', '2027-03-15T14:00:00.000Z'], // Fri 16:00 EST -> Mon 10:00 EDT
    ['2bh Fri -> Mon, NY fall', NY_OFFICE, '2027-11-05T20:00:00Z', '2bh', '2027-11-08T15:00:00.000Z'], // Fri 16:00 EDT -> Mon 10:00 EST
    ['2bh Fri -> Mon, Berlin spring', BERLIN_OFFICE, '2027-03-26T15:00:00Z', '2bh', '2027-03-29T08:00:00.000Z'],
    ['2bh Fri -> Mon, Berlin fall', BERLIN_OFFICE, '2027-10-29T14:00:00Z', '2bh', '2027-11-01T09:00:00.000Z'],
    // every day a whole working day: the 23-hour Sunday gives 23 working hours
    ['24bh every day, NY spring', wholeDays('America/New_York', ALL_DAYS), '2027-03-13T17:00:00Z', '24bh', '2027-03-14T17:00:00.000Z'], // Sun 13:00 EDT
    ['24bh every day, Berlin fall', wholeDays('Europe/Berlin', ALL_DAYS), '2027-10-30T10:00:00Z', '24bh', '2027-10-31T10:00:00.000Z'], // Sun 11:00 CET
    // working hours 01:00-05:00 every day: on NY's spring Sunday that period is 3 h long (01:00 EST-05:00 EDT)
    ['4bh through a period shortened by the gap', { ...NY_OFFICE, workingDays: ALL_DAYS, workingHours: { start: '01:00', end: '05:00' } }, '2027-03-14T06:00:00Z', '4bh', '2027-03-15T06:00:00.000Z'], // Mon 02:00 EDT
    // arrival outside working time
    ['before opening', NY_OFFICE, '2027-03-16T11:00:00Z', '2bh', '2027-03-16T15:00:00.000Z'], // Tue 07:00 -> 11:00 EDT
    ['Friday evening', NY_OFFICE, '2027-03-19T22:30:00Z', '1bh', '2027-03-22T14:00:00.000Z'], // Fri 18:30 -> Mon 10:00 EDT
    ['Saturday', NY_OFFICE, '2027-03-20T16:00:00Z', '8bh', '2027-03-22T21:00:00.000Z'], // Sat -> Mon 17:00 EDT
    // holidays
    ['day before a holiday', office('Europe/Berlin', ['2026-12-25']), '2026-12-24T15:00:00Z', '2bh', '2026-12-28T09:00:00.000Z'], // Thu 16:00 CET -> Mon 10:00
    ['across a holiday range', office('Europe/Berlin', [{ from: '2026-12-24', to: '2027-01-01' }]), '2026-12-23T14:00:00Z', '1bd', '2027-01-04T14:00:00.000Z'], // Wed 15:00 CET: 2h, then Mon 09:00-15:00
    ['arriving on a holiday', office('Europe/Berlin', ['2026-12-25']), '2026-12-25T10:00:00Z', '1bh', '2026-12-28T09:00:00.000Z'],
    // exactly on a boundary: ends at the period's end, not at the next start
    ['8bh from Fri 09:00 ends Fri 17:00', NY_OFFICE, '2027-03-19T13:00:00Z', '8bh', '2027-03-19T21:00:00.000Z'],
    ['0.5bd from Fri 13:00 ends Fri 17:00', NY_OFFICE, '2027-03-19T17:00:00Z', '0.5bd', '2027-03-19T21:00:00.000Z'],
    ['2bd whole days from Thu 00:00 ends Fri 24:00', NY_WHOLE, '2027-03-18T04:00:00Z', '2bd', '2027-03-20T04:00:00.000Z'],
    // working hours crossing midnight (UTC, Mon-Fri 22:00-06:00)
    ['night: Friday shift runs into Saturday', NIGHT_SHIFT, '2027-03-19T23:00:00Z', '4bh', '2027-03-20T03:00:00.000Z'],
    ['night: then Monday 22:00', NIGHT_SHIFT, '2027-03-19T23:00:00Z', '8bh', '2027-03-22T23:00:00.000Z'],
    ['night: 1bd is one 8 h shift', NIGHT_SHIFT, '2027-03-15T22:00:00Z', '1bd', '2027-03-16T06:00:00.000Z'],
    ['night: arriving Sat 07:00 waits for Mon 22:00', NIGHT_SHIFT, '2027-03-20T07:00:00Z', '1bh', '2027-03-22T23:00:00.000Z'],
    ['night: a holiday cuts the shift at its midnight', { ...NIGHT_SHIFT, holidays: ['2027-03-18'] }, '2027-03-17T23:00:00Z', '2bh', '2027-03-19T23:00:00.000Z'],
    // "48-72 business hours" on a whole-day calendar: 2 to 3 working days, the weekend skipped
    ['48bh whole days over a weekend', NY_WHOLE, '2027-03-12T21:02:00Z', '48bh', '2027-03-16T20:02:00.000Z'], // Fri 16:02 EST -> Tue 16:02 EDT
    ['72bh whole days over a weekend', NY_WHOLE, '2027-03-12T21:02:00Z', '72bh', '2027-03-17T20:02:00.000Z'], // -> Wed 16:02 EDT
    ['2bd = 48bh on whole days', NY_WHOLE, '2027-03-12T21:02:00Z', '2bd', '2027-03-16T20:02:00.000Z'],
    ['48bh from Sat counts from Mon 00:00', wholeDays('Europe/Berlin'), '2027-06-12T08:00:00Z', '48bh', '2027-06-15T22:00:00.000Z'], // Wed 00:00 CEST
    // business days on an office calendar
    ['2bd on 09:00-17:00 is 16 working hours', NY_OFFICE, '2027-03-16T15:00:00Z', '2bd', '2027-03-18T15:00:00.000Z'], // Tue 11:00 -> Thu 11:00 EDT
    // fractions
    ['0.25bh', NY_OFFICE, '2027-03-19T20:50:00Z', '0.25bh', '2027-03-22T13:05:00.000Z'], // Fri 16:50 -> Mon 09:05 EDT
  ])('%s', (_name, cal, start, duration, expected) => {
    expect(addDuration(at(start), duration, cal).toISOString()).toBe(expected);
  });

  it('takes a fraction of a business duration (50% of 48bh)', () => {
    // Fri 16:02 EST: 7:58 on Friday, then 16:02 of Monday -> Mon 16:02 EDT
    expect(addDuration(at('2027-03-12T21:02:00Z'), scaleDuration('48bh', 0.5), NY_WHOLE).toISOString()).toBe(
      '2027-03-15T20:02:00.000Z',
    );
  });

  it('stops with a clear error on a calendar with no working time left', () => {
    // Mondays only, and every Monday from 2022 to 2031 a holiday: more than 3 years idle either way
    const cal = wholeDays('Europe/Berlin', ['mon'], [{ from: '2022-01-01', to: '2031-12-31' }]);
    expect(() => addDuration(at('2027-03-16T10:00:00Z'), '1bh', cal)).toThrow(NoWorkingTime);
    expect(() => addDuration(at('2027-03-16T10:00:00Z'), '1bh', cal)).toThrow(/no working time .* workingDays and holidays/);
    expect(() => subtractDuration(at('2027-03-16T10:00:00Z'), '1bh', cal)).toThrow(NoWorkingTime);
    expect(() => nextWorkingStart(at('2027-03-16T10:00:00Z'), cal)).toThrow(NoWorkingTime);
  });

  it('rejects calendars it cannot compute with', () => {
    expect(() => addDuration(at('2027-03-16T10:00:00Z'), '1d', { ...NY_OFFICE, timeZone: 'Mars/Base' })).toThrow(
      new InvalidCalendar('"Mars/Base" is not an IANA time zone'),
    );
    const empty = { ...NY_OFFICE, workingHours: { start: '09:00', end: '09:00' } };
    expect(() => addDuration(at('2027-03-16T10:00:00Z'), '1bh', empty)).toThrow(InvalidCalendar);
    expect(() => addDuration(at('2027-03-16T10:00:00Z'), '1 day', NY_OFFICE)).toThrow(/is not a duration/);
  });
});

describe('subtractDuration', () => {
  it.each([
    ['1bh before Mon 10:00 is Mon 09:00', NY_OFFICE, '2027-03-22T14:00:00Z', '1bh', '2027-03-22T13:00:00.000Z'],
    ['1bh before Mon 09:30 is Fri 16:30', NY_OFFICE, '2027-03-22T13:30:00Z', '1bh', '2027-03-19T20:30:00.000Z'],
    ['1bh before Mon 09:00 is Fri 16:00', NY_OFFICE, '2027-03-22T13:00:00Z', '1bh', '2027-03-19T20:00:00.000Z'],
    ['1bh before Sat noon is Fri 16:00', NY_OFFICE, '2027-03-20T16:00:00Z', '1bh', '2027-03-19T20:00:00.000Z'],
    ['48bh before Tue 16:02 EDT is Fri 16:02 EST', NY_WHOLE, '2027-03-16T20:02:00Z', '48bh', '2027-03-12T21:02:00.000Z'],
    // Mon 00:30 is not working time (no Sunday shift): the last working hour is the end of Friday's shift
    ['1bh before Mon 00:30 on the night shift is Sat 05:00', NIGHT_SHIFT, '2027-03-22T00:30:00Z', '1bh', '2027-03-20T05:00:00.000Z'],
    ['7d before Fri 16:02 EDT is Fri 16:02 EST', NY_OFFICE, '2027-03-19T20:02:00Z', '7d', '2027-03-12T21:02:00.000Z'],
    ['1d back into the gap', NY_OFFICE, '2027-03-15T06:30:00Z', '1d', '2027-03-14T07:00:00.000Z'], // Mon 02:30 EDT -> Sun 03:00 EDT
    ['24h is elapsed', NY_OFFICE, '2027-03-14T17:00:00Z', '24h', '2027-03-13T17:00:00.000Z'],
  ])('%s', (_name, cal, end, duration, expected) => {
    expect(subtractDuration(at(end), duration, cal).toISOString()).toBe(expected);
  });

  it.each([
    ['2027-03-12T14:30:00Z', '13bh', NY_OFFICE],
    ['2027-11-05T19:00:00Z', '2.5bd', NY_OFFICE],
    ['2027-03-26T10:15:00Z', '30bh', BERLIN_OFFICE],
    ['2027-03-19T23:10:00Z', '11bh', NIGHT_SHIFT],
    ['2027-03-12T21:02:00Z', '7d', NY_OFFICE],
  ])('undoes addDuration from a working instant (%s + %s)', (start, duration, cal) => {
    const end = addDuration(at(start), duration, cal);
    expect(subtractDuration(end, duration, cal).toISOString()).toBe(at(start).toISOString());
  });
});

describe('isWorkingTime and nextWorkingStart', () => {
  it.each([
    ['Fri 09:00 EDT: a period includes its start', NY_OFFICE, '2027-03-19T13:00:00Z', true],
    ['Fri 17:00 EDT: and excludes its end', NY_OFFICE, '2027-03-19T21:00:00Z', false],
    ['Saturday', NY_OFFICE, '2027-03-20T16:00:00Z', false],
    ["Sat 05:00, inside Friday's night shift", NIGHT_SHIFT, '2027-03-20T05:00:00Z', true],
    ['Sat 07:00, after it', NIGHT_SHIFT, '2027-03-20T07:00:00Z', false],
    ['a holiday', office('Europe/Berlin', ['2026-12-25']), '2026-12-25T10:00:00Z', false],
  ])('%s', (_name, cal, t, expected) => {
    expect(isWorkingTime(at(t), cal)).toBe(expected);
  });

  it('gives the instant itself inside working time, else the next start', () => {
    expect(nextWorkingStart(at('2027-03-16T15:00:00Z'), NY_OFFICE).toISOString()).toBe('2027-03-16T15:00:00.000Z');
    expect(nextWorkingStart(at('2027-03-19T21:00:00Z'), NY_OFFICE).toISOString()).toBe('2027-03-22T13:00:00.000Z');
    const range = office('Europe/Berlin', [{ from: '2026-12-24', to: '2027-01-01' }]);
    expect(nextWorkingStart(at('2026-12-28T09:00:00Z'), range).toISOString()).toBe('2027-01-04T08:00:00.000Z');
  });
});

describe('workingTimeBetween', () => {
  it('counts only working time, Fri 16:00 EST to Mon 10:00 EDT = 2 h', () => {
    expect(workingTimeBetween(at('2027-03-12T21:00:00Z'), at('2027-03-15T14:00:00Z'), NY_OFFICE)).toBe(2 * HOUR);
    expect(workingTimeBetween(at('2027-03-15T14:00:00Z'), at('2027-03-12T21:00:00Z'), NY_OFFICE)).toBe(-2 * HOUR);
  });

  it('skips a holiday range (Dec 23 and Jan 4 only)', () => {
    const range = office('Europe/Berlin', [{ from: '2026-12-24', to: '2027-01-01' }]);
    expect(workingTimeBetween(at('2026-12-22T23:00:00Z'), at('2027-01-04T23:00:00Z'), range)).toBe(16 * HOUR);
  });

  it('counts night shifts and the 23-hour spring Sunday', () => {
    expect(workingTimeBetween(at('2027-03-19T20:00:00Z'), at('2027-03-22T23:30:00Z'), NIGHT_SHIFT)).toBe(9.5 * HOUR);
    const everyDay = wholeDays('America/New_York', ALL_DAYS);
    expect(workingTimeBetween(at('2027-03-14T05:00:00Z'), at('2027-03-15T04:00:00Z'), everyDay)).toBe(23 * HOUR);
  });

  it('is zero for an empty or idle interval', () => {
    expect(workingTimeBetween(at('2027-03-20T10:00:00Z'), at('2027-03-21T10:00:00Z'), NY_OFFICE)).toBe(0);
  });
});

describe('workingTimeOf', () => {
  it('gives a business day the length of one working day', () => {
    expect(workingTimeOf('2bd', NY_OFFICE)).toBe(16 * HOUR);
    expect(workingTimeOf('1bd', NY_WHOLE)).toBe(24 * HOUR);
    expect(workingTimeOf('1bd', NIGHT_SHIFT)).toBe(8 * HOUR);
    expect(() => workingTimeOf('1d', NY_OFFICE)).toThrow(/calendar time/);
  });
});

describe('limits', () => {
  it('counts a long interval even when it holds years without working time', () => {
    // Mondays only; 2027-2031 all holidays; Mon 2032-01-05 is the next working day
    const cal = wholeDays('UTC', ['mon'], [{ from: '2027-01-01', to: '2031-12-31' }]);
    expect(workingTimeBetween(at('2026-12-28T00:00:00Z'), at('2032-01-06T00:00:00Z'), cal)).toBe(48 * HOUR);
  });

  it('refuses an amount that runs past 20 years', () => {
    expect(() => addDuration(at('2027-03-16T10:00:00Z'), '100000bh', NY_OFFICE)).toThrow(/more than 20 years/);
  });
});

describe('a zone whose DST change happens at midnight (America/Santiago 2027)', () => {
  // Sep 5: Sat 23:59:59 -04 is followed by Sun 01:00 -03 (04:00Z); Apr 4: Sat 23:59:59 -03 is followed by Sat 23:00 -04.
  it('starts a whole working day at the first instant after the missing midnight', () => {
    const sundays = wholeDays('America/Santiago', ['sun']);
    expect(nextWorkingStart(at('2027-09-05T00:00:00Z'), sundays).toISOString()).toBe('2027-09-05T04:00:00.000Z');
    expect(addDuration(at('2027-09-04T04:00:00Z'), '1d', sundays).toISOString()).toBe('2027-09-05T04:00:00.000Z');
  });

  it('gives the fall-back Saturday 25 working hours', () => {
    const saturdays = wholeDays('America/Santiago', ['sat']);
    expect(workingTimeBetween(at('2027-04-01T00:00:00Z'), at('2027-04-06T00:00:00Z'), saturdays)).toBe(25 * HOUR);
  });
});
