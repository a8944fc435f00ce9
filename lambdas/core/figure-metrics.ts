/**
 * The SLA figures as CloudWatch metrics (issue 19): which metrics exist, and which points one report adds to
 * them between two instants. Pure; `app/figures.ts` publishes the points, `infra/constructs/dashboard.ts` draws
 * the same names with the same dimensions (both import FIGURE_METRICS, and a test ties them together).
 *
 * A report's figures are those of `report-figures.ts` (what `secintake sla` sums), taken "as known at" two
 * instants: the last publication and now. What settled in between is published once:
 * - a promise that became met or missed: `promiseMet` / `promiseMissed` (value 1), compliance = met / (met +
 *   missed) per project and promise. The embargo is the promise `embargo` (met = kept, missed = broken).
 * - a promise kept (on time or late) since: `promiseTakenMs`, in the promise's own measure (working time for
 *   `bh`/`bd` promises), so p50/p90 of `acknowledge` are the acknowledgment times.
 * - a new interval between two updates: `updateIntervalMs`.
 * - a disclosure: `reportsDisclosed` and `disclosureMs` (creation to disclosure, elapsed).
 * - the report itself, at its first publication: `reportsReceived`, and `reportsQuarantined` when it is a
 *   quarantine record.
 * `intakeFailures` is counted by the intake for a message addressed to a project that could not be taken in.
 */
import type { AuditEvent, Report } from './report';
import type { ReportFigures, ReportHistory } from './report-figures';

export type FigureName =
  | 'reportsReceived'
  | 'reportsQuarantined'
  | 'promiseMet'
  | 'promiseMissed'
  | 'promiseTakenMs'
  | 'updateIntervalMs'
  | 'reportsDisclosed'
  | 'disclosureMs'
  | 'intakeFailures';

export interface FigureDimensions {
  project: string;
  promise?: string;
}

export interface FigureMetric {
  unit: 'Count' | 'Milliseconds';
  /** The dimensions besides Powertools' `service`, in this order. */
  dimensions: ReadonlyArray<keyof FigureDimensions>;
}

export const FIGURE_METRICS: Readonly<Record<FigureName, FigureMetric>> = {
  reportsReceived: { unit: 'Count', dimensions: ['project'] },
  reportsQuarantined: { unit: 'Count', dimensions: ['project'] },
  promiseMet: { unit: 'Count', dimensions: ['project', 'promise'] },
  promiseMissed: { unit: 'Count', dimensions: ['project', 'promise'] },
  promiseTakenMs: { unit: 'Milliseconds', dimensions: ['project', 'promise'] },
  updateIntervalMs: { unit: 'Milliseconds', dimensions: ['project'] },
  reportsDisclosed: { unit: 'Count', dimensions: ['project'] },
  disclosureMs: { unit: 'Milliseconds', dimensions: ['project'] },
  intakeFailures: { unit: 'Count', dimensions: ['project'] },
};

/** The promises every project can have, for the dashboard (others a future timeline adds still publish). */
export const PROMISES = ['acknowledge', 'respond', 'update', 'embargo'] as const;

export interface FigurePoint {
  name: FigureName;
  value: number;
  dimensions: FigureDimensions;
}

const SETTLED = new Set(['met', 'missed']);

/**
 * The report as it was known at `at`: events up to `at`, and the instants the record keeps (acknowledged,
 * responded, last update) only when they are not later. The status is the one in force at `at` (the `from` of
 * the first later status change), so a report closed since is not "finished" before it was.
 */
export function historyAsOf(h: ReportHistory, at: Date): ReportHistory {
  const t = at.getTime();
  const upTo = (iso: string | undefined) => (iso !== undefined && new Date(iso).getTime() <= t ? iso : undefined);
  const events = h.events.filter((e) => new Date(e.at).getTime() <= t);
  const laterStatus = [...h.events]
    .filter((e) => e.type === 'status.changed' && new Date(e.at).getTime() > t)
    .sort((a, b) => a.at.localeCompare(b.at))[0];
  const report: Report = { ...h.report };
  const from = laterStatus?.detail?.from;
  if (typeof from === 'string') report.status = from as Report['status'];
  for (const field of ['acknowledgedAt', 'respondedAt', 'lastUpdateAt'] as const) {
    const kept = upTo(report[field]);
    if (kept === undefined) delete report[field];
    else report[field] = kept;
  }
  return { report, events: events as AuditEvent[] };
}

const keyOf = (p: { name: string; dueAt: string }) => `${p.name}@${p.dueAt}`;

/** What settled between `before` (absent: the report's first publication) and `after`. */
export function figurePoints(before: ReportFigures | undefined, after: ReportFigures): FigurePoint[] {
  const project = after.project;
  const points: FigurePoint[] = [];
  if (!before) {
    points.push({ name: 'reportsReceived', value: 1, dimensions: { project } });
    if (after.quarantined) points.push({ name: 'reportsQuarantined', value: 1, dimensions: { project } });
  }
  const earlier = new Map((before?.promises ?? []).map((p) => [keyOf(p), p]));
  for (const p of after.promises) {
    const was = earlier.get(keyOf(p));
    const dimensions = { project, promise: p.name };
    if (SETTLED.has(p.state) && !(was && SETTLED.has(was.state))) {
      points.push({ name: p.state === 'met' ? 'promiseMet' : 'promiseMissed', value: 1, dimensions });
    }
    if (p.takenMs !== undefined && was?.takenMs === undefined) points.push({ name: 'promiseTakenMs', value: p.takenMs, dimensions });
  }
  for (const ms of after.updateIntervalsMs.slice(before?.updateIntervalsMs.length ?? 0)) {
    points.push({ name: 'updateIntervalMs', value: ms, dimensions: { project } });
  }
  if (after.disclosureMs !== undefined && before?.disclosureMs === undefined) {
    points.push({ name: 'reportsDisclosed', value: 1, dimensions: { project } }, { name: 'disclosureMs', value: after.disclosureMs, dimensions: { project } });
  }
  return points;
}
