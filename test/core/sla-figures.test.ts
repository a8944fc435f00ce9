import { percentile, periodOf, slaFigures, type PromiseFigures } from '../../lambdas/core/sla-figures';
import { reportFigures } from '../../lambdas/core/report-figures';
import { SLA_NOW, slaConfig, slaHistory } from '../support/sla-history';

const H = 3_600_000;
const byName = (promises: PromiseFigures[]) => Object.fromEntries(promises.map((p) => [p.name, p]));
const entry = (f: ReturnType<typeof slaFigures>, id: string, period: string) => {
  const found = f.projects.find((p) => p.id === id && p.period === period);
  if (!found) throw new Error(`no ${id} ${period}`);
  return found;
};

describe('SLA figures on a seeded history (24 reports, two projects; values worked out by hand in sla-history.ts)', () => {
  const figures = slaFigures(slaHistory(), slaConfig, { now: SLA_NOW });

  test('months run without gaps from the first report to now, per project', () => {
    expect(figures.projects.map((p) => `${p.id} ${p.period} ${p.received}+${p.quarantined}q`)).toEqual([
      'calpro 2027-03 6+1q',
      'calpro 2027-04 6+0q',
      'calpro 2027-05 0+0q',
      'bizpro 2027-03 7+1q',
      'bizpro 2027-04 3+0q',
      'bizpro 2027-05 0+0q',
    ]);
    // a quiet month still lists every promise, with nothing due
    expect(entry(figures, 'calpro', '2027-05').promises.map((p) => [p.name, p.due, p.compliance])).toEqual([
      ['acknowledge', 0, null],
      ['respond', 0, null],
      ['update', 0, null],
      ['embargo', 0, null],
    ]);
  });

  test('calendar-time promises, March: met in time / due, nearest-rank p50 and p90', () => {
    const p = byName(entry(figures, 'calpro', '2027-03').promises);
    // acknowledge times 1, 2, 5, 10, 30 h (30 late; one closed before it was due is not counted)
    expect(p.acknowledge).toEqual({ name: 'acknowledge', due: 5, met: 4, compliance: 0.8, p50Ms: 5 * H, p90Ms: 30 * H, measure: 'elapsed' });
    // respond 20, 30, 47, 60 (late) h, and one never answered before it was closed at 150h
    expect(p.respond).toEqual({ name: 'respond', due: 5, met: 3, compliance: 0.6, p50Ms: 30 * H, p90Ms: 60 * H, measure: 'elapsed' });
    // all closed within their first week: no update was ever due
    expect(p.update).toMatchObject({ due: 0, met: 0, compliance: null, p50Ms: null });
  });

  test('calendar-time promises, April: updates, embargo kept and broken, time to disclosure', () => {
    const april = entry(figures, 'calpro', '2027-04');
    const p = byName(april.promises);
    expect(p.acknowledge).toMatchObject({ due: 6, met: 5, compliance: 5 / 6, p50Ms: 6 * H, p90Ms: 20 * H });
    expect(p.respond).toMatchObject({ due: 5, met: 4, compliance: 0.8, p50Ms: 30 * H, p90Ms: 50 * H });
    // 3 points met by one report, 2 missed by one left without news; gaps between updates 20h and 140h
    expect(p.update).toMatchObject({ due: 5, met: 3, compliance: 0.6, p50Ms: 20 * H, p90Ms: 140 * H });
    expect(p.embargo).toMatchObject({ due: 2, met: 1, compliance: 0.5 });
    expect(april.embargo).toEqual({ kept: 1, broken: 1, running: 0 });
    expect(april.disclosure).toEqual({ n: 2, p50Ms: 100 * H, p90Ms: 200 * H });
  });

  test('working-time promises are measured in working time', () => {
    const march = byName(entry(figures, 'bizpro', '2027-03').promises);
    // acknowledge 0.5, 1.5, 2, 2, 4, 10 (late) working hours, and one never answered
    expect(march.acknowledge).toEqual({ name: 'acknowledge', due: 7, met: 5, compliance: 5 / 7, p50Ms: 2 * H, p90Ms: 10 * H, measure: 'working' });
    // respond 6, 8.5, 16, 17, 25 (late) working hours; one never answered; one closed before it was due
    expect(march.respond).toEqual({ name: 'respond', due: 6, met: 4, compliance: 4 / 6, p50Ms: 16 * H, p90Ms: 25 * H, measure: 'working' });
    expect(march.update).toBeUndefined(); // bizpro promises no updates
    const april = byName(entry(figures, 'bizpro', '2027-04').promises);
    // kept exactly at the bound counts as met
    expect(april.acknowledge).toMatchObject({ due: 3, met: 2, p50Ms: 8 * H, p90Ms: 10 * H });
    expect(april.respond).toMatchObject({ due: 3, met: 3, compliance: 1, p50Ms: 19 * H, p90Ms: 24 * H });
  });

  test('per report: a Friday-afternoon report acknowledged Monday took 2 working hours, 66 elapsed', () => {
    const friday = figures.reports.find((r) => r.createdAt === '2027-03-05T16:00:00Z')!;
    expect(friday.promises[0]).toEqual({
      name: 'acknowledge',
      dueAt: '2027-03-08T16:00:00.000Z',
      state: 'met',
      metAt: '2027-03-08T10:00:00Z',
      takenMs: 2 * H,
      measure: 'working',
    });
  });

  test('per report: the update cadence, update intervals, embargo and disclosure', () => {
    const disclosed = figures.reports.find((r) => r.createdAt === '2027-04-05T10:00:00Z')!;
    expect(disclosed.promises.filter((o) => o.name === 'update').map((o) => [o.dueAt, o.state])).toEqual([
      ['2027-04-12T10:00:00.000Z', 'met'],
      ['2027-04-13T06:00:00.000Z', 'met'],
      ['2027-04-14T02:00:00.000Z', 'met'],
      ['2027-04-19T22:00:00.000Z', 'stopped'], // disclosed first
    ]);
    expect(disclosed.updateIntervalsMs).toEqual([20 * H, 140 * H]);
    expect(disclosed.embargo).toBe('kept');
    expect(disclosed.disclosureMs).toBe(200 * H);

    const silent = figures.reports.find((r) => r.createdAt === '2027-04-10T10:00:00Z')!;
    expect(silent.promises.filter((o) => o.name === 'update').map((o) => [o.dueAt, o.state])).toEqual([
      ['2027-04-17T10:00:00.000Z', 'missed'],
      ['2027-04-24T10:00:00.000Z', 'missed'],
      ['2027-05-01T10:00:00.000Z', 'pending'],
    ]);
  });

  test('totals per project over everything selected', () => {
    const calpro = figures.totals.find((t) => t.id === 'calpro')!;
    expect(calpro).toMatchObject({ period: 'all', received: 12, quarantined: 1 });
    // acknowledged after 1,2,3,4,5,6,8,10,20,30 h (30 late) and one never: 9 of 11 in time
    expect(byName(calpro.promises).acknowledge).toMatchObject({ due: 11, met: 9, p50Ms: 5 * H, p90Ms: 20 * H });
  });

  test('--project and --since select; weeks and quarters label in the project zone', () => {
    const since = slaFigures(slaHistory(), slaConfig, { now: SLA_NOW, project: 'bizpro', since: new Date('2027-04-01T00:00:00Z'), period: 'quarter' });
    expect(since.projects.map((p) => [p.id, p.period, p.received])).toEqual([['bizpro', '2027-Q2', 3]]);
    expect(since.reports).toHaveLength(3);
    const weeks = slaFigures(slaHistory(), slaConfig, { now: SLA_NOW, project: 'calpro', period: 'week' });
    expect(weeks.projects[0]).toMatchObject({ period: '2027-W09', start: '2027-03-01T00:00:00.000Z', received: 5 });
    expect(weeks.projects).toHaveLength(9); // W09 .. W17, quiet weeks included
    expect(periodOf(new Date('2027-01-01T03:00:00Z'), 'week', 'America/New_York').label).toBe('2026-W53');
  });

  test('a record this module does not know (new deadline names, events, statuses) does not break it', () => {
    const [h] = slaHistory();
    h.events.push({ reportId: h.report.id, at: '2027-03-02T00:00:00Z', key: 'x', type: 'status.changed', actor: 'x', detail: { to: 'released' } });
    expect(() => reportFigures(h, slaConfig.projects[0], SLA_NOW)).not.toThrow();
  });

  test('percentile: nearest rank', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([7], 0.9)).toBe(7);
    expect(percentile([4, 1, 3, 2], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
  });
});
