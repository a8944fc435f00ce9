/**
 * Use case: publish what one report's SLA figures gained since they were last published (issue 19; the metrics
 * and what they mean: core/figure-metrics.ts). Run by every Tick, before it plans: a report's workflow turns at
 * each of its deadlines and at once after every change to it (a reply, a status, an embargo, a disclosure
 * wakes it), so a figure is published within seconds of becoming known, from one place.
 *
 * At most once: the instant published up to (`figuresAt`) is claimed on the report with a conditional write
 * first, then the points are published; two concurrent Ticks cannot both claim the same span, and a crash
 * between claim and publication loses those points rather than counting them twice. Where metrics go nowhere
 * (the local stack) nothing is computed or written.
 */
import type { Project } from '../core/config';
import { figurePoints, historyAsOf } from '../core/figure-metrics';
import type { Report } from '../core/report';
import { reportFigures } from '../core/report-figures';
import type { Deps } from './deps';
import { patchReport } from './report-records';

export async function publishFigures(deps: Deps, report: Report, project: Project, now: Date): Promise<Report> {
  if (!deps.metrics.figures) return report;
  const at = now.toISOString();
  let claimed = false;
  let from: string | undefined;
  const updated = await patchReport(deps, report, (current) => {
    if (current.figuresAt !== undefined && current.figuresAt >= at) return undefined;
    claimed = true;
    from = current.figuresAt;
    return { figuresAt: at };
  });
  if (!claimed) return updated;
  const history = { report: updated, events: await deps.store.listEvents(report.id) };
  const before = from === undefined ? undefined : reportFigures(historyAsOf(history, new Date(from)), project, new Date(from));
  const after = reportFigures(historyAsOf(history, now), project, now);
  for (const point of figurePoints(before, after)) deps.metrics.figure(point.name, point.value, point.dimensions);
  return updated;
}
