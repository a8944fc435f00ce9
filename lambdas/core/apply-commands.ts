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
import type { Facts } from './facts';
import { channelRefusal, channelTable, reportEmbargo, type ChannelTable } from './embargo-channels';
import { previewEnd, type DisclosureRecord } from './disclosure';

export interface CommandEffects {
  patch: Partial<Report>;
  /** Released from quarantine: the sender is sent the receipt built from the original message. */
  released?: boolean;
  /** `Update:` text, for the reporter (before any text below the commands). */
  updateText?: string;
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
  /** The outside embargo channels known to this project (built-ins, the config's, the project's). */
  channels: ChannelTable = channelTable(project.channels),
): CommandEffects {
  const effects: CommandEffects = { patch: {}, changes: [], refusals: [], internal: false };
  const at = now.toISOString();
  const lead = project.escalation.some((a) => a.toLowerCase() === actor.toLowerCase());
  // a reopen or a release starts a new workflow generation (`patch.generation` set: the use case starts it)
  const nextGeneration = () => {
    effects.patch.generation = (report.generation ?? 0) + 1;
    effects.patch.generationStartedAt = at;
  };
  const release = () => {
    effects.released = true;
    effects.patch.quarantine = undefined;
    effects.patch.status = 'received';
    effects.patch.timersFrom = at;
    nextGeneration();
    effects.changes.push({ type: 'report.released', detail: { from: 'quarantined', to: 'received', reason: report.quarantine?.reason } });
  };
  const listed = new Set<string>();
  for (const cmd of commands) {
    switch (cmd.name) {
      case 'release':
        if (!report.quarantine) {
          effects.refusals.push({ line: 'Release: yes', reason: `${report.id} is not quarantined; there is nothing to release`, example: 'Status: triaged' });
        } else release();
        break;
      case 'update':
        effects.updateText = cmd.text;
        break;
      case 'status': {
        if (cmd.status === 'reopened') {
          if (report.status !== 'closed' && report.status !== 'disclosed') {
            effects.refusals.push({ line: 'Status: reopened', reason: `${report.id} is ${report.status}, not closed: only a closed or disclosed report can be reopened`, example: 'Status: triaged' });
            break;
          }
          effects.patch.status = report.respondedAt ? 'triaged' : report.acknowledgedAt ? 'acknowledged' : 'received';
          effects.patch.closeReason = undefined;
          effects.patch.duplicateOf = undefined;
          effects.patch.disclosedAt = undefined;
          effects.patch.reopenedAt = at;
          nextGeneration();
          effects.changes.push({ type: 'report.reopened', detail: { from: report.status, to: effects.patch.status } });
          break;
        }
        if (cmd.status === 'received' && report.quarantine) {
          release();
          break;
        }
        effects.patch.status = cmd.status;
        if ((cmd.status === 'disclosed' || cmd.status === 'closed') && !report.disclosedAt) effects.patch.disclosedAt = at;
        if (cmd.status === 'closed') {
          effects.patch.closeReason = cmd.reason;
          if (cmd.duplicateOf) effects.patch.duplicateOf = cmd.duplicateOf;
        }
        if (cmd.status === 'fixed' && !report.fixReleasedAt) effects.patch.fixReleasedAt = at;
        if (ACKNOWLEDGING.includes(cmd.status) && !report.acknowledgedAt) effects.patch.acknowledgedAt = at;
        // a project that counts an assessment by status alone (`respondMetBy: "status"`)
        if (project.timers.respondMetBy === 'status' && ASSESSING.includes(cmd.status) && !report.respondedAt) effects.patch.respondedAt = at;
        effects.changes.push({ type: 'status.changed', detail: { from: report.status, to: cmd.status, ...('reason' in cmd ? { reason: cmd.reason, duplicateOf: cmd.duplicateOf } : {}) } });
        break;
      }
      case 'embargo': {
        if (cmd.embargo.kind === 'channel') {
          const refusal = shareRefusal(report, cmd.embargo.channel, channels, project);
          if (refusal) {
            effects.refusals.push({ line: `Embargo: channel ${cmd.embargo.channel}`, reason: refusal, example: `Embargo: channel ${Object.keys(channels)[0] ?? 'linux-distros'}` });
            break;
          }
          effects.patch.embargoChannels = [...(report.embargoChannels ?? []), { channel: cmd.embargo.channel, sharedAt: at, by: actor }];
          // from now on the project's own end is kept apart from the effective one
          if (!report.embargoProject) effects.patch.embargoProject = report.embargo ? { until: report.embargo.until, setBy: report.embargo.setBy } : {};
          effects.changes.push({ type: 'embargo.channel', detail: { channel: cmd.embargo.channel, rule: channels[cmd.embargo.channel]!.label } });
          break;
        }
        if (cmd.embargo.kind === 'extend') {
          const refusal = extensionRefusal(report, cmd.embargo, now, project, lead, actor);
          if (typeof refusal === 'string') {
            effects.refusals.push({ line: embargoLine(cmd.embargo), reason: refusal, example: commandExample('embargo', now) });
            break;
          }
          const until = refusal.until.toISOString();
          const past = channelRefusal(refusal.until, report, channels, project.calendar);
          if (past) {
            effects.refusals.push({ line: embargoLine(cmd.embargo), reason: `${past}; a lead cannot extend past an outside channel's rule`, example: commandExample('embargo', now) });
            break;
          }
          if (report.embargoChannels?.length) {
            effects.patch.embargoProject = { until, setBy: actor };
            effects.patch.embargoExtensions = [...(report.embargoExtensions ?? []), { until, at, by: actor, reason: cmd.embargo.reason }];
            effects.changes.push({ type: 'embargo.project.extended', detail: { from: report.embargoProject?.until, to: until, reason: cmd.embargo.reason } });
            break;
          }
          effects.patch.embargo = { until, setAt: at, setBy: actor };
          effects.patch.embargoExtensions = [...(report.embargoExtensions ?? []), { until, at, by: actor, reason: cmd.embargo.reason }];
          effects.changes.push({ type: 'embargo.extended', detail: { from: report.embargo?.until, to: until, reason: cmd.embargo.reason } });
          break;
        }
        const anchor = report.embargoAnchorAt ? new Date(report.embargoAnchorAt) : now;
        const result = safely(() => resolveEmbargo(cmd.embargo, now, project, anchor));
        if ('refusal' in result) {
          effects.refusals.push({ line: embargoLine(cmd.embargo), reason: result.refusal, example: commandExample('embargo', now) });
          break;
        }
        if (report.embargoChannels?.length) {
          // shared with an outside channel: the project's end is one limit among the channels'
          const past = result.until ? channelRefusal(result.until, report, channels, project.calendar) : undefined;
          if (past) {
            effects.refusals.push({ line: embargoLine(cmd.embargo), reason: past, example: commandExample('embargo', now) });
            break;
          }
          effects.patch.embargoProject = result.until ? { until: result.until.toISOString(), setBy: actor } : {};
          effects.changes.push({ type: result.until ? 'embargo.project.set' : 'embargo.project.lifted', detail: { from: report.embargoProject?.until, to: result.until?.toISOString() } });
          break;
        }
        effects.patch.embargo = result.until ? { until: result.until.toISOString(), setAt: at, setBy: actor } : undefined;
        if (result.until && !report.embargoAnchorAt) effects.patch.embargoAnchorAt = at;
        effects.changes.push({ type: result.until ? 'embargo.set' : 'embargo.lifted', detail: { from: report.embargo?.until, to: result.until?.toISOString() } });
        break;
      }
      case 'severity': {
        effects.patch.severity = cmd.severity;
        if (cmd.cvss || report.facts?.severity) {
          const facts = (effects.patch.facts ??= { ...emptyFacts(), ...report.facts });
          if (cmd.cvss) facts.severity = cmd.cvss;
          else delete facts.severity;
        }
        const shown = cmd.cvss ? `${cmd.severity} (CVSS ${cmd.cvss.score}, ${cmd.cvss.vector})` : cmd.severity;
        effects.changes.push({ type: 'severity.set', detail: { from: report.facts?.severity ? `${report.severity} (CVSS ${report.facts.severity.score})` : report.severity, to: shown } });
        break;
      }
      case 'affected':
      case 'fixed':
      case 'cwe': {
        const facts = (effects.patch.facts ??= { ...emptyFacts(), ...report.facts });
        const list = cmd.name === 'affected' ? 'affected' : cmd.name === 'fixed' ? 'fixed' : 'cwe';
        // the lines of one message replace the list: the first line of this message starts it afresh
        if (!listed.has(list)) {
          listed.add(list);
          (facts[list] as unknown[]) = [];
        }
        const item = cmd.name === 'affected' ? cmd.affected : cmd.name === 'fixed' ? cmd.fixed : cmd.cwe;
        if (item !== undefined) (facts[list] as unknown[]).push(item);
        break;
      }
      case 'assign': {
        const to = cmd.to === 'me' ? actor.toLowerCase() : cmd.to;
        const allowed = [...project.maintainers.map((m) => m.address.toLowerCase()), ...project.escalation.map((a) => a.toLowerCase())];
        if (!allowed.includes(to)) {
          effects.refusals.push({ line: `Assign: ${cmd.to}`, reason: `${to} is not a maintainer or lead of ${project.id}`, example: 'Assign: me' });
          break;
        }
        effects.patch.owner = to;
        effects.changes.push({ type: 'owner.changed', detail: { from: report.owner, to } });
        break;
      }
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
      case 'encrypt':
        if (cmd.encrypt === (report.encryptOff !== undefined)) {
          effects.patch.encryptOff = cmd.encrypt ? undefined : { by: actor, at };
          effects.changes.push({ type: cmd.encrypt ? 'encryption.resumed' : 'encryption.off', detail: { from: report.encryptOff ? 'no' : 'yes', to: cmd.encrypt ? 'yes' : 'no' } });
        }
        break;
      case 'hold':
        if (!lead) {
          effects.refusals.push({ line: `Hold: ${cmd.hold ? 'yes' : 'no'}`, reason: `only a lead (an escalation contact of ${project.id}) may set or lift a legal hold`, example: commandExample('hold', now) });
        } else if (cmd.hold !== (report.hold !== undefined)) {
          effects.patch.hold = cmd.hold ? { since: at, by: actor } : undefined;
          effects.changes.push({ type: cmd.hold ? 'hold.set' : 'hold.lifted', detail: { from: report.hold ? 'yes' : 'no', to: cmd.hold ? 'yes' : 'no' } });
        }
        break;
      case 'redact':
        if (!lead) {
          effects.refusals.push({ line: 'Redact: yes', reason: `only a lead (an escalation contact of ${project.id}) may redact a report`, example: commandExample('redact', now) });
        } else if (report.hold) {
          effects.refusals.push({ line: 'Redact: yes', reason: 'the report is on legal hold; lift it first (Hold: no)', example: commandExample('redact', now) });
        } else if (!report.retention?.redactedAt) {
          effects.redact = true;
          effects.changes.push({ type: 'retention.redacted', detail: { to: 'yes' } });
        }
        break;
      case 'announce':
      case 'advisory':
      case 'publish': {
        // an embargo set in the same message counts (`Embargo: 7d` with `Publish: at-embargo-end`)
        const result = disclosureCommand({ ...report, ...effects.patch }, effects.patch.disclosure ?? report.disclosure ?? {}, cmd, project, now, actor);
        if ('refusal' in result) {
          effects.refusals.push({ line: result.line, reason: result.refusal, example: commandExample(cmd.name, now) });
          break;
        }
        effects.patch.disclosure = result.disclosure;
        effects.changes.push(result.change);
        break;
      }
      case 'reporter':
        if (report.reporterUnreachable) {
          effects.patch.reporterUnreachable = undefined;
          effects.changes.push({ type: 'reporter.reachable', detail: { since: report.reporterUnreachable.since, reason: report.reporterUnreachable.reason } });
        }
        break;
    }
  }
  for (const list of listed) {
    const key = list as 'affected' | 'fixed' | 'cwe';
    const show = (items: unknown[] | undefined) => (items ?? []).map(factText).join('; ') || undefined;
    effects.changes.push({ type: `${key}.set`, detail: { from: show(report.facts?.[key]), to: show(effects.patch.facts?.[key]) } });
  }
  if (!effects.refusals.length) effectiveEnd(report, effects, channels, project, actor, at);
  return effects;
}

