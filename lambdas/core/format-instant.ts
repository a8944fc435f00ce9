/**
 * Instants as people read them in mail (EMAILS.md): absolute, in the project's zone and in UTC,
 * `Tue 2027-03-16 16:00 EDT (20:00 UTC)`. Weekday and zone abbreviation are English whatever the host's locale.
 * The abbreviation is ICU's short name in the first English locale that has one for the zone ("EDT" from en-US,
 * "BST" and "CET" from en-GB, "AEST" from en-AU, "IST" from en-IN); where none has, the offset ("GMT+9").
 * The UTC time beside it removes any ambiguity of an abbreviation.
 */
import { DateTime } from 'luxon';
import { resolveZone } from './working-periods';

export { InvalidTimeZone } from './working-periods';

/** `Tue 2027-03-16 16:00 EDT (20:00 UTC)`; in a UTC zone just `Tue 2027-03-16 20:00 UTC`. */
export function formatInstant(t: Date, timeZone: string): string {
  const local = `${inZone(t, timeZone).toFormat('ccc yyyy-MM-dd HH:mm')} ${zoneAbbreviation(t, timeZone)}`;
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

const ABBREVIATION_LOCALES = ['en-US', 'en-GB', 'en-AU', 'en-IN', 'en-NZ'];

/** Making an Intl.DateTimeFormat costs far more than using one (the profile of a small report: the top self time
 *  of our own code); the zones are the config's, so a few formatters serve every message. */
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

/** "EDT", "BST", "CET", "AEST", "IST"; or the offset ("GMT+9") when no English locale names the zone. */
export function zoneAbbreviation(t: Date, timeZone: string): string {
  let fallback = '';
  for (const locale of ABBREVIATION_LOCALES) {
    const part = abbreviationFormat(locale, timeZone)
      .formatToParts(t)
      .find((p) => p.type === 'timeZoneName')?.value;
    if (!part) continue;
    if (!/^(GMT|UTC)[+-]/.test(part)) return part;
    fallback ||= part;
  }
  return fallback || inZone(t, timeZone).toFormat('ZZZZ');
}
