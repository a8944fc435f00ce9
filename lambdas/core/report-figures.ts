/**
 * How one report's promises were kept: a pure function of its record, its audit events, its project's policy
 * and a `now` (issue 19). `sla-figures.ts` sums these per project and period.
 *
 * What counts:
 * - acknowledge / respond: due at creation + the policy's duration (acknowledge: the soft bound, the promise);
 *   `met` when the report says it was done by then, `missed` when done later or not at all by now; `stopped`
 *   when the report was closed, disclosed or quarantined before the instant came unmet (nothing was owed).
 *   The time taken is measured in working time when the promise is (`bh`, `bd`), else in elapsed time.
 * - update: the workflow's own cadence (timeline.ts): the first point is `after` from creation or `every` after
 *   the last update, whichever is later; a missed point is followed by the next one `every` later; an update
 *   (a reply relayed to the reporter, audit event `reply.relayed`) meets the point in force and moves the
 *   cadence. The cadence ends when the report is fixed, disclosed or closed. Intervals are the gaps between
 *   consecutive updates, in the measure of `every`.
 * - embargo: kept (`met`) when the report was not disclosed before the embargo's end, broken (`missed`) when
 *   it was; `pending` while it runs.
 * - any other deadline the timeline knows (`deadlinesOf`), by its own state: new promises count without
 *   changes here. Event types this module does not know are ignored.
 * - time to disclosure: creation to the first `status.changed` to `disclosed`, elapsed.
 */
import type { Project } from './config';
import { addDuration, workingTimeBetween } from './deadline';
import { toDuration } from './duration';
import type { AuditEvent, Report } from './report';
import { deadlinesOf } from './timeline';

export type Measure = 'working' | 'elapsed';

export interface PromiseOutcome {
  name: string;
  dueAt: string;
  state: 'met' | 'missed' | 'pending' | 'stopped';
  metAt?: string;
  /** From the start of the promise's window to when it was kept (late included), in `measure`. */
  takenMs?: number;
  measure: Measure;
}

export interface ReportFigures {
  id: string;
  project: string;
  createdAt: string;
  status: string;
  quarantined: boolean;
  promises: PromiseOutcome[];
  /** Gaps between consecutive status updates, in the measure of the update promise. */
  updateIntervalsMs: number[];
  embargo?: 'kept' | 'broken' | 'running';
  /** Creation to disclosure, elapsed; absent until disclosed. */
  disclosureMs?: number;
}

export interface ReportHistory {
  report: Report;
  events: AuditEvent[];
}

const KNOWN = new Set(['acknowledge', 'respond', 'update', 'embargo']);
const FINISHED = new Set(['closed', 'disclosed']);
const UPDATES_STOP = new Set(['fixed', 'disclosed', 'closed']);
const ms = (iso: string) => new Date(iso).getTime();

/** `m`, `h`, `d` promises are kept in elapsed time; `bh`, `bd` in working time. */
export function measureOf(duration: string): Measure {
  const { unit } = toDuration(duration);
  return unit === 'bh' || unit === 'bd' ? 'working' : 'elapsed';
}

/** Facts the events give: status changes in order, relayed updates. Unknown event types are skipped. */
function factsOf(h: ReportHistory) {
  const events = [...h.events].sort((a, b) => a.at.localeCompare(b.at));
  const statusAt = (set: Set<string>) =>
    events.find((e) => e.type === 'status.changed' && typeof e.detail?.to === 'string' && set.has(e.detail.to as string))?.at;
  let updates = events.filter((e) => e.type === 'reply.relayed').map((e) => e.at);
  if (!updates.length && h.report.lastUpdateAt) updates = [h.report.lastUpdateAt];
  const finishedAt = statusAt(FINISHED) ?? (FINISHED.has(h.report.status) ? h.report.createdAt : undefined);
  return {
    updates: [...new Set(updates)],
    finishedAt,
    updatesStopAt: statusAt(UPDATES_STOP) ?? (UPDATES_STOP.has(h.report.status) ? finishedAt ?? h.report.createdAt : undefined),
    disclosedAt: statusAt(new Set(['disclosed'])),
  };
}

