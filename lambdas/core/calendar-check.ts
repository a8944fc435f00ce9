/**
 * Problems with a calendar that the config schema's shape cannot see: the zone must be a real IANA zone,
 * holidays must be real dates that do not overlap, and working hours must not be empty. Pure and independent
 * of zod: the config schema calls it from `superRefine` and turns each message into an issue.
 */
import { IANAZone } from 'luxon';
import type { Calendar } from './config';

type Holiday = Calendar['holidays'][number];

/** Every problem found, as a sentence naming the offending value; empty when the calendar is usable. */
export function calendarProblems(cal: Calendar): string[] {
  const problems: string[] = [];
  if (!IANAZone.isValidZone(cal.timeZone)) problems.push(`${JSON.stringify(cal.timeZone)} is not an IANA time zone`);
  if (cal.workingHours && cal.workingHours.start === cal.workingHours.end) {
    problems.push(
      `workingHours start and end are both ${cal.workingHours.start}: a working period cannot be empty ` +
        '(omit workingHours to count whole working days)',
    );
  }
  const ranges = (cal.holidays ?? []).map(holidayRange);
  ranges.forEach((r, i) => {
    for (const date of new Set([r.from, r.to])) {
      if (!isRealDate(date)) problems.push(`holiday ${i + 1} (${r.text}): ${date} is not a calendar date`);
    }
    if (r.to < r.from) problems.push(`holiday ${i + 1} ends before it starts (${r.text})`);
  });
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      const [a, b] = [ranges[i], ranges[j]];
      if (a.to < a.from || b.to < b.from) continue;
      // ISO dates compare as strings.
      if (a.from <= b.to && b.from <= a.to) problems.push(`holidays ${i + 1} and ${j + 1} overlap (${a.text} and ${b.text})`);
    }
  }
  return problems;
}

function holidayRange(h: Holiday): { from: string; to: string; text: string } {
  if (typeof h === 'string') return { from: h, to: h, text: h };
  const to = h.to ?? h.from;
  return { from: h.from, to, text: h.to === undefined ? h.from : `${h.from}..${h.to}` };
}

/** The schema's regex lets 2026-02-30 through. */
function isRealDate(iso: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) return false;
  const [y, m, d] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
