/**
 * Instants as people read them in mail (EMAILS.md): absolute, in the project's zone and in UTC,
 * `Tue 2027-03-16 16:00 EDT (20:00 UTC)`. Weekday and zone abbreviation are English whatever the host's locale.
 * The abbreviation is ICU's short name in the first English locale that has one for the zone ("EDT" from en-US,
 * "BST" and "CET" from en-GB, "AEST" from en-AU, "IST" from en-IN); where none has, the offset ("GMT+9").
 * The UTC time beside it removes any ambiguity of an abbreviation.
 *
 * Every mail formats a dozen instants, so this is on the hot path of each message (issue 16's CPU budget): the
 * local wall clock comes from the zone's offset remembered per UTC hour (working-periods.ts `wallClock`, the same
 * offset luxon's DateTime would compute) and is written out with plain arithmetic, as luxon's `ccc yyyy-MM-dd
 * HH:mm` in en-US writes it; the abbreviation is remembered per zone and UTC hour too.
 */
import { DateTime } from 'luxon';
import { HOUR_MS, resolveZone, wallClock } from './working-periods';

export { InvalidTimeZone } from './working-periods';

/** `Tue 2027-03-16 16:00 EDT (20:00 UTC)`; in a UTC zone just `Tue 2027-03-16 20:00 UTC`. */
export function formatInstant(t: Date, timeZone: string): string {
  const wall = wallOf(t, timeZone);
  const day = `${dateOf(wall)} ${hhmm(wall)}`;
  if (isUtc(t, timeZone)) return `${day} UTC`;
  return `${day} ${zoneAbbreviation(t, timeZone)} (${hhmm(t.getTime())} UTC)`;
}

/** The local date with its weekday: `Tue 2027-03-16`. */
export function formatDate(t: Date, timeZone: string): string {
  return dateOf(wallOf(t, timeZone));
}

/** The zone's wall-clock reading of `t` written as a UTC epoch value (what luxon's DateTime in that zone shows). */
function wallOf(t: Date, timeZone: string): number {
  if (Number.isNaN(t.getTime())) throw new RangeError('cannot format an invalid Date');
  return wallClock(resolveZone(timeZone), t.getTime());
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** luxon's `padStart`: zero-padded, the sign in front. */
function pad(n: number, width: number): string {
  return n < 0 ? `-${String(-n).padStart(width, '0')}` : String(n).padStart(width, '0');
}

/** `ccc yyyy-MM-dd` of a wall clock. */
function dateOf(wall: number): string {
  const d = new Date(wall);
  return `${WEEKDAYS[d.getUTCDay()]} ${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/** `HH:mm` of a wall clock (or of UTC, given the instant itself). */
function hhmm(wall: number): string {
  const d = new Date(wall);
  return `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}`;
}

const UTC_NAMES = /^(etc\/)?(utc|uct|gmt|gmt[+-]0|gmt0|greenwich|universal|zulu)$/i;

/** UTC itself and its aliases (Etc/UTC, Etc/GMT, Etc/Zulu...), not zones that merely sit at +00:00 (London). */
function isUtc(t: Date, timeZone: string): boolean {
  return UTC_NAMES.test(timeZone) && wallOf(t, timeZone) === t.getTime();
}

const ABBREVIATION_LOCALES = ['en-US', 'en-GB', 'en-AU', 'en-IN', 'en-NZ'];

/** Making an Intl.DateTimeFormat costs far more than using one; the zones are the config's, so a few formatters
 *  serve every message. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATTERS = 256;
function abbreviationFormat(locale: string, timeZone: string): Intl.DateTimeFormat {
  const key = `${locale} ${timeZone}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' });
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatters.set(key, format);
  }
  return format;
}

/**
 * Per zone: UTC hour -> the abbreviation throughout that hour. An hour is remembered only when its first and
 * last millisecond have the same one (a name changes where the offset does, and tzdb never puts two changes
 * within one hour); other hours are asked of ICU at each instant.
 */
const abbreviations = new Map<string, Map<number, string>>();
/** About 11 years of hours per zone; beyond that the zone's map starts over. */
const ABBREVIATION_CACHE_HOURS = 100_000;
const MAX_ABBREVIATION_ZONES = 256;

/** "EDT", "BST", "CET", "AEST", "IST"; or the offset ("GMT+9") when no English locale names the zone. */
export function zoneAbbreviation(t: Date, timeZone: string): string {
  const ms = t.getTime();
  if (Number.isNaN(ms)) return abbreviationAt(t, timeZone);
  let zone = abbreviations.get(timeZone);
  if (!zone) {
    if (abbreviations.size >= MAX_ABBREVIATION_ZONES) abbreviations.clear();
    abbreviations.set(timeZone, (zone = new Map()));
  }
  const hour = Math.floor(ms / HOUR_MS);
  const known = zone.get(hour);
  if (known !== undefined) return known;
  const name = abbreviationAt(t, timeZone);
  if (
    name === abbreviationAt(new Date(hour * HOUR_MS), timeZone) &&
    name === abbreviationAt(new Date(hour * HOUR_MS + HOUR_MS - 1), timeZone)
  ) {
    if (zone.size >= ABBREVIATION_CACHE_HOURS) zone.clear();
    zone.set(hour, name);
  }
  return name;
}

function abbreviationAt(t: Date, timeZone: string): string {
  let fallback = '';
  for (const locale of ABBREVIATION_LOCALES) {
    const part = abbreviationFormat(locale, timeZone)
      .formatToParts(t)
      .find((p) => p.type === 'timeZoneName')?.value;
    if (!part) continue;
    if (!/^(GMT|UTC)[+-]/.test(part)) return part;
    fallback ||= part;
  }
  if (fallback) return fallback;
  if (Number.isNaN(t.getTime())) throw new RangeError('cannot format an invalid Date');
  resolveZone(timeZone);
  return DateTime.fromJSDate(t, { zone: timeZone }).setLocale('en-US').toFormat('ZZZZ');
}