export function reportFigures(h: ReportHistory, project: Project, now: Date): ReportFigures {
  const { report } = h;
  const facts = factsOf(h);
  const figures: ReportFigures = {
    id: report.id,
    project: report.project,
    createdAt: report.createdAt,
    status: report.status,
    quarantined: report.quarantine !== undefined,
    promises: [],
    updateIntervalsMs: [],
  };
  if (facts.disclosedAt) figures.disclosureMs = ms(facts.disclosedAt) - ms(report.createdAt);
  if (report.embargo) {
    const until = ms(report.embargo.until);
    const broken = facts.disclosedAt !== undefined && ms(facts.disclosedAt) < until;
    figures.embargo = broken ? 'broken' : until <= now.getTime() || facts.disclosedAt ? 'kept' : 'running';
    figures.promises.push({
      name: 'embargo',
      dueAt: report.embargo.until,
      state: figures.embargo === 'broken' ? 'missed' : figures.embargo === 'kept' ? 'met' : 'pending',
      measure: 'elapsed',
    });
  }
  // spam gets no timers: a quarantined report owes nothing but its embargo
  if (figures.quarantined) return figures;

  const stopAt = facts.finishedAt;
  const timers = project.timers;
  figures.promises.unshift(...oneShot(report, project, now, 'acknowledge', timers.acknowledge.soft, report.acknowledgedAt, stopAt));
  if (timers.respond) figures.promises.splice(1, 0, ...oneShot(report, project, now, 'respond', timers.respond, report.respondedAt, stopAt));
  const updates = updateOutcomes(report, project, now, facts.updates, facts.updatesStopAt);
  figures.promises.push(...updates.outcomes);
  figures.updateIntervalsMs = updates.intervals;

  for (const d of deadlinesOf(report, project, now)) {
    const name = d.name as string;
    if (KNOWN.has(name) || (d.state !== 'met' && d.state !== 'missed')) continue;
    figures.promises.push({
      name,
      dueAt: d.dueAt,
      state: d.state,
      ...(d.metAt ? { metAt: d.metAt, takenMs: ms(d.metAt) - ms(report.createdAt) } : {}),
      measure: 'elapsed',
    });
  }
  return figures;
}

function oneShot(report: Report, project: Project, now: Date, name: string, duration: string, metAt: string | undefined, stopAt: string | undefined): PromiseOutcome[] {
  const created = new Date(report.createdAt);
  const due = addDuration(created, duration, project.calendar);
  const measure = measureOf(duration);
  const outcome: PromiseOutcome = { name, dueAt: due.toISOString(), state: 'pending', measure };
  if (metAt) {
    outcome.metAt = metAt;
    outcome.takenMs = taken(created, new Date(metAt), measure, project);
    outcome.state = ms(metAt) <= due.getTime() ? 'met' : 'missed';
  } else if (stopAt && ms(stopAt) <= due.getTime()) outcome.state = 'stopped';
  else if (now.getTime() > due.getTime()) outcome.state = 'missed';
  return [outcome];
}

function taken(from: Date, to: Date, measure: Measure, project: Project): number {
  return measure === 'working' ? workingTimeBetween(from, to, project.calendar) : to.getTime() - from.getTime();
}

/** No report is open for 1,000 update points (19 years of weeks): a guard, not a rule. */
const MAX_POINTS = 1000;

function updateOutcomes(report: Report, project: Project, now: Date, updates: string[], stopAt: string | undefined) {
  const policy = project.timers.update;
  const outcomes: PromiseOutcome[] = [];
  const intervals: number[] = [];
  if (!policy) return { outcomes, intervals };
  const cal = project.calendar;
  const measure = measureOf(policy.every);
  const created = new Date(report.createdAt);
  const afterStart = addDuration(created, policy.after, cal);
  const dueFrom = (last: Date | undefined) => {
    const afterLast = addDuration(last ?? created, policy.every, cal);
    return afterStart.getTime() >= afterLast.getTime() ? afterStart : afterLast;
  };
  const end = Math.min(now.getTime(), stopAt ? ms(stopAt) : Infinity);
  const inTime = updates.map((u) => new Date(u)).filter((u) => u.getTime() <= end).sort((a, b) => a.getTime() - b.getTime());
  for (let i = 1; i < inTime.length; i++) intervals.push(taken(inTime[i - 1], inTime[i], measure, project));

  let last: Date | undefined;
  let due = dueFrom(undefined);
  let i = 0;
  for (let n = 0; n < MAX_POINTS; n++) {
    const next = inTime[i];
    const dueAt = due.toISOString();
    if (next && next.getTime() <= due.getTime()) {
      outcomes.push({ name: 'update', dueAt, state: 'met', metAt: next.toISOString(), takenMs: taken(last ?? created, next, measure, project), measure });
      last = next;
      i++;
      due = dueFrom(last);
    } else if (due.getTime() <= end) {
      outcomes.push({ name: 'update', dueAt, state: 'missed', measure });
      due = addDuration(due, policy.every, cal);
    } else {
      // the point still ahead: owed while the cadence runs, nothing once the fix is out
      outcomes.push({ name: 'update', dueAt, state: stopAt && ms(stopAt) <= now.getTime() ? 'stopped' : 'pending', measure });
      break;
    }
  }
  return { outcomes, intervals };
}
