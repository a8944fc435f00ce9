/**
 * What a maintainer's commands did, told to the people concerned (issue 12): the reporter hears a person
 * acknowledged their report when a maintainer acknowledged it without writing anything; every maintainer hears
 * what was applied, what went to the reporter, and what is next.
 */
import type { DeadlineView } from '../report';
import { type Draft, type DraftContext, maintainerAddresses, oneLine, paragraphs, reporterThread, subjectFor } from './draft';
import { DEADLINE_NAMES, MAINTAINER_REPLY_LINE, REPORTER_REPLY_LINE, when } from './mail-text';

export interface AcknowledgedInput extends DraftContext {
  deadlines: DeadlineView[];
}

function nextPending(deadlines: DeadlineView[]): DeadlineView | undefined {
  return deadlines.filter((d) => d.state === 'pending').sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
}

/** A command-only acknowledgment: a short message in the project's voice, so the promise is kept in fact. */
export function acknowledgedDraft(input: AcknowledgedInput): Draft {
  const { report, project } = input;
  const next = nextPending(input.deadlines);
  const nextLine = next ? `Next: ${DEADLINE_NAMES[next.name]} by ${when(next.dueAt, project)}.` : 'The maintainers will write to you from this address.';
  return {
    kind: 'acknowledged',
    to: [report.reporter.address],
    subject: subjectFor(project, report.id, report.subject || '(no subject)'),
    text: paragraphs(
      `The ${project.name} maintainers have acknowledged your report ${report.id} (${when(input.now, project)}). ` +
        `Its status is now: ${report.status}.\n${nextLine}`,
      REPORTER_REPLY_LINE,
    ),
    autoSubmitted: 'auto-generated',
    ...reporterThread(report),
  };
}

/** A reopened report: the reporter hears it is open again, its status, and what comes next. */
export function reopenedDraft(input: AcknowledgedInput): Draft {
  const { report, project } = input;
  const next = nextPending(input.deadlines);
  const nextLine = next ? `Next: ${DEADLINE_NAMES[next.name]} by ${when(next.dueAt, project)}.` : 'The maintainers will write to you from this address.';
  return {
    kind: 'reopened',
    to: [report.reporter.address],
    subject: subjectFor(project, report.id, report.subject || '(no subject)'),
    text: paragraphs(
      `The ${project.name} maintainers have reopened your report ${report.id} (${when(input.now, project)}). ` +
        `Its status is now: ${report.status}.\n${nextLine}`,
      REPORTER_REPLY_LINE,
    ),
    autoSubmitted: 'auto-generated',
    ...reporterThread(report),
  };
}

export interface RelayCopyInput extends DraftContext {
  maintainer: string;
  /** The text as the reporter received it. */
  text: string;
  to: string[];
  inReplyTo?: string;
}

/** Every relayed reply is copied to the other maintainers, so nobody answers twice. */
export function relayCopyDraft(input: RelayCopyInput): Draft {
  const { report, project } = input;
  return {
    kind: 'relay-copy',
    to: input.to,
    subject: subjectFor(project, report.id, `Sent to the reporter by ${oneLine(input.maintainer)}`),
    text: paragraphs(
      `${oneLine(input.maintainer)} wrote to the reporter of ${report.id} (${when(input.now, project)}); they received:`,
      indentedText(input.text),
      MAINTAINER_REPLY_LINE,
    ),
    autoSubmitted: 'auto-generated',
    ...(input.inReplyTo ? { inReplyTo: input.inReplyTo, references: [input.inReplyTo] } : {}),
  };
}

const indentedText = (text: string) => text.split('\n').map((l) => `  | ${l}`).join('\n');

export interface CommandsAppliedInput extends DraftContext {
  maintainer: string;
  changes: { type: string; detail: Record<string, unknown> }[];
  /** What reached the reporter because of this message, in words ("your text", "the embargo date"...). */
  toReporter: string[];
  deadlines: DeadlineView[];
  inReplyTo?: string;
  /** The text relayed to the reporter with these commands, copied for the other maintainers. */
  relayedText?: string;
}

const CHANGE_NAMES: Record<string, string> = {
  'status.changed': 'Status',
  'embargo.set': 'Embargo',
  'embargo.lifted': 'Embargo',
  'severity.set': 'Severity',
  'cve.set': 'CVE',
  'credit.set': 'Credit',
  'reporter.reachable': 'Reporter',
  'embargo.extended': 'Embargo (extended)',
  'report.reopened': 'Reopened',
  'report.released': 'Released from quarantine',
  'owner.changed': 'Owner',
  'affected.set': 'Affected',
  'fixed.set': 'Fixed',
  'cwe.set': 'CWE',
  'hold.set': 'Hold',
  'encryption.off': 'Encrypt (mail to the reporter)',
  'encryption.resumed': 'Encrypt (mail to the reporter)',
  'hold.lifted': 'Hold',
  'retention.redacted': 'Redact',
};

function shown(value: unknown, ctx: DraftContext): string {
  if (value === undefined || value === null || value === '') return 'none';
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) return when(value, ctx.project);
  return oneLine(String(value)).slice(0, 200);
}

/** To every maintainer: this message's commands were applied, before -> after, and what happens next. */
export function commandsAppliedDraft(input: CommandsAppliedInput): Draft {
  const { report, project } = input;
  const lines = input.changes.map((c) => {
    const name = CHANGE_NAMES[c.type] ?? c.type;
    if (c.type === 'reporter.reachable') return `- Reporter: unreachable -> reachable`;
    const from = 'from' in c.detail ? shown(c.detail.from, input) : undefined;
    const to = shown(c.detail.to, input);
    return from === undefined ? `- ${name}: ${to}` : `- ${name}: ${from} -> ${to}`;
  });
  const next = input.deadlines
    .filter((d) => d.state === 'pending')
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt))
    .map((d) => `- ${DEADLINE_NAMES[d.name]}: ${when(d.dueAt, project)}`);
  return {
    kind: 'commands-applied',
    to: maintainerAddresses(project),
    subject: subjectFor(project, report.id, 'Applied: ' + (input.changes.map((c) => CHANGE_NAMES[c.type] ?? c.type).join(', ') || 'no change')),
    text: paragraphs(
      `The commands of ${oneLine(input.maintainer)} on ${report.id} were applied, ${when(input.now, project)}:\n` +
        (lines.length ? lines.join('\n') : '- nothing changed (the values were already so)'),
      `Sent to the reporter: ${input.toReporter.length ? input.toReporter.join('; ') : 'nothing'}.`,
      input.relayedText ? `The text they received:\n${indentedText(input.relayedText)}` : undefined,
      next.length ? `Next deadlines:\n${next.join('\n')}` : 'No deadline is pending.',
      MAINTAINER_REPLY_LINE,
    ),
    autoSubmitted: 'auto-generated',
    ...(input.inReplyTo ? { inReplyTo: input.inReplyTo, references: [input.inReplyTo] } : {}),
  };
}
