/**
 * The promises of a project's policy applied to one report: its deadlines, and the timer actions the workflow
 * takes around them (DESIGN section 4). Pure: every instant is derived from the report, the policy and a `now`
 * passed in, so `tick` can re-plan from scratch on every run and a retry computes the same actions.
 *
 * Actions carry deterministic keys; a key in `report.fired` has been acted on and never fires again:
 *   acknowledge:remind:<spec>     reminder to maintainers before the soft bound (`50%` of the window, or `1bh` before)
 *   acknowledge:escalate:soft     the promise was missed: maintainers and escalation contacts are told
 *   acknowledge:late-notice       the reporter is told honestly, with the next date
 *   acknowledge:escalate:hard     the outer bound was missed too
 *   respond:remind:<spec>, respond:escalate
 *   update:remind:<dueISO>        a status update is due (the cadence restarts on every relayed update)
 *   embargo:end:<untilISO>        the embargo ended: the report is due for disclosure
 *   disclose:remind:<spec>:<dueISO>, disclose:escalate:<dueISO>
 *                                 after the end, until the report is disclosed or closed (repeated each period)
 *   quarantine:digest             a quarantined report's only timer: the digest of its UTC hour window
 */
import type { Project } from './config';
import { addDuration, subtractDuration } from './deadline';
import { scaleDuration, type Duration } from './duration';
import type { DeadlineView, Report } from './report';

export type TimerKind = 'remind' | 'escalate' | 'late-notice' | 'embargo-end' | 'quarantine-digest';

/** When the report's promises start counting: its arrival, or its release from quarantine. */
export function timersStart(report: Report): Date {
  return new Date(report.timersFrom ?? report.createdAt);
}

export interface TimerAction {
  /** Deterministic: also the outbox ID of the mail it sends and the key of its audit event. */
  key: string;
  kind: TimerKind;
  /** The deadline it is about; `quarantine` for the quarantine digest, which is about no promise. */
  deadline: DeadlineView['name'] | 'quarantine';
  /** The promised instant this action is about. */
  dueAt: Date;
  /** When the action is taken. */
  firesAt: Date;
}

const UPDATE_STOPPED: ReadonlySet<Report['status']> = new Set(['fixed', 'disclosed', 'closed']);

export const QUARANTINE_DIGEST_KEY = 'quarantine:digest';

/** A report whose workflow has nothing left to do (a quarantined one once its hour's digest has fired and no
 *  embargo end is still to come). */
export function isFinished(report: Report): boolean {
  if (report.status === 'closed' || report.status === 'disclosed') return true;
  const embargoPending = report.embargo !== undefined && !report.disclosureDueAt;
  return report.quarantine !== undefined && report.fired.includes(QUARANTINE_DIGEST_KEY) && !embargoPending;
}

/**
 * The UTC hour a quarantined message arrived in: the maintainers hear of the first one at once, and of the
 * others in one digest at the end of the window.
 */
export function quarantineWindowOf(createdAt: string | Date): { start: Date; end: Date } {
  const start = new Date(createdAt);
  start.setUTCMinutes(0, 0, 0);
  return { start, end: new Date(start.getTime() + 3600_000) };
}

const at = (iso: string | undefined): Date | undefined => (iso === undefined ? undefined : new Date(iso));

function stateOf(dueAt: Date, metAt: Date | undefined, now: Date | undefined): DeadlineView['state'] {
  if (metAt) return metAt.getTime() <= dueAt.getTime() ? 'met' : 'missed';
  if (now && now.getTime() > dueAt.getTime()) return 'missed';
  return 'pending';
}

/**
 * The report's deadlines as instants. A deadline met late is `missed` (with `metAt`); without `now`, an unmet
 * deadline is `pending` whatever the time.
 */
export function deadlinesOf(report: Report, project: Project, now?: Date): DeadlineView[] {
  const views = promisedDeadlines(report, project, now);
  // what no timer holds the maintainers to is not shown as pending: a quarantined report runs only its embargo
  if (!isFinished(report) && !report.quarantine) return views;
  return views.map((d) => (d.state === 'pending' && !(report.quarantine && !isFinished(report) && d.name === 'embargo') ? { ...d, state: 'stopped' } : d));
}

