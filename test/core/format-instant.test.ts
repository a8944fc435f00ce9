import { InvalidTimeZone, formatDate, formatInstant } from '../../lambdas/core/format-instant';

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
