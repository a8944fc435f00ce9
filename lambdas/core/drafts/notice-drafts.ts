/**
 * Notices about what happened to a report: the embargo ended, a command was refused or not understood, mail
 * to the reporter bounced, messages were quarantined. Each says what changed (or that nothing did).
 */
import type { CommandError } from '../commands';
import { cliCommand, type CliPlace } from '../cli-hint';
import type { Project } from '../config';
import { formatDuration, parseDuration } from '../duration';
import type { Report } from '../report';
import { type Draft, type DraftContext, maintainerAddresses, oneLine, paragraphs, reporterThread, subjectFor, subjectTag } from './draft';
import { MAINTAINER_REPLY_LINE, REPORTER_REPLY_LINE, indented, plural, when } from './mail-text';

export interface EmbargoEndInput extends DraftContext {
  /** When it ended; `dueAt`, then `report.embargo.until`, then now, when absent. */
  endedAt?: Date | string;
  /** The timeline's name for the same instant. */
  dueAt?: Date | string;
  /** Set when the reporter's copy is sent too, so the maintainers' copy can say so. */
  reporterTold?: boolean;
}

/** One of the two embargo-end messages (a timer action sends one outbox item per audience). */
export function embargoEndDraft(input: EmbargoEndInput & { audience?: 'maintainers' | 'reporter' }): Draft {
  return embargoEndDrafts(input)[input.audience ?? 'maintainers'];
}

