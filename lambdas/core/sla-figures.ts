/**
 * How well a project keeps its promises, per period (issue 19): a pure function of the report histories, the
 * config and a `now`. `secintake sla` prints it; the weekly digest quotes it.
 *
 * - A report belongs to the period (week, month, quarter, in the project's time zone) it was received in, and
 *   so do all its deadlines: a period's compliance says how the reports received then were treated.
 * - `received` counts reports; quarantined mail is counted apart (`quarantined`): it is owed nothing.
 * - A promise is `due` once it was kept (even before its instant) or its instant passed; `met` when kept in
 *   time. Pending and stopped ones are not due. `compliance` = met / due (a fraction 0..1), null when none was.
 * - p50 / p90: nearest-rank percentiles (the value at rank ceil(p * n) of the sorted times) of the times taken
 *   (late ones included), in working time where the promise is in working time (`measure`). For `update`, the
 *   gaps between consecutive updates. Null when there is no time.
 * - Periods run without gaps from the first (the one of `since`, else of the earliest report) to the one of
 *   `now`, so a quiet week shows as a zero, not as nothing.
 */
import { DateTime } from 'luxon';
import type { Config, Project } from './config';
import { reportFigures, type Measure, type ReportFigures, type ReportHistory } from './report-figures';

export type PeriodKind = 'week' | 'month' | 'quarter';
export const PERIOD_KINDS: readonly PeriodKind[] = ['week', 'month', 'quarter'];

export interface PromiseFigures {
  name: string;
  due: number;
  met: number;
  compliance: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  measure: Measure;
}

export interface TimeFigures {
  n: number;
  p50Ms: number | null;
  p90Ms: number | null;
}

export interface PeriodFigures {
  id: string;
  /** `2027-W11`, `2027-03`, `2027-Q1`; `all` in the totals. */
  period: string;
  /** First instant of the period (ISO, UTC); the `since` instant in the totals. */
  start: string;
  received: number;
  quarantined: number;
  promises: PromiseFigures[];
  disclosure: TimeFigures;
  embargo: { kept: number; broken: number; running: number };
}

export interface SlaFigures {
  now: string;
  since?: string;
  periodKind: PeriodKind;
  /** One entry per project and period, in time order within a project. */
  projects: PeriodFigures[];
  /** One entry per project over everything selected. */
  totals: PeriodFigures[];
  reports: ReportFigures[];
}

export interface SlaOptions {
  now: Date;
  project?: string;
  since?: Date;
  period?: PeriodKind;
}

/** The order promises are listed in; any other name follows, alphabetically. */
const ORDER = ['acknowledge', 'respond', 'update', 'embargo'];

/** Nearest rank: the smallest value with at least `p` of the values at or below it. */
export function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

/** The period `t` falls in, in `zone`: its label and first instant. */
export function periodOf(t: Date, kind: PeriodKind, zone: string): { label: string; start: Date } {
  const local = DateTime.fromJSDate(t, { zone });
  const start = local.startOf(kind);
  const label =
    kind === 'week'
      ? `${start.weekYear}-W${String(start.weekNumber).padStart(2, '0')}`
      : kind === 'month'
        ? start.toFormat('yyyy-MM')
        : `${start.year}-Q${start.quarter}`;
  return { label, start: start.toJSDate() };
}

function periodsBetween(from: Date, to: Date, kind: PeriodKind, zone: string): { label: string; start: Date }[] {
  const out: { label: string; start: Date }[] = [];
  let cursor = DateTime.fromJSDate(periodOf(from, kind, zone).start, { zone });
  const last = periodOf(to, kind, zone).start.getTime();
  while (cursor.toMillis() <= last && out.length < 10_000) {
    out.push(periodOf(cursor.toJSDate(), kind, zone));
    cursor = cursor.plus({ [`${kind}s`]: 1 });
  }
  return out;
}

/** The promises these reports were owed, in a stable order: every period of a project lists the same ones. */
function promiseNames(reports: ReportFigures[]): Map<string, Measure> {
  const names = new Map<string, Measure>();
  for (const o of reports.flatMap((r) => r.promises)) if (!names.has(o.name)) names.set(o.name, o.measure);
  return new Map([...names].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)));
}

export function periodFigures(id: string, period: string, start: Date, reports: ReportFigures[], names = promiseNames(reports)): PeriodFigures {
  const outcomes = reports.flatMap((r) => r.promises);
  const promises = [...names].map(([name, measure]): PromiseFigures => {
    const mine = outcomes.filter((o) => o.name === name);
    const due = mine.filter((o) => o.state === 'met' || o.state === 'missed').length;
    const met = mine.filter((o) => o.state === 'met').length;
    const times = name === 'update' ? reports.flatMap((r) => r.updateIntervalsMs) : mine.flatMap((o) => (o.takenMs === undefined ? [] : [o.takenMs]));
    return { name, due, met, compliance: due ? met / due : null, p50Ms: percentile(times, 0.5), p90Ms: percentile(times, 0.9), measure };
  });
  const disclosures = reports.flatMap((r) => (r.disclosureMs === undefined ? [] : [r.disclosureMs]));
  const embargo = { kept: 0, broken: 0, running: 0 };
  for (const r of reports) if (r.embargo) embargo[r.embargo]++;
  return {
    id,
    period,
    start: start.toISOString(),
    received: reports.filter((r) => !r.quarantined).length,
    quarantined: reports.filter((r) => r.quarantined).length,
    promises,
    disclosure: { n: disclosures.length, p50Ms: percentile(disclosures, 0.5), p90Ms: percentile(disclosures, 0.9) },
    embargo,
  };
}

const rank = (name: string) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);

/** Every project's figures (or one project's), from the histories of its reports. */
export function slaFigures(histories: ReportHistory[], config: Pick<Config, 'projects'>, opts: SlaOptions): SlaFigures {
  const kind = opts.period ?? 'month';
  const projects = config.projects.filter((p) => !opts.project || p.id === opts.project);
  const out: SlaFigures = { now: opts.now.toISOString(), ...(opts.since ? { since: opts.since.toISOString() } : {}), periodKind: kind, projects: [], totals: [], reports: [] };
  for (const project of projects) {
    const figures = histories
      .filter((h) => h.report.project === project.id)
      .filter((h) => !opts.since || h.report.createdAt >= opts.since.toISOString())
      .filter((h) => h.report.createdAt <= opts.now.toISOString())
      .sort((a, b) => a.report.createdAt.localeCompare(b.report.createdAt) || a.report.id.localeCompare(b.report.id))
      .map((h) => reportFigures(h, project as Project, opts.now));
    out.reports.push(...figures);
    const zone = project.calendar.timeZone;
    const first = opts.since ?? (figures.length ? new Date(figures[0].createdAt) : opts.now);
    const names = promiseNames(figures);
    for (const p of periodsBetween(first, opts.now, kind, zone)) {
      const inPeriod = figures.filter((f) => periodOf(new Date(f.createdAt), kind, zone).label === p.label);
      out.projects.push(periodFigures(project.id, p.label, p.start, inPeriod, names));
    }
    out.totals.push(periodFigures(project.id, 'all', first, figures, names));
  }
  return out;
}
