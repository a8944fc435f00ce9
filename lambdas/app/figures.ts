/**
 * Use case: publish what one report's SLA figures gained since they were last published (issue 19; the metrics
 * and what they mean: core/figure-metrics.ts). Run by every Tick, before it plans: a report's workflow turns at
 * each of its deadlines and at once after every change to it (a reply, a status, an embargo, a disclosure
 * wakes it), so a figure is published within seconds of becoming known, from one place.
 *
 * At most once: when there is something to publish, the instant published up to (`figuresAt`) is claimed on the
 * report with a conditional write first, then the points are published; two concurrent Ticks cannot both claim
 * the same span, and a crash between claim and publication loses those points rather than counting them twice.
 * A turn with nothing new writes nothing. Where metrics go nowhere (the local stack) nothing is computed.
 *
 * Edges (at most once): a finished report's workflow has ended, so what settles after it (an embargo running
 * out on a closed report) is not published; a reply recorded while a Tick of the same report is between its
 * read and its claim can have its figure counted as already known.
 */
import type { Project } from '../core/config';
import { figurePoints, historyAsOf, type FigurePoint } from '../core/figure-metrics';
import type { AuditEvent, Report } from '../core/report';
import { reportFigures } from '../core/report-figures';
import type { Deps } from './deps';
import { patchReport } from './report-records';

const CLAIM_ATTEMPTS = 3;

export async function publishFigures(deps: Deps, report: Report, project: Project, now: Date): Promise<Report> {
  if (!deps.metrics.figures) return report;
  const at = now.toISOString();
  const events = await deps.store.listEvents(report.id);
  let current = report;
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    const from = current.figuresAt;
    if (from !== undefined && from >= at) return current;
    const points = pointsBetween({ report: current, events }, project, from, now);
    if (!points.length) return current;
    let claimed = false;
    // patchReport calls this again with a fresh read after a version conflict: the last call decides
    const updated = await patchReport(deps, current, (fresh) => {
      claimed = fresh.figuresAt === from;
      return claimed ? { figuresAt: at } : undefined;
    });
    if (claimed) {
      for (const point of points) deps.metrics.figure(point.name, point.value, point.dimensions);
      return updated;
    }
    current = updated; // another turn published meanwhile: count from where it stopped
  }
  return current;
}

function pointsBetween(history: { report: Report; events: AuditEvent[] }, project: Project, from: string | undefined, now: Date): FigurePoint[] {
  const before = from === undefined ? undefined : reportFigures(historyAsOf(history, new Date(from)), project, new Date(from));
  const after = reportFigures(historyAsOf(history, now), project, now);
  return figurePoints(before, after);
}