function promisedDeadlines(report: Report, project: Project, now?: Date): DeadlineView[] {
  const cal = project.calendar;
  const created = timersStart(report);
  const timers = project.timers;
  const views: DeadlineView[] = [];

  const soft = addDuration(created, timers.acknowledge.soft, cal);
  const hard = timers.acknowledge.hard ? addDuration(created, timers.acknowledge.hard, cal) : undefined;
  const acked = at(report.acknowledgedAt);
  views.push({
    name: 'acknowledge',
    dueAt: soft.toISOString(),
    ...(hard ? { hardAt: hard.toISOString() } : {}),
    state: stateOf(soft, acked, now),
    ...(acked ? { metAt: acked.toISOString() } : {}),
  });

  if (timers.respond) {
    const due = addDuration(created, timers.respond, cal);
    const responded = at(report.respondedAt);
    views.push({
      name: 'respond',
      dueAt: due.toISOString(),
      state: stateOf(due, responded, now),
      ...(responded ? { metAt: responded.toISOString() } : {}),
    });
  }

  const cycle = updateCycle(report, project, now);
  if (cycle?.missed) views.push({ name: 'update', dueAt: cycle.missed.toISOString(), state: 'missed' });
  else if (cycle) views.push({ name: 'update', dueAt: cycle.next.toISOString(), state: 'pending' });

  if (report.embargo) {
    const until = new Date(report.embargo.until);
    const ended = at(report.disclosureDueAt);
    views.push({
      name: 'embargo',
      dueAt: until.toISOString(),
      state: ended || (now && now.getTime() >= until.getTime()) ? 'met' : 'pending',
      ...(ended ? { metAt: ended.toISOString() } : {}),
    });
  }

  const disclose = discloseCycle(report, project, now);
  if (disclose) {
    const first = addDuration(disclose.endedAt, timers.disclose, cal);
    if (report.status === 'disclosed' || report.status === 'closed') {
      const metAt = at(report.disclosedAt);
      views.push({ name: 'disclose', dueAt: first.toISOString(), state: metAt && metAt.getTime() > first.getTime() ? 'missed' : 'met', ...(metAt ? { metAt: metAt.toISOString() } : {}) });
    } else if (disclose.missed) views.push({ name: 'disclose', dueAt: disclose.missed.toISOString(), state: 'missed' });
    else views.push({ name: 'disclose', dueAt: disclose.next.toISOString(), state: 'pending' });
  }
  return views;
}

/** Reminder instants before a deadline: `50%` of the window, or a duration before the deadline. */
function reminderPoints(start: Date, due: Date, window: Duration | string, project: Project) {
  const points: Array<{ spec: string; at: Date }> = [];
  for (const spec of project.timers.reminders) {
    const percent = /^(\d{1,2})%$/.exec(spec);
    const point = percent
      ? addDuration(start, scaleDuration(window, Number(percent[1]) / 100), project.calendar)
      : subtractDuration(due, spec, project.calendar);
    // A reminder point at or before the report arrived is already past: skip it rather than fire at once.
    if (point.getTime() <= start.getTime() || point.getTime() >= due.getTime()) continue;
    points.push({ spec, at: point });
  }
  return points;
}

/**
 * The first status-update due instant: `after` from creation, or `every` after the last relayed update,
 * whichever is later. None when the policy has no cadence, or the fix is out (fixed, disclosed, closed).
 */
function firstUpdateDue(report: Report, project: Project): Date | undefined {
  const update = project.timers.update;
  if (!update || UPDATE_STOPPED.has(report.status)) return undefined;
  const cal = project.calendar;
  const created = timersStart(report);
  const afterStart = addDuration(created, update.after, cal);
  const afterLast = addDuration(latest(at(report.lastUpdateAt), at(report.reopenedAt)) ?? created, update.every, cal);
  return afterStart.getTime() >= afterLast.getTime() ? afterStart : afterLast;
}

