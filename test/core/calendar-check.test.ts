import { calendarProblems } from '../../lambdas/core/calendar-check';
import type { Calendar } from '../../lambdas/core/config';

const base: Calendar = { timeZone: 'Europe/Rome', workingDays: ['mon', 'tue', 'wed', 'thu', 'fri'], holidays: [] };

describe('calendarProblems', () => {
  it('finds nothing wrong with a plain calendar', () => {
    expect(calendarProblems({ ...base, workingHours: { start: '22:00', end: '06:00' }, holidays: ['2026-12-25'] })).toEqual([]);
  });

  it('names an unknown time zone', () => {
    expect(calendarProblems({ ...base, timeZone: 'Mars/Base' })).toEqual(['"Mars/Base" is not an IANA time zone']);
  });

  it('names overlapping holidays by position, with their dates', () => {
    const cal = { ...base, holidays: ['2026-12-01', { from: '2026-12-24', to: '2026-12-26' }, '2026-12-25'] };
    expect(calendarProblems(cal)).toEqual(['holidays 2 and 3 overlap (2026-12-24..2026-12-26 and 2026-12-25)']);
  });

  it('accepts ranges that touch without overlapping', () => {
    const cal = { ...base, holidays: [{ from: '2026-12-24', to: '2026-12-26' }, { from: '2026-12-27' }] };
    expect(calendarProblems(cal)).toEqual([]);
  });

  it('names a range that ends before it starts', () => {
    const cal = { ...base, holidays: [{ from: '2027-01-05', to: '2027-01-02' }] };
    expect(calendarProblems(cal)).toEqual(['holiday 1 ends before it starts (2027-01-05..2027-01-02)']);
  });

  it('names a date that does not exist', () => {
    expect(calendarProblems({ ...base, holidays: ['2026-02-30'] })).toEqual([
      'holiday 1 (2026-02-30): 2026-02-30 is not a calendar date',
    ]);
  });

  it('names empty working hours', () => {
    expect(calendarProblems({ ...base, workingHours: { start: '09:00', end: '09:00' } })).toEqual([
      'workingHours start and end are both 09:00: a working period cannot be empty (omit workingHours to count whole working days)',
    ]);
  });
});
