import { InvalidDuration, durationText, formatDuration, parseDuration, scaleDuration } from '../../lambdas/core/duration';

describe('parseDuration', () => {
  it.each([
    ['24h', { amount: 24, unit: 'h' }],
    ['90m', { amount: 90, unit: 'm' }],
    ['7d', { amount: 7, unit: 'd' }],
    ['48bh', { amount: 48, unit: 'bh' }],
    ['2bd', { amount: 2, unit: 'bd' }],
    ['0.5bd', { amount: 0.5, unit: 'bd' }],
    [' 72bh ', { amount: 72, unit: 'bh' }],
  ])('reads %j', (text, expected) => {
    expect(parseDuration(text)).toEqual(expected);
  });

  it('says what was wrong and what would be right', () => {
    expect(() => parseDuration('48 bizhours')).toThrow(
      new InvalidDuration('48 bizhours'),
    );
    expect(() => parseDuration('48 bizhours')).toThrow(
      '"48 bizhours" is not a duration (use e.g. 24h, 7d, 48bh, 2bd, 30m)',
    );
  });

  it.each(['', '48', 'h', '-1h', '1w', '1.h', '0h', '0.0bd', '2 d', '1e3h'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(InvalidDuration);
  });
});

describe('formatDuration', () => {
  it.each([
    [{ amount: 24, unit: 'h' }, '24 hours'],
    [{ amount: 1, unit: 'h' }, '1 hour'],
    [{ amount: 90, unit: 'm' }, '90 minutes'],
    [{ amount: 1, unit: 'd' }, '1 day'],
    [{ amount: 7, unit: 'd' }, '7 days'],
    [{ amount: 2, unit: 'bd' }, '2 working days'],
    [{ amount: 1, unit: 'bh' }, '1 working hour'],
    [{ amount: 0.5, unit: 'bd' }, '0.5 working days'],
  ] as const)('%j reads as %j', (d, text) => {
    expect(formatDuration(d)).toBe(text);
  });

  it('writes the config form back', () => {
    expect(durationText({ amount: 48, unit: 'bh' })).toBe('48bh');
  });
});

describe('scaleDuration', () => {
  it('takes a fraction in the same unit (the 50% reminder of 48bh is 24bh)', () => {
    expect(scaleDuration('48bh', 0.5)).toEqual({ amount: 24, unit: 'bh' });
    expect(scaleDuration({ amount: 7, unit: 'd' }, 0.5)).toEqual({ amount: 3.5, unit: 'd' });
  });

  it('does not print floating-point noise', () => {
    expect(formatDuration(scaleDuration('0.1h', 3))).toBe('0.3 hours');
  });

  it('refuses a negative factor', () => {
    expect(() => scaleDuration('1h', -1)).toThrow(/factor/);
  });
});