/**
 * Once the report was shared with an outside channel, `embargo.until` is the effective end: the earliest of the
 * project's and the channels' ends. When these commands move it (a share, a new project date, a fix released
 * under Project Zero's rule), the change is recorded as `embargo.set` / `embargo.lifted`, so the reporter and
 * the maintainers are told as for any embargo change.
 */
function effectiveEnd(report: Report, effects: CommandEffects, channels: ChannelTable, project: Project, actor: string, at: string): void {
  const after = { ...report, ...effects.patch };
  if (!after.embargoChannels?.length || report.disclosureDueAt) return;
  const effective = reportEmbargo(after, channels, project.calendar);
  const before = report.embargo?.until;
  if (effective.end === before) return;
  const sources = effective.sources.map((s) => `${s.source} ${s.end}`);
  if (effective.end) {
    const source = effective.sources[0]!;
    effects.patch.embargo = { until: effective.end, setAt: at, setBy: source.source === 'project' ? (after.embargoProject?.setBy ?? actor) : source.source };
    if (!report.embargoAnchorAt) effects.patch.embargoAnchorAt = at;
    effects.changes.push({ type: 'embargo.set', detail: { from: before, to: effective.end, by: source.source, rule: source.rule, sources } });
  } else {
    effects.patch.embargo = undefined;
    effects.changes.push({ type: 'embargo.lifted', detail: { from: before, to: undefined, sources } });
  }
}

