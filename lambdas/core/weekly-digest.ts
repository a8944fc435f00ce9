/**
 * The weekly digest to a project's maintainers (issue 19): when it is due, and what it says. Pure.
 *
 * It is due at the project's `digest.day` and `digest.time` in its calendar's zone; the one due is the latest such
 * instant at or before now (a clock moved over several weeks at once sends the latest only).
 * It lists: open reports by owner (unassigned last) with their status and next deadline; deadlines missed in the week before; deadlines
 * falling due in the week after; mail quarantined in the week, and reports not yet acknowledged; then the
 * compliance of each promise over the last 4 weeks.
 */
import { cliCommand, type CliPlace } from './cli-hint';
import { DateTime } from 'luxon';
import type { Project } from './config';
import { WEEKDAYS } from './config';
import { maintainerAddresses, oneLine, paragraphs, type Draft } from './drafts/draft';
import { plural, when } from './drafts/mail-text';
import type { DeadlineView, Report } from './report';
import type { PeriodFigures } from './sla-figures';

const WEEK_MS = 7 * 86_400_000;

/** The latest digest instant at or before `now`; undefined when the project has no digest. */
export function digestDueAt(project: Project, now: Date): Date | undefined {
  const digest = project.digest;
  if (!digest) return undefined;
  const [h, m] = digest.time.split(':').map(Number);
  const local = DateTime.fromJSDate(now, { zone: project.calendar.timeZone });
  let candidate = local.set({ weekday: (WEEKDAYS.indexOf(digest.day) + 1) as 1, hour: h, minute: m, second: 0, millisecond: 0 });
  if (candidate.toMillis() > now.getTime()) candidate = candidate.minus({ weeks: 1 });
  return candidate.toJSDate();
}

export interface DigestReport {
  report: Report;
  deadlines: DeadlineView[];
}

export interface WeeklyDigestInput {
  project: Project;
  /** The digest's instant. */
  at: Date;
  reports: DigestReport[];
  /** The project's figures per week, the last 4 weeks. */
  weeks: PeriodFigures[];
  /** Where the maintainers run the CLI (core/cli-hint.ts): `sla` runs on the local data folder only. */
  place?: CliPlace;
}

const pct = (f: number | null) => (f === null ? '-' : `${Math.round(f * 100)}%`);

