import { FIGURE_METRICS, figurePoints, historyAsOf, type FigurePoint } from '../../lambdas/core/figure-metrics';
import type { Project } from '../../lambdas/core/config';
import { reportFigures, type ReportHistory } from '../../lambdas/core/report-figures';
import { slaFigures } from '../../lambdas/core/sla-figures';
import { SLA_NOW, slaConfig, slaHistory } from '../support/sla-history';

const H = 3_600_000;
const projectOf = (h: ReportHistory) => slaConfig.projects.find((p) => p.id === h.report.project) as Project;

/** What the Tick publishes for one report if it turns at each of `instants` (the first is its first publication). */
function published(h: ReportHistory, instants: Date[]): FigurePoint[] {
  const project = projectOf(h);
  const points: FigurePoint[] = [];
  let before;
  for (const at of instants) {
    const after = reportFigures(historyAsOf(h, at), project, at);
    points.push(...figurePoints(before, after));
    before = after;
  }
  return points;
}

function sums(points: FigurePoint[], project: string) {
  const mine = points.filter((p) => p.dimensions.project === project);
  const count = (name: string, promise?: string) => mine.filter((p) => p.name === name && (promise === undefined || p.dimensions.promise === promise)).reduce((n, p) => n + p.value, 0);
  const values = (name: string, promise?: string) => mine.filter((p) => p.name === name && (promise === undefined || p.dimensions.promise === promise)).map((p) => p.value).sort((a, b) => a - b);
  return { count, values };
}

describe('SLA figures as metrics: published piecewise, they add up to what `secintake sla` computes at once', () => {
  const histories = slaHistory();
  const totals = slaFigures(histories, slaConfig, { now: SLA_NOW }).totals;
  const reports = slaFigures(histories, slaConfig, { now: SLA_NOW }).reports;

  // turns at creation, then every 5 hours (never aligned with the working day), and at every event, until now
  const turns = (h: ReportHistory) => {
    const start = new Date(h.report.createdAt).getTime();
    const at = new Set<number>([start, SLA_NOW.getTime(), ...h.events.map((e) => new Date(e.at).getTime())]);
    for (let t = start; t < SLA_NOW.getTime(); t += 5 * H) at.add(t);
    return [...at].filter((t) => t >= start && t <= SLA_NOW.getTime()).sort((a, b) => a - b).map((t) => new Date(t));
  };
  const piecewise = histories.flatMap((h) => published(h, turns(h)));
  const once = histories.flatMap((h) => published(h, [SLA_NOW]));

  test.each([
    ['piecewise', piecewise],
    ['in one turn', once],
  ])('%s: counts, compliance and the times per project and promise', (_, points) => {
    for (const total of totals) {
      const { count, values } = sums(points, total.id);
      expect(count('reportsReceived')).toBe(total.received + total.quarantined);
      expect(count('reportsQuarantined')).toBe(total.quarantined);
      for (const p of total.promises) {
        expect({ promise: p.name, met: count('promiseMet', p.name), due: count('promiseMet', p.name) + count('promiseMissed', p.name) }).toEqual({ promise: p.name, met: p.met, due: p.due });
        if (p.name !== 'update') {
          const taken = reports.filter((r) => r.project === total.id).flatMap((r) => r.promises.filter((o) => o.name === p.name && o.takenMs !== undefined).map((o) => o.takenMs!));
          expect(values('promiseTakenMs', p.name)).toEqual(taken.sort((a, b) => a - b));
        }
      }
      expect(values('updateIntervalMs')).toEqual(reports.filter((r) => r.project === total.id).flatMap((r) => r.updateIntervalsMs).sort((a, b) => a - b));
      expect(count('reportsDisclosed')).toBe(total.disclosure.n);
      expect(count('promiseMet', 'embargo')).toBe(total.embargo.kept);
      expect(count('promiseMissed', 'embargo')).toBe(total.embargo.broken);
    }
  });

  test('the hand-worked values of the seeded history come out of the metrics too', () => {
    const calpro = sums(piecewise, 'calpro');
    const bizpro = sums(piecewise, 'bizpro');
    // calpro acknowledge over both months; March alone was 4 of 5 in time (sla-figures.test.ts)
    expect(calpro.values('promiseTakenMs', 'acknowledge')).toEqual(expect.arrayContaining([1 * H, 2 * H, 5 * H, 10 * H, 30 * H]));
    expect(calpro.count('promiseMet', 'acknowledge') + calpro.count('promiseMissed', 'acknowledge')).toBe(totals.find((t) => t.id === 'calpro')!.promises.find((p) => p.name === 'acknowledge')!.due);
    // bizpro's acknowledgment times are working time: the Friday 16:00 report acked Monday 10:00 counts 2 hours
    expect(bizpro.values('promiseTakenMs', 'acknowledge')).toContain(2 * H);
    expect(bizpro.values('promiseTakenMs', 'acknowledge').every((ms) => ms < 72 * H)).toBe(true);
  });

  test('nothing is published twice: a second turn at the same instant adds nothing', () => {
    for (const h of histories) {
      const after = reportFigures(historyAsOf(h, SLA_NOW), projectOf(h), SLA_NOW);
      expect(figurePoints(after, after)).toEqual([]);
    }
  });

  test('a time-based miss is published at the first turn after it, once', () => {
    const h = histories.find((x) => projectOf(x).id === 'calpro' && !x.report.acknowledgedAt && !x.report.quarantine && x.events.every((e) => e.type !== 'status.changed'));
    expect(h).toBeDefined();
    if (!h) return;
    const due = new Date(new Date(h.report.createdAt).getTime() + 24 * H);
    const points = published(h, [new Date(h.report.createdAt), new Date(due.getTime() - 1), new Date(due.getTime() + 1), new Date(due.getTime() + 2 * H)]);
    expect(points.filter((p) => p.name === 'promiseMissed' && p.dimensions.promise === 'acknowledge')).toHaveLength(1);
  });

  test('every point names a known metric with exactly its dimensions', () => {
    for (const p of piecewise) {
      const metric = FIGURE_METRICS[p.name];
      expect(Object.keys(p.dimensions).filter((k) => p.dimensions[k as 'project'] !== undefined).sort()).toEqual([...metric.dimensions].sort());
    }
  });
});

test('as known at an instant: later acknowledgment, update and status change are not yet known', () => {
  const h = slaHistory().find((x) => x.report.acknowledgedAt && x.events.some((e) => e.type === 'status.changed'))!;
  const first = h.events.filter((e) => e.type === 'status.changed').sort((a, b) => a.at.localeCompare(b.at))[0];
  const before = historyAsOf(h, new Date(new Date(first.at).getTime() - 1));
  expect(before.events.every((e) => e.at < first.at)).toBe(true);
  expect(before.report.status).toBe(first.detail!.from);
  const created = historyAsOf(h, new Date(h.report.createdAt));
  expect(created.report.acknowledgedAt).toBeUndefined();
  expect(created.report.respondedAt).toBeUndefined();
});