function latest(...dates: (Date | undefined)[]): Date | undefined {
  const known = dates.filter((d): d is Date => d !== undefined);
  return known.length ? new Date(Math.max(...known.map((d) => d.getTime()))) : undefined;
}

/**
 * After the embargo ended, the disclosure is due within `timers.disclose`, and again each period after that
 * until the report is disclosed or closed: `missed` is the latest point passed, `next` the first ahead.
 */
function discloseCycle(report: Report, project: Project, now: Date | undefined): { endedAt: Date; missed?: Date; next: Date; start: Date; window: string } | undefined {
  const endedAt = at(report.disclosureDueAt);
  if (!endedAt || report.quarantine) return undefined;
  const cal = project.calendar;
  let next = addDuration(endedAt, project.timers.disclose, cal);
  let missed: Date | undefined;
  if (now) {
    while (next.getTime() <= now.getTime()) {
      missed = next;
      next = addDuration(next, DISCLOSE_REPEAT, cal);
    }
  }
  return { endedAt, ...(missed ? { missed } : {}), next, start: missed ?? endedAt, window: missed ? DISCLOSE_REPEAT : project.timers.disclose };
}

/** Once the disclosure is late, it is escalated again every week (with the policy's reminders before). */
export const DISCLOSE_REPEAT = '7d';

/**
 * Status updates are deadlines like the others: the cadence points D0 (the first due), D0 + every, ... until a
 * relayed update moves D0. At `now`: `missed` is the latest point already passed (escalated once, never one by
 * one for old weeks), `next` the first point still ahead (reminded before, escalated at).
 */
function updateCycle(report: Report, project: Project, now: Date | undefined): { missed?: Date; next: Date; start: Date; window: string } | undefined {
  const first = firstUpdateDue(report, project);
  const update = project.timers.update;
  if (!first || !update) return undefined;
  const cal = project.calendar;
  let missed: Date | undefined;
  let next = first;
  if (now) {
    while (next.getTime() <= now.getTime()) {
      missed = next;
      next = addDuration(next, update.every, cal);
    }
  }
  // the reminders of the first point count from the report (or the last update), of the later ones from the
  // point before
  const last = latest(at(report.lastUpdateAt), at(report.reopenedAt));
  const start = missed ?? last ?? timersStart(report);
  const window = missed || last ? update.every : update.after;
  return { ...(missed ? { missed } : {}), next, start, window };
}

const updateKey = (kind: 'remind' | 'escalate', due: Date, spec = '') => `update:${kind}${spec ? `:${spec}` : ''}:${due.toISOString()}`;

/**
 * Every timer action still to be taken, past or future, in the order they fire. Nothing for a finished
 * report; for a quarantined one only the digest of its hour (spam gets no reminders).
 */
