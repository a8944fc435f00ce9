/** Every way policies write a time, read as a person would (issue 18: "units read as a person would"). */
import { findTimes } from '../../../lambdas/core/policy-import/duration-phrases';
import { importPolicy } from '../../../lambdas/core/policy-import/import-policy';

const one = (s: string) => {
  const found = findTimes(s);
  expect(found).toHaveLength(1);
  const [t] = found;
  const d = (x?: { amount: number; unit: string }) => (x ? `${x.amount}${x.unit}` : undefined);
  return { soft: d(t.soft), hard: d(t.hard), cadence: t.cadence, threshold: t.threshold, problem: t.problem };
};

describe('time phrases', () => {
  it.each([
    ['within 24 hours', '24h'],
    ['within 24 hrs', '24h'],
    ['within 24h', '24h'],
    ['a 72-hour window', '72h'],
    ['within an hour', '1h'],
    ['within 2 working days', '2bd'],
    ['within two (2) business days', '2bd'],
    ['within three business days', '3bd'],
    ['within 5 workdays', '5bd'],
    ['within 1.5 business days', '1.5bd'],
    ['within 8 business hours', '8bh'],
    ['within 48 working hours', '48bh'],
    ['within 7 days', '7d'],
    ['within 7 calendar days', '7d'],
    ['within one week', '7d'],
    ['within a week', '7d'],
    ['within 2 weeks', '14d'],
    ['within ninety days', '90d'],
    ['90 days after the report', '90d'],
    ['within 30 minutes', '30m'],
  ])('%s -> %s', (text, soft) => {
    expect(one(`We will answer ${text}.`)).toEqual({ soft, hard: undefined, cadence: false, threshold: false, problem: undefined });
  });

  it.each([
    ['48 - 72 business hours', '48bh', '72bh'],
    ['48-72 business hours', '48bh', '72bh'],
    ['48–72 hours', '48h', '72h'],
    ['2 to 3 working days', '2bd', '3bd'],
    ['between 7 and 14 days', '7d', '14d'],
    ['one or two weeks', '7d', '14d'],
  ])('the range %s is soft %s, hard %s', (text, soft, hard) => {
    expect(one(`You should hear from us within ${text}.`)).toMatchObject({ soft, hard });
  });

  it.each([
    ['weekly', '7d'],
    ['bi-weekly', '14d'],
    ['fortnightly', '14d'],
    ['every 14 days', '14d'],
    ['every two weeks', '14d'],
    ['once a week', '7d'],
    ['daily', '1d'],
  ])('the cadence %s is every %s', (text, soft) => {
    expect(one(`We send ${text} updates.`)).toMatchObject({ soft, cadence: true });
  });

  it('reads "(> 1 week)" and "more than 30 days" as thresholds', () => {
    expect(one('if it takes long (> 1 week)')).toMatchObject({ soft: '7d', threshold: true });
    expect(one('if it takes more than 30 days')).toMatchObject({ soft: '30d', threshold: true });
  });

  it.each(['within 3 months', 'within a year', 'monthly', 'within 2 business weeks'])('finds "%s" but has no unit for it', (text) => {
    expect(one(`We publish ${text}.`).problem).toEqual(expect.any(String));
  });

  it.each(['Python 3.9 is supported', 'version 1.0 - 2.0', 'a few days', 'the 24th of May', 'CVE-2024-1234', 'see section 3 days'])(
    'finds no time, or none worth a promise, in "%s"',
    (text) => {
      const found = findTimes(text);
      if (text === 'see section 3 days') expect(found).toHaveLength(1); // a number before "days" is a time, whatever the sense
      else expect(found).toEqual([]);
    },
  );
});

describe('promises with their units', () => {
  const timers = (md: string) => importPolicy(md).project.timers;
  it.each([
    ['We acknowledge reports within 48 - 72 business hours.', { acknowledge: { soft: '48bh', hard: '72bh' } }],
    ['We will acknowledge your report within 2 working days.', { acknowledge: { soft: '2bd' } }],
    ['You will receive an initial response within 24 hours.', { acknowledge: { soft: '24h' } }],
    ['We will provide a detailed response within one week.', { respond: '7d' }],
    ['We will send you weekly updates on our progress.', { update: { after: '7d', every: '7d' } }],
    ['We will keep you informed of our progress every 14 days.', { update: { after: '14d', every: '14d' } }],
    ['We will publicly disclose the vulnerability 90 days after the report.', { embargo: { max: '90d' } }],
    ['The embargo is typically 7 days and at most 30 days.', { embargo: { default: '7d', max: '30d' } }],
    ['We confirm receipt within 3 business days, and we will triage the report within 10 business days.', { acknowledge: { soft: '3bd' }, respond: '10bd' }],
  ])('%s', (sentence, expected) => {
    expect(timers(sentence)).toEqual(expected);
  });

  it('reads a time in a nested item under the item that names the promise, and says so', () => {
    const p = importPolicy('- We confirm receipt of your report.\n  - Within 2 business days.\n');
    expect(p.project.timers).toEqual({ acknowledge: { soft: '2bd' } });
    expect(p.evidence['timers.acknowledge.soft']).toBe('Within 2 business days.');
    expect(p.context['timers.acknowledge.soft']).toBe('We confirm receipt of your report.');
  });

  it('reads a timeline table row by row', () => {
    const md = ['| Step | Time |', '|---|---|', '| Acknowledgement of the report | 2 business days |', '| Detailed assessment | 10 business days |'].join('\n');
    expect(timers(md)).toEqual({ acknowledge: { soft: '2bd' }, respond: '10bd' });
  });
});