/** Why the report cannot be shared with this channel now, if it cannot. */
function shareRefusal(report: Report, channel: string, channels: ChannelTable, project: Project): string | undefined {
  if (!channels[channel]) return `"${channel}" is not an embargo channel of ${project.id}; known: ${Object.keys(channels).join(', ')} (add one under "channels" in the config)`;
  const earlier = report.embargoChannels?.find((s) => s.channel === channel);
  if (earlier) return `${report.id} was already shared with ${channel} on ${earlier.sharedAt} (by ${earlier.by}); its limit counts from then`;
  if (report.disclosureDueAt) return `the embargo of ${report.id} already ended (${report.disclosureDueAt}); it is due for disclosure`;
  return undefined;
}

export function emptyFacts(): Facts {
  return { affected: [], fixed: [], cwe: [] };
}

/** One fact as a maintainer would write it. */
export function factText(item: unknown): string {
  if (typeof item === 'string') return item;
  const f = item as { ecosystem?: string; package?: string; range?: string; version?: string };
  return [f.ecosystem, f.package, f.range ?? f.version].filter(Boolean).join(' ');
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
  if (setting.kind === 'extend') return { refusal: 'an extension is checked by the rule for leads' };
  if (setting.kind === 'channel') return { refusal: 'a channel is checked by its own rule' };
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

/**
 * Going beyond the policy's maximum is a lead's decision (an escalation contact), with a reason: the embargo
 * must exist and not have ended, and the new end must be later than the current one.
 */
function extensionRefusal(
  report: Report,
  setting: Extract<EmbargoSetting, { kind: 'extend' }>,
  now: Date,
  project: Project,
  lead: boolean,
  actor: string,
): string | { until: Date } {
  if (!lead) {
    return `only a lead (an escalation contact of ${project.id}: ${project.escalation.join(', ') || 'none configured'}) may extend an embargo beyond the policy; ${actor} is a maintainer`;
  }
  if (!report.embargo || report.disclosureDueAt) return `${report.id} has no running embargo to extend`;
  const until = setting.to.kind === 'at' ? new Date(setting.to.iso) : addDuration(now, setting.to.text, project.calendar);
  if (Number.isNaN(until.getTime())) return 'the date could not be read';
  const current = new Date(report.embargo.until);
  if (until.getTime() <= current.getTime()) {
    return `${formatInstant(until, project.calendar.timeZone)} is not later than the current end (${formatInstant(current, project.calendar.timeZone)}); to shorten it, use Embargo: <date>`;
  }
  return { until };
}

function embargoLine(setting: EmbargoSetting): string {
  if (setting.kind === 'extend') return `Embargo: extend ${setting.to.kind === 'at' ? setting.to.iso : setting.to.text} reason: ${setting.reason}`;
  if (setting.kind === 'channel') return `Embargo: channel ${setting.channel}`;
  return `Embargo: ${setting.kind === 'at' ? setting.iso : setting.kind === 'duration' ? setting.text : 'none'}`;
}

/**
 * Announce / Advisory / Publish (issue 14): each records the maintainer's decision on the report; the tick
 * performs it (the preview mail first, the public act `previewFor` later). Refused when the policy has no such step
 * or it already happened.
 */
function disclosureCommand(
  report: Report,
  current: DisclosureRecord,
  cmd: Extract<Command, { name: 'announce' | 'advisory' | 'publish' }>,
  project: Project,
  now: Date,
  actor: string,
): { disclosure: DisclosureRecord; change: { type: string; detail: Record<string, unknown> } } | { refusal: string; line: string } {
  const d = project.disclosure;
  const at = now.toISOString();
  const line = cmd.name === 'announce' ? `Announce: ${cmd.announce}` : cmd.name === 'advisory' ? 'Advisory: draft' : `Publish: ${cmd.publish}`;
  const none = (what: string) => ({ refusal: `${project.id}'s policy has no ${what} (disclosure in the config)`, line });
  if (!d) return none('disclosure on GitHub');
  if (report.quarantine) return { refusal: `${report.id} is quarantined: release it first`, line };
  switch (cmd.name) {
    case 'announce': {
      if (!d.announce) return none('announcement issue');
      const s = current.announce;
      if (s?.state === 'done' || s?.state === 'calling') return { refusal: `the announcement issue is already ${s.state === 'done' ? `open${s.url ? `: ${s.url}` : ''}` : 'being opened'}`, line };
      if (cmd.announce === 'hold') {
        if (s?.state !== 'scheduled') return { refusal: 'no announcement is scheduled; nothing to hold', line };
        return { disclosure: { ...current, announce: { ...s, state: 'held', at, by: actor } }, change: { type: 'disclosure.announce.held', detail: { from: 'scheduled', to: 'held' } } };
      }
      const notBefore = previewEnd(d, project, now).toISOString();
      return { disclosure: { ...current, announce: { state: 'scheduled', notBefore, by: actor, at } }, change: { type: 'disclosure.announce.scheduled', detail: { to: notBefore } } };
    }
    case 'advisory': {
      if (!d.advisory) return none('security advisory');
      if (current.advisory) return { refusal: `the draft advisory is already ${current.advisory.state === 'done' ? `created${current.advisory.url ? `: ${current.advisory.url}` : ''}` : 'being created'}`, line };
      return { disclosure: { ...current, advisory: { state: 'scheduled', by: actor, at } }, change: { type: 'disclosure.advisory.requested', detail: { to: 'draft' } } };
    }
    case 'publish': {
      if (!d.advisory && !d.announce) return none('advisory or announcement to publish');
      const s = current.publish;
      if (s?.state === 'done' || s?.state === 'calling') return { refusal: `publication already ${s.state === 'done' ? 'happened' : 'started'}`, line };
      const notBefore = previewEnd(d, project, now).toISOString();
      const mode = cmd.publish === 'yes' ? 'now' : 'at-embargo-end';
      if (mode === 'at-embargo-end' && !report.embargo && !(d.embargo && current.announce)) return { refusal: 'there is no embargo whose end to wait for: set one (Embargo:) or give Publish: yes', line };
      return { disclosure: { ...current, publish: { state: 'scheduled', mode, notBefore, by: actor, at } }, change: { type: 'disclosure.publish.approved', detail: { to: mode, notBefore } } };
    }
  }
}
