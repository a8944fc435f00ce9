import { normalizeReportId, reportIdCandidate, REPORT_ID_PATTERN } from '../../lambdas/core/report-id';

describe('reportIdCandidate', () => {
  it('gives a canonical ID of two groups of four Crockford characters', () => {
    const id = reportIdCandidate('0100018f-ses-message-id', 0);
    expect(id).toMatch(REPORT_ID_PATTERN);
    expect(id).not.toMatch(/[ILOU]/);
  });

  it('is the same for a redelivery of the same message, so creation stays idempotent', () => {
    expect(reportIdCandidate('abc', 0)).toBe(reportIdCandidate('abc', 0));
  });

  it('gives another ID after a collision', () => {
    expect(reportIdCandidate('abc', 1)).not.toBe(reportIdCandidate('abc', 0));
  });

  it('does not confuse seed and attempt when concatenated', () => {
    expect(reportIdCandidate('a1', 0)).not.toBe(reportIdCandidate('a', 10));
  });

  it('is not sequential: neighbouring seeds give unrelated IDs', () => {
    const ids = Array.from({ length: 2000 }, (_, n) => reportIdCandidate(`msg-${n}`, 0));
    expect(new Set(ids).size).toBe(ids.length);
    const sameFirstGroup = ids.filter((id, n) => n > 0 && id.slice(0, 4) === ids[n - 1]!.slice(0, 4));
    expect(sameFirstGroup.length).toBeLessThan(3);
    // every alphabet character gets used, in every position
    for (let pos = 0; pos < 9; pos++) {
      if (pos === 4) continue;
      expect(new Set(ids.map((id) => id[pos])).size).toBe(32);
    }
  });

  it('rejects a negative or fractional attempt', () => {
    expect(() => reportIdCandidate('x', -1)).toThrow(/attempt/);
    expect(() => reportIdCandidate('x', 1.5)).toThrow(/attempt/);
  });
});

describe('normalizeReportId', () => {
  it.each([
    ['K7QM-2XPD', 'K7QM-2XPD'],
    ['k7qm-2xpd', 'K7QM-2XPD'],
    ['k7qm2xpd', 'K7QM-2XPD'],
    [' K7QM 2XPD ', 'K7QM-2XPD'],
    ['#K7QM-2XPD', 'K7QM-2XPD'],
    ['K7QM-2XPO', 'K7QM-2XP0'],
    ['kiqm-lxpd', 'K1QM-1XPD'],
  ])('reads %j as %s', (input, canonical) => {
    expect(normalizeReportId(input)).toBe(canonical);
  });

  it.each(['', 'K7QM-2XP', 'K7QM-2XPDX', 'K7QU-2XPD', 'K7QM_2XPD!', 'K7QM-2XPD\r\nBcc: x', 'a'.repeat(100)])(
    'refuses %j',
    (input) => {
      expect(normalizeReportId(input)).toBeUndefined();
    },
  );

  it('round-trips every candidate', () => {
    for (let n = 0; n < 50; n++) {
      const id = reportIdCandidate(`m${n}`, n % 3);
      expect(normalizeReportId(id.toLowerCase().replace('-', ''))).toBe(id);
    }
  });
});