export function plannedActions(report: Report, project: Project, now: Date): TimerAction[] {
  if (isFinished(report)) return [];
  if (report.quarantine) {
    const { end } = quarantineWindowOf(report.createdAt);
    const actions: TimerAction[] = [];
    if (!report.fired.includes(QUARANTINE_DIGEST_KEY)) actions.push({ key: QUARANTINE_DIGEST_KEY, kind: 'quarantine-digest', deadline: 'quarantine', dueAt: end, firesAt: end });
    // an embargo is a promise to the world: it ends on time even on a quarantined report
    if (report.embargo && !report.disclosureDueAt) {
      const until = new Date(report.embargo.until);
      const key = `embargo:end:${until.toISOString()}`;
      if (!report.fired.includes(key)) actions.push({ key, kind: 'embargo-end', deadline: 'embargo', dueAt: until, firesAt: until });
    }
    return actions.sort((a, b) => a.firesAt.getTime() - b.firesAt.getTime());
  }
  const cal = project.calendar;
  const timers = project.timers;
  const created = timersStart(report);
  const actions: TimerAction[] = [];
  const add = (key: string, kind: TimerKind, deadline: TimerAction['deadline'], dueAt: Date, firesAt = dueAt) => {
    if (!report.fired.includes(key)) actions.push({ key, kind, deadline, dueAt, firesAt });
  };

  if (!report.acknowledgedAt) {
    const soft = addDuration(created, timers.acknowledge.soft, cal);
    for (const p of reminderPoints(created, soft, timers.acknowledge.soft, project)) {
      add(`acknowledge:remind:${p.spec}`, 'remind', 'acknowledge', soft, p.at);
    }
    add('acknowledge:escalate:soft', 'escalate', 'acknowledge', soft);
    add('acknowledge:late-notice', 'late-notice', 'acknowledge', soft);
    // The outer bound, or without one the date the late notice promised the reporter: either way, a date we
    // gave the reporter passing unmet is escalated again.
    add('acknowledge:escalate:hard', 'escalate', 'acknowledge', lateNoticeNextDate(report, project));
  }

  if (timers.respond && !report.respondedAt) {
    const due = addDuration(created, timers.respond, cal);
    for (const p of reminderPoints(created, due, timers.respond, project)) {
      add(`respond:remind:${p.spec}`, 'remind', 'respond', due, p.at);
    }
    add('respond:escalate', 'escalate', 'respond', due);
  }

  const cycle = updateCycle(report, project, now);
  if (cycle) {
    if (cycle.missed) {
      add(updateKey('escalate', cycle.missed), 'escalate', 'update', cycle.missed);
      if (timers.update?.lateNotice) add(`update:late-notice:${cycle.missed.toISOString()}`, 'late-notice', 'update', cycle.missed);
    }
    for (const p of reminderPoints(cycle.start, cycle.next, cycle.window, project)) {
      add(updateKey('remind', cycle.next, p.spec), 'remind', 'update', cycle.next, p.at);
    }
    add(updateKey('escalate', cycle.next), 'escalate', 'update', cycle.next);
    if (timers.update?.lateNotice) add(`update:late-notice:${cycle.next.toISOString()}`, 'late-notice', 'update', cycle.next);
  }

  if (report.embargo && !report.disclosureDueAt) {
    const until = new Date(report.embargo.until);
    add(`embargo:end:${until.toISOString()}`, 'embargo-end', 'embargo', until);
  }

  const disclose = discloseCycle(report, project, now);
  if (disclose) {
    if (disclose.missed) add(`disclose:escalate:${disclose.missed.toISOString()}`, 'escalate', 'disclose', disclose.missed);
    for (const p of reminderPoints(disclose.start, disclose.next, disclose.window, project)) {
      add(`disclose:remind:${p.spec}:${disclose.next.toISOString()}`, 'remind', 'disclose', disclose.next, p.at);
    }
    add(`disclose:escalate:${disclose.next.toISOString()}`, 'escalate', 'disclose', disclose.next);
  }

  // Stable sort: at one instant, the order above holds (escalate before the late notice it explains).
  return actions.sort((a, b) => a.firesAt.getTime() - b.firesAt.getTime());
}

/**
 * Actions due at `now`, in firing order. A reminder whose deadline has already passed is dropped (after a
 * stop, the escalation says more than a late "due soon").
 */
export function dueActions(report: Report, project: Project, now: Date): TimerAction[] {
  const t = now.getTime();
  return plannedActions(report, project, now).filter(
    (a) => a.firesAt.getTime() <= t && !(a.kind === 'remind' && a.dueAt.getTime() <= t),
  );
}

/** The earliest instant after `now` at which an action fires; undefined when nothing is planned. */
export function nextWakeAt(report: Report, project: Project, now: Date): Date | undefined {
  const t = now.getTime();
  return plannedActions(report, project, now).find((a) => a.firesAt.getTime() > t)?.firesAt;
}

/** The next status update a late notice about a missed one promises: the next point of the cadence. */
export function nextUpdateDate(missedDue: Date, project: Project): Date {
  return addDuration(missedDue, project.timers.update?.every ?? '7d', project.calendar);
}

/** The date a late notice promises: the hard bound if the policy has one, else the soft bound once more. */
export function lateNoticeNextDate(report: Report, project: Project): Date {
  const created = timersStart(report);
  const { soft, hard } = project.timers.acknowledge;
  if (hard) return addDuration(created, hard, project.calendar);
  return addDuration(addDuration(created, soft, project.calendar), soft, project.calendar);
}
