/**
 * What a maintainer's commands do to a report: a patch, the audit entries, and refusals. Pure; the use case
 * writes the patch only when there is no refusal and no parse error (nothing is ever half-applied).
 */
import type { Command, CommandError, EmbargoSetting } from './commands';
import { commandExample } from './commands';
import type { Project } from './config';
import { addDuration } from './deadline';
import { formatInstant } from './format-instant';
import type { Report, ReportStatus } from './report';

export interface CommandEffects {
  patch: Partial<Report>;
  changes: { type: string; detail: Record<string, unknown> }[];
  refusals: CommandError[];
  /** `Internal: yes`: record and tell the other maintainers, relay nothing to the reporter. */
  internal: boolean;
  /** `Redact: yes`: the use case removes excerpts, attachment names and raw mail (retention). */
  redact?: boolean;
}

/** Statuses that say a maintainer has looked at the report. They acknowledge it only together with a message
 *  to the reporter (the use case sends one when the maintainer wrote no text); the detailed response is only
 *  ever met by text relayed to the reporter, never by a status alone. */
const ACKNOWLEDGING: ReportStatus[] = ['acknowledged', 'triaged', 'fixing', 'fixed', 'disclosed', 'closed'];
/** Statuses that say the maintainers assessed the report: text relayed with one of them is the detailed response. */
export const ASSESSING: ReportStatus[] = ['triaged', 'fixing', 'fixed', 'disclosed', 'closed'];

export function applyCommands(
  report: Report,
  commands: Command[],
  now: Date,
  project: Project,
  actor: string,
): CommandEffects {
  const effects: CommandEffects = { patch: {}, changes: [], refusals: [], internal: false };
  const at = now.toISOString();
  for (const cmd of commands) {
    switch (cmd.name) {
      case 'status': {
        effects.patch.status = cmd.status;
        if (cmd.status === 'closed') {
          effects.patch.closeReason = cmd.reason;
          if (cmd.duplicateOf) effects.patch.duplicateOf = cmd.duplicateOf;
        }
        if (ACKNOWLEDGING.includes(cmd.status) && !report.acknowledgedAt) effects.patch.acknowledgedAt = at;
        effects.changes.push({ type: 'status.changed', detail: { from: report.status, to: cmd.status, ...('reason' in cmd ? { reason: cmd.reason, duplicateOf: cmd.duplicateOf } : {}) } });
        break;
      }
      case 'embargo': {
        const anchor = report.embargoAnchorAt ? new Date(report.embargoAnchorAt) : now;
        const result = safely(() => resolveEmbargo(cmd.embargo, now, project, anchor));
        if ('refusal' in result) {
          effects.refusals.push({ line: embargoLine(cmd.embargo), reason: result.refusal, example: commandExample('embargo', now) });
          break;
        }
        effects.patch.embargo = result.until ? { until: result.until.toISOString(), setAt: at, setBy: actor } : undefined;
        if (result.until && !report.embargoAnchorAt) effects.patch.embargoAnchorAt = at;
        effects.changes.push({ type: result.until ? 'embargo.set' : 'embargo.lifted', detail: { from: report.embargo?.until, to: result.until?.toISOString() } });
        break;
      }
      case 'severity':
        effects.patch.severity = cmd.severity;
        effects.changes.push({ type: 'severity.set', detail: { from: report.severity, to: cmd.severity } });
        break;
      case 'cve':
        effects.patch.cve = cmd.cve;
        effects.changes.push({ type: 'cve.set', detail: { from: report.cve, to: cmd.cve } });
        break;
      case 'credit':
        effects.patch.credit = cmd.credit;
        effects.changes.push({ type: 'credit.set', detail: { to: cmd.credit } });
        break;
      case 'internal':
        effects.internal = cmd.internal;
        break;
      case 'hold':
        if (cmd.hold !== (report.hold !== undefined)) {
          effects.patch.hold = cmd.hold ? { since: at, by: actor } : undefined;
          effects.changes.push({ type: cmd.hold ? 'hold.set' : 'hold.lifted', detail: { from: report.hold ? 'yes' : 'no', to: cmd.hold ? 'yes' : 'no' } });
        }
        break;
      case 'redact':
        if (report.hold) {
          effects.refusals.push({ line: 'Redact: yes', reason: 'the report is on legal hold; lift it first (Hold: no)', example: commandExample('redact', now) });
        } else if (!report.retention?.redactedAt) {
          effects.redact = true;
          effects.changes.push({ type: 'retention.redacted', detail: { to: 'yes' } });
        }
        break;
      case 'reporter':
        if (report.reporterUnreachable) {
          effects.patch.reporterUnreachable = undefined;
          effects.changes.push({ type: 'reporter.reachable', detail: { since: report.reporterUnreachable.since, reason: report.reporterUnreachable.reason } });
        }
        break;
    }
  }
  return effects;
}

/** A value that cannot be computed (a calendar walk that overflows, a date out of range) is a refusal, never a
 *  crash of the intake: the maintainer is told and nothing changes. */
function safely(fn: () => { until?: Date } | { refusal: string }): { until?: Date } | { refusal: string } {
  try {
    return fn();
  } catch (err) {
    return { refusal: `the date could not be computed (${err instanceof Error ? err.message.slice(0, 120) : 'unknown error'})` };
  }
}

/** An embargo end instant from a command, refused when it is past or beyond the policy's maximum. */
export function resolveEmbargo(
  setting: EmbargoSetting,
  now: Date,
  project: Project,
  /** When the embargo was first set (now, for a first one): the maximum counts from here. */
  anchor: Date = now,
): { until?: Date } | { refusal: string } {
  if (setting.kind === 'none') return {};
  const cal = project.calendar;
  const until = setting.kind === 'at' ? new Date(setting.iso) : addDuration(now, setting.text, cal);
  if (Number.isNaN(until.getTime())) return { refusal: 'the date could not be read' };
  if (until.getTime() <= now.getTime()) {
    return { refusal: `${formatInstant(until, cal.timeZone)} is not in the future` };
  }
  const max = project.timers.embargo?.max;
  if (max) {
    const latest = addDuration(anchor, max, cal);
    if (until.getTime() > latest.getTime()) {
      const from = anchor.getTime() === now.getTime() ? 'from now' : `from when the embargo was first set (${formatInstant(anchor, cal.timeZone)})`;
      return {
        refusal: `${formatInstant(until, cal.timeZone)} is longer than this project's policy allows (at most ${max} ${from}, i.e. until ${formatInstant(latest, cal.timeZone)})`,
      };
    }
  }
  return { until };
}

function embargoLine(setting: EmbargoSetting): string {
  return `Embargo: ${setting.kind === 'at' ? setting.iso : setting.kind === 'duration' ? setting.text : 'none'}`;
}
