/**
 * Instants as people read them in mail (EMAILS.md): absolute, in the project's zone and in UTC,
 * `Tue 2027-03-16 16:00 EDT (20:00 UTC)`. Weekday and zone abbreviation are English whatever the host's locale.
 * The abbreviation is luxon's (ICU's) short name: "EDT", "GMT", or "GMT+1" where English has no common one
 * (Europe/Berlin); an offset is unambiguous, so it is kept rather than guessed ("CET").
 */
import { DateTime } from 'luxon';
import { resolveZone } from './working-periods';

export { InvalidTimeZone } from './working-periods';

/** `Tue 2027-03-16 16:00 EDT (20:00 UTC)`; in a UTC zone just `Tue 2027-03-16 20:00 UTC`. */
export function formatInstant(t: Date, timeZone: string): string {
  const local = inZone(t, timeZone).toFormat('ccc yyyy-MM-dd HH:mm ZZZZ');
  if (isUtc(t, timeZone)) return local.replace(/\S+$/, 'UTC');
  const utc = DateTime.fromJSDate(t, { zone: 'UTC' }).toFormat('HH:mm');
  return `${local} (${utc} UTC)`;
}

/** The local date with its weekday: `Tue 2027-03-16`. */
export function formatDate(t: Date, timeZone: string): string {
  return inZone(t, timeZone).toFormat('ccc yyyy-MM-dd');
}

function inZone(t: Date, timeZone: string): DateTime {
  if (Number.isNaN(t.getTime())) throw new RangeError('cannot format an invalid Date');
  resolveZone(timeZone);
  return DateTime.fromJSDate(t, { zone: timeZone }).setLocale('en-US');
}

/** UTC itself and its aliases (Etc/UTC, Etc/GMT, Etc/Zulu...), not zones that merely sit at +00:00 (London). */
function isUtc(t: Date, timeZone: string): boolean {
  const zone = DateTime.fromJSDate(t, { zone: timeZone });
  return zone.offset === 0 && /^(etc\/)?(utc|uct|gmt|gmt[+-]0|gmt0|greenwich|universal|zulu)$/i.test(timeZone);
}
