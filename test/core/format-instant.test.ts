import { DateTime } from 'luxon';
import { InvalidTimeZone, formatDate, formatInstant, zoneAbbreviation } from '../../lambdas/core/format-instant';

const t = new Date('2027-03-16T20:00:00Z');

describe('formatInstant', () => {
  it.each([
    ['America/New_York', '2027-03-16T20:00:00Z', 'Tue 2027-03-16 16:00 EDT (20:00 UTC)'],
    ['America/New_York', '2027-03-12T21:02:00Z', 'Fri 2027-03-12 16:02 EST (21:02 UTC)'],
    ['UTC', '2027-03-16T20:00:00Z', 'Tue 2027-03-16 20:00 UTC'],
    ['Etc/UTC', '2027-03-16T20:00:00Z', 'Tue 2027-03-16 20:00 UTC'],
    ['Europe/London', '2027-03-16T20:00:00Z', 'Tue 2027-03-16 20:00 GMT (20:00 UTC)'],
    // en-US ICU has no abbreviation for these (not even BST): luxon's offset name is kept.
    ['Europe/London', '2027-07-16T20:00:00Z', 'Fri 2027-07-16 21:00 BST (20:00 UTC)'],
    ['Europe/Berlin', '2027-03-16T20:00:00Z', 'Tue 2027-03-16 21:00 CET (20:00 UTC)'],
    ['Asia/Kolkata', '2027-03-16T20:00:00Z', 'Wed 2027-03-17 01:30 IST (20:00 UTC)'],
  ])('%s %s -> %s', (zone, iso, text) => {
    expect(formatInstant(new Date(iso), zone)).toBe(text);
  });

  it('rejects an unknown zone by name', () => {
    expect(() => formatInstant(t, 'Mars/Base')).toThrow(InvalidTimeZone);
    expect(() => formatInstant(t, 'Mars/Base')).toThrow('"Mars/Base" is not an IANA time zone');
  });
});

describe('formatDate', () => {
  it('gives the local date with its weekday', () => {
    expect(formatDate(t, 'America/New_York')).toBe('Tue 2027-03-16');
    expect(formatDate(t, 'Asia/Tokyo')).toBe('Wed 2027-03-17');
  });
});

/** The luxon formatting these functions replaced (a DateTime per call): the same text for every instant. */
function luxonFormatInstant(t: Date, timeZone: string): string {
  const local = `${DateTime.fromJSDate(t, { zone: timeZone }).setLocale('en-US').toFormat('ccc yyyy-MM-dd HH:mm')} ${luxonAbbreviation(t, timeZone)}`;
  const zone = DateTime.fromJSDate(t, { zone: timeZone });
  if (zone.offset === 0 && /^(etc\/)?(utc|uct|gmt|gmt[+-]0|gmt0|greenwich|universal|zulu)$/i.test(timeZone)) return local.replace(/\S+$/, 'UTC');
  return `${local} (${DateTime.fromJSDate(t, { zone: 'UTC' }).setLocale('en-US').toFormat('HH:mm')} UTC)`;
}

const referenceFormats = new Map<string, Intl.DateTimeFormat>();
function luxonAbbreviation(t: Date, timeZone: string): string {
  let fallback = '';
  for (const locale of ['en-US', 'en-GB', 'en-AU', 'en-IN', 'en-NZ']) {
    const key = `${locale} ${timeZone}`;
    if (!referenceFormats.has(key)) referenceFormats.set(key, new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' }));
    const part = referenceFormats.get(key)!.formatToParts(t).find((p) => p.type === 'timeZoneName')?.value;
    if (!part) continue;
    if (!/^(GMT|UTC)[+-]/.test(part)) return part;
    fallback ||= part;
  }
  return fallback || DateTime.fromJSDate(t, { zone: timeZone }).setLocale('en-US').toFormat('ZZZZ');
}

describe('the same text as luxon gave', () => {
  const zones = ['America/New_York', 'Europe/London', 'Europe/Berlin', 'Europe/Dublin', 'Australia/Lord_Howe', 'Asia/Kolkata',
    'Pacific/Chatham', 'America/Sao_Paulo', 'Africa/Casablanca', 'Asia/Tehran', 'Pacific/Apia', 'America/St_Johns', 'UTC', 'Etc/GMT', 'Etc/GMT+5', 'Asia/Tokyo'];

  it.each(zones)('%s, every 37 minutes over the DST changes of 2027, and before 1900 (a local mean time offset)', (zone) => {
    const instants: Date[] = [];
    const starts = [[2027, 2, 13], [2027, 2, 27], [2027, 3, 3], [2027, 8, 25], [2027, 9, 30], [2027, 10, 6], [1880, 0, 1], [2011, 11, 29]] as const;
    for (const [y, m, d] of starts) {
      for (let i = 0; i < 100; i++) instants.push(new Date(Date.UTC(y, m, d, 12) + i * 37 * 60_000 + (i % 7) * 13_001));
    }
    for (const t of instants) {
      expect(formatInstant(t, zone)).toBe(luxonFormatInstant(t, zone));
      expect(formatDate(t, zone)).toBe(DateTime.fromJSDate(t, { zone }).setLocale('en-US').toFormat('ccc yyyy-MM-dd'));
      expect(zoneAbbreviation(t, zone)).toBe(luxonAbbreviation(t, zone));
    }
  });

  it('random instants of 1600-2400 in every zone ICU knows', () => {
    let seed = 16;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const zone of Intl.supportedValuesOf('timeZone')) {
      for (let i = 0; i < 4; i++) {
        const t = new Date(Date.UTC(1600, 0, 1) + Math.floor(random() * 800 * 365.25 * 86_400_000));
        expect(formatInstant(t, zone)).toBe(luxonFormatInstant(t, zone));
      }
    }
  });
});