export function weeklyDigestDraft(input: WeeklyDigestInput): Draft {
  const { project, at } = input;
  const t = at.getTime();
  const open = input.reports.filter((r) => !r.report.quarantine && !['closed', 'disclosed'].includes(r.report.status));
  const next = (r: DigestReport) => r.deadlines.filter((d) => d.state === 'pending').sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
  // what the owner must do: the next deadline, and every promise whose date passed while it is still not kept
  const standing = (r: DigestReport) => {
    const n = next(r);
    const overdue = r.deadlines.filter((d) => d.state === 'missed' && !d.metAt).map((d) => d.name);
    const parts = [...(n ? [`next: ${n.name} by ${when(n.dueAt, project)}`] : []), ...(overdue.length ? [`overdue: ${overdue.join(', ')}`] : [])];
    return parts.join('; ') || 'no deadline pending';
  };
  const line = (r: DigestReport, extra: string) => `- ${r.report.id}  ${extra}  ${oneLine(r.report.subject).slice(0, 60)}`;

  // by owner (the maintainer who coordinates it), in the order of the project's maintainers, unassigned last
  const ownerOf = (r: DigestReport) => r.report.owner?.toLowerCase() ?? '';
  const order = project.maintainers.map((m) => m.address.toLowerCase());
  const owners = [...new Set(open.map(ownerOf))].sort((a, b) => rankOf(order, a) - rankOf(order, b) || a.localeCompare(b));
  const ownerLabel = (owner: string) => {
    if (!owner) return 'unassigned';
    const m = project.maintainers.find((x) => x.address.toLowerCase() === owner);
    return m?.name ? `${m.name} (${owner})` : owner;
  };
  const openText = owners
    .map((owner) => {
      const list = open.filter((r) => ownerOf(r) === owner);
      return `${ownerLabel(owner)}, ${list.length}:\n` + list.map((r) => line(r, `${r.report.status}, ${standing(r)}`)).join('\n');
    })
    .join('\n');
  const within = (iso: string, from: number, to: number) => new Date(iso).getTime() > from && new Date(iso).getTime() <= to;
  const missed = input.reports.flatMap((r) => r.deadlines.filter((d) => d.state === 'missed' && within(d.dueAt, t - WEEK_MS, t)).map((d) => line(r, `${d.name} was due ${when(d.dueAt, project)}`)));
  const dueNext = open.flatMap((r) => r.deadlines.filter((d) => d.state === 'pending' && within(d.dueAt, t, t + WEEK_MS)).map((d) => line(r, `${d.name} by ${when(d.dueAt, project)}`)));
  const quarantined = input.reports.filter((r) => r.report.quarantine && within(r.report.createdAt, t - WEEK_MS, t)).map((r) => `- ${r.report.id}  ${when(r.report.createdAt, project)}  reason: ${oneLine(r.report.quarantine!.reason)}`);
  const unanswered = open.filter((r) => !r.report.acknowledgedAt).map((r) => line(r, `received ${when(r.report.createdAt, project)}`));
  const names = [...new Set(input.weeks.flatMap((w) => w.promises.map((p) => p.name)))];
  const figures = [
    ['week', 'received', ...names].join('  '),
    ...input.weeks.map((w) => [w.period, String(w.received), ...names.map((n) => { const p = w.promises.find((q) => q.name === n); return p && p.due ? `${pct(p.compliance)} (${p.met}/${p.due})` : '-'; })].join('  ')),
  ].join('\n');

  return {
    kind: 'weekly-digest',
    to: maintainerAddresses(project),
    subject: oneLine(`[${project.name} security] Weekly digest: ${plural(open.length, 'open report')}, ${plural(missed.length, 'missed deadline')}`),
    text: paragraphs(
      `The ${project.name} security reports as of ${when(at, project)}: ${plural(open.length, 'open report')}, ` +
        `${plural(missed.length, 'deadline')} missed in the last 7 days, ${plural(dueNext.length, 'deadline')} due in the next 7.`,
      `Open reports, by owner:\n${openText || '(none)'}`,
      `Missed in the last 7 days:\n${missed.join('\n') || '(none)'}`,
      `Due in the next 7 days:\n${dueNext.join('\n') || '(none)'}`,
      `Quarantined in the last 7 days (not answered; content not shown):\n${quarantined.join('\n') || '(none)'}`,
      `Not yet acknowledged:\n${unanswered.join('\n') || '(none)'}`,
      `Promises kept, last 4 weeks (in time / due):\n${figures}`,
      input.place
        ? `This summary is sent every week; \`${cliCommand(input.place, 'show <ID>')}\` gives the details. A reply reaches ${project.maintainers[0].address}, not the intake.`
        : `This summary is sent every week; \`secintake sla\` and \`secintake show <ID>\` give the details. A reply reaches ${project.maintainers[0].address}, not the intake.`,
    ),
    autoSubmitted: 'auto-generated',
  };
}

/** Listed maintainers first in config order, other owners after, unassigned ('') last. */
function rankOf(order: string[], owner: string): number {
  if (!owner) return order.length + 1;
  const i = order.indexOf(owner);
  return i < 0 ? order.length : i;
}

/** Every digest instant of the project in (from, to], in time order: a clock moved over two weeks passes two. */
export function digestInstantsBetween(project: Project, from: Date, to: Date): Date[] {
  const out: Date[] = [];
  for (let at = digestDueAt(project, to); at && at.getTime() > from.getTime(); at = digestDueAt(project, new Date(at.getTime() - 1))) {
    out.unshift(at);
  }
  return out;
}