/** The embargo ended: the maintainers must disclose; the reporter learns it and how they will be credited. */
export function embargoEndDrafts(input: EmbargoEndInput): { maintainers: Draft; reporter: Draft } {
  const { report, project } = input;
  const ended = when(input.endedAt ?? input.dueAt ?? report.embargo?.until ?? input.now, project);
  const credit = report.credit ? oneLine(report.credit) : undefined;
  const wish = report.reporterPreferences?.credit ? oneLine(report.reporterPreferences.credit) : undefined;
  const facts = report.facts;
  const maintainers = paragraphs(
    `The embargo on ${report.id} ended on ${ended}. The report is now due for disclosure.\n` +
      'Next: merge the fix, publish the release and the advisory, then reply with `Status: disclosed`.',
    [
      `Credit as recorded: ${credit ?? (wish ? `none confirmed; the reporter asked for "${wish}" (confirm with \`Credit: ${wish}\`)` : 'none (add `Credit: <name>` if the reporter asked for it)')}`,
      `CVE: ${report.cve ?? 'none recorded'}`,
      `Severity: ${report.severity ?? 'none recorded'}${facts?.severity?.vector ? ` (CVSS ${facts.severity.score}, ${facts.severity.vector})` : ''}`,
      ...(facts?.affected.length ? [`Affected: ${facts.affected.map((a) => `${a.ecosystem} ${a.package} ${a.range}`).join('; ')}`] : []),
      ...(facts?.fixed.length ? [`Fixed: ${facts.fixed.map((f) => [f.ecosystem, f.package, f.version].filter(Boolean).join(' ')).join('; ')}`] : []),
      ...(facts?.cwe.length ? [`CWE: ${facts.cwe.join(', ')}`] : []),
    ].join('\n'),
    input.reporterTold
      ? `The reporter is told in a message sent with this one.\n${MAINTAINER_REPLY_LINE}`
      : `The reporter cannot be told (their address bounced): write to them another way.\n${MAINTAINER_REPLY_LINE}`,
  );
  const reporter = paragraphs(
    `The embargo on your report ${report.id} ended on ${ended}.\n` +
      'Next: the maintainers are now due to publish the fix and the advisory.',
    credit
      ? `You will be credited as: ${credit}. If that is not right, reply with the name to use, or say that ` +
          'you prefer not to be credited.'
      : wish
      ? `You asked to be credited as: ${wish}. The maintainers have not confirmed it yet; if it is no longer right, ` +
          'reply with the name to use.'
      : 'No credit is recorded for you. Reply with the name to credit you by, or say that you prefer not to be ' +
          'credited.',
    REPORTER_REPLY_LINE,
  );
  return {
    maintainers: {
      kind: 'embargo-end',
      to: maintainerAddresses(project),
      subject: subjectFor(project, report.id, 'Embargo ended: due for disclosure'),
      text: maintainers,
      autoSubmitted: 'auto-generated',
    },
    reporter: {
      kind: 'embargo-end:reporter',
      to: [report.reporter.address],
      subject: subjectFor(project, report.id, 'Embargo ended'),
      text: reporter,
      autoSubmitted: 'auto-generated',
      ...reporterThread(report),
    },
  };
}

export interface EmbargoRefusedInput extends DraftContext {
  /** The maintainer who asked. */
  to: string | string[];
  /** The refusals from `applyCommands` (line, reason with the limit, correct form). */
  refusals: CommandError[];
  /** The policy's latest allowed end from now, when known: offered as a ready-to-use line. */
  latestAllowed?: Date | string;
  /** The maintainer's message, to thread under. */
  inReplyTo?: string;
}

/** `YYYY-MM-DD HH:MM UTC`, the form the Embargo command accepts. */
function commandInstant(instant: Date | string): string {
  const d = new Date(instant).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 16)} UTC`;
}

function explained(errors: CommandError[]): string {
  return errors
    .map((e) => `${indented(oneLine(e.line), '  > ')}\n  ${oneLine(e.reason)}\n  Correct form: ${oneLine(e.example)}`)
    .join('\n\n');
}

function replyThread(inReplyTo: string | undefined): Pick<Draft, 'inReplyTo' | 'references'> {
  return inReplyTo ? { inReplyTo, references: [inReplyTo] } : {};
}

/** An embargo longer than the policy's maximum (or in the past): refused, and the whole message with it. */
export function embargoRefusedDraft(input: EmbargoRefusedInput): Draft {
  const { report, project } = input;
  const max = project.timers.embargo?.max;
  const maxWords = max ? ` (at most ${formatDuration(parseDuration(max))})` : '';
  const text = paragraphs(
    (report.embargoChannels?.length
      ? `Embargo not set on ${report.id}: the ${project.name} policy${maxWords} and the rules of the outside channels it was shared with (${report.embargoChannels.map((c) => c.channel).join(', ')}) do not allow what you asked for.\n`
      : `Embargo not set on ${report.id}: the ${project.name} policy does not allow what you asked for${maxWords}.\n`) +
      'Nothing changed, and nothing was sent to the reporter.',
    explained(input.refusals),
    input.latestAllowed
      ? 'To set the longest embargo allowed, reply with this line at the top, then your text for the reporter:\n' +
          `  Embargo: ${commandInstant(input.latestAllowed)}`
      : 'To try again, reply with a corrected Embargo line at the top, then your text for the reporter.',
  );
  return {
    kind: 'embargo-refused',
    to: typeof input.to === 'string' ? [input.to] : input.to,
    subject: subjectFor(project, report.id, 'Not applied: embargo refused'),
    text,
    autoSubmitted: 'auto-replied',
    ...replyThread(input.inReplyTo),
  };
}

export interface CommandErrorInput extends DraftContext {
  to: string | string[];
  errors: CommandError[];
  inReplyTo?: string;
}

/** Commands not understood: quote, why, correct form; nothing changed, nothing sent (DESIGN section 3). */
export function commandErrorDraft(input: CommandErrorInput): Draft {
  const { report, project, errors } = input;
  const text = paragraphs(
    `Your message about ${report.id} was not applied: ${plural(errors.length, 'command line')} ` +
      `${errors.length === 1 ? 'was' : 'were'} not understood.\n` +
      'Nothing changed, and nothing was sent to the reporter.',
    explained(errors),
    'To try again, reply with the corrected commands at the top, then your text for the reporter.',
  );
  return {
    kind: 'command-error',
    to: typeof input.to === 'string' ? [input.to] : input.to,
    subject: subjectFor(project, report.id, 'Not applied: command not understood'),
    text,
    autoSubmitted: 'auto-replied',
    ...replyThread(input.inReplyTo),
  };
}

export interface RelayFailedInput extends DraftContext {
  to: string;
  /** Where the operator runs the CLI (core/cli-hint.ts). */
  place?: CliPlace;
  /** Why the relay could not be sent (the sender's words, one line). */
  reason: string;
  /** The commands that were applied all the same. */
  applied: string[];
  attachments: { filename?: string; size: number }[];
  inReplyTo?: string;
  /** A transient failure on the last attempt (not a refusal): the message is kept and can be sent again. */
  retryable?: { sesMessageId: string; attempts: number };
}

/** A maintainer's text could not be relayed: say so at once, with what was applied and what to do. */
export function relayFailedDraft(input: RelayFailedInput): Draft {
  const { report, project } = input;
  const total = input.attachments.reduce((n, a) => n + a.size, 0);
  const files = input.attachments.length
    ? `Your attachments (${input.attachments.length}, ${(total / 1024 / 1024).toFixed(1)} MB in all):\n` +
      input.attachments.map((a) => `- ${JSON.stringify(oneLine(a.filename ?? '(no name)').slice(0, 200))}, ${(a.size / 1024 / 1024).toFixed(1)} MB`).join('\n')
    : undefined;
  const text = paragraphs(
    `Your reply on ${report.id} was NOT sent to the reporter: ${oneLine(input.reason)}.\n` +
      (input.applied.length ? `Your commands were applied: ${input.applied.join(', ')}.` : 'It had no commands; nothing changed.'),
    files,
    input.retryable
      ? `Nothing is lost: your message is stored. The mail service failed on all ${input.retryable.attempts} attempts; ` +
          `once it works again, the operator re-sends it with \`${cliCommand(input.place, `replay ${input.retryable.sesMessageId}`)}\`. ` +
          'You may also simply reply again later; ' +
          'the reporter gets your text once either way goes through.'
      : /limit|size|large|bytes/i.test(input.reason) || input.attachments.length
      ? 'What to do: send large files another way (for example a link to a private location the reporter can reach), ' +
        'then reply again with your text and without the large attachments. Mail to the reporter is limited to ' +
        '10 MB per message, attachments included (about 7 MB of files once encoded).'
      : `What to do: reach the reporter another way if you can; \`${cliCommand(input.place, `show ${report.id}`)}\` shows what the mail service said.`,
  );
  return {
    kind: 'relay-failed',
    to: [input.to],
    subject: subjectFor(project, report.id, 'Not sent to the reporter: your reply could not be relayed'),
    text,
    autoSubmitted: 'auto-replied',
    ...replyThread(input.inReplyTo),
  };
}

export interface UnreachableInput extends DraftContext {
  /** The bounce's reason (DSN status and diagnostic, one line). */
  reason: string;
  /** When it bounced; `report.reporterUnreachable.since`, then now, when absent. */
  at?: Date | string;
  /** Which of our messages bounced (receipt, relay...), when known. */
  bouncedKind?: string;
}

export function unreachableNoticeDraft(input: UnreachableInput): Draft {
  const { report, project } = input;
  const what = input.bouncedKind ? `our ${input.bouncedKind}` : 'our mail';
  const bouncedAt = input.at ?? report.reporterUnreachable?.since ?? input.now;
  const text = paragraphs(
    `Mail to the reporter of ${report.id} bounced on ${when(bouncedAt, project)}: ${oneLine(input.reason)}\n` +
      `They may not have received ${what}. If you can reach them another way, please do.`,
    `Reporter: ${report.reporter.address}\nReport: ${report.subject || '(no subject)'}`,
    MAINTAINER_REPLY_LINE,
  );
  return {
    kind: 'unreachable',
    to: maintainerAddresses(project),
    subject: subjectFor(project, report.id, 'Reporter unreachable: our mail bounced'),
    text,
    autoSubmitted: 'auto-generated',
  };
}

/** A quarantined report, or just its ID, arrival and sender (shown as an address only). */
export type QuarantinedItem = { reason: string } & (
  | { report: Report }
  | { reportId: string; receivedAt: string; from?: string }
);

function itemFacts(item: QuarantinedItem): { reportId: string; receivedAt: string; from?: string; reason: string } {
  if ('report' in item) {
    const r = item.report;
    return { reportId: r.id, receivedAt: r.createdAt, from: r.reporter.address || undefined, reason: item.reason };
  }
  return item;
}

export interface QuarantineDigestInput {
  project: Project;
  now: Date;
  items: QuarantinedItem[];
  /** Where the maintainers run the CLI (core/cli-hint.ts). */
  place?: CliPlace;
}

/**
 * The quarantined messages of a period, by ID, time, sender and reason: never their subject or text, which
 * may be spam or malware bait. Not about one report, so the subject names the project instead of a tag.
 */
export function quarantineDigestDraft(input: QuarantineDigestInput): Draft {
  const { project, items } = input;
  const sorted = items.map(itemFacts).sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  const lines = sorted.map(
    (i) => `- ${i.reportId}  ${when(i.receivedAt, project)}  from ${oneLine(i.from ?? 'unknown sender')}\n` +
      `  reason: ${oneLine(i.reason)}`,
  );
  const text = paragraphs(
    `${plural(items.length, 'message')} to the ${project.name} security address ` +
      `${items.length === 1 ? 'was' : 'were'} quarantined (digest of ${when(input.now, project)}).\n` +
      'They were stored and not answered; their content is not shown here.',
    lines.join('\n'),
    `Nothing needs doing if they are spam. \`${cliCommand(input.place, 'show <ID>')}\` shows what was recorded for one.\n` +
      `If one is a real report, release it: reply with the first line \`Release: yes\` and its tag in the subject ` +
      `(${subjectTag(project, '<ID>')}); the sender then gets the receipt and the deadlines start from that moment.`,
  );
  return {
    kind: 'quarantine-digest',
    to: maintainerAddresses(project),
    subject: oneLine(`[${project.name} security] Quarantine digest: ${plural(items.length, 'message')} held`),
    text,
    autoSubmitted: 'auto-generated',
  };
}
