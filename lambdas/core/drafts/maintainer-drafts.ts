/**
 * Mail to the maintainers about a report: the new-report notice, a reporter's follow-up, reminders before a
 * deadline and escalation after it (EMAILS.md). Reporter text is shown behind a `| ` margin so it can never
 * pass for our own lines, and it is plain text as received (HTML is never rendered).
 */
import type { Address, AttachmentMeta, CheckResult, DeadlineView, Report, Verdicts } from '../report';
import type { Project } from '../config';
import { cliCommand, type CliPlace } from '../cli-hint';
import { BOUNDS, clip } from '../bounded';
import {
  type Draft,
  type DraftAttachment,
  type DraftContext,
  maintainerAddresses,
  oneLine,
  paragraphs,
  subjectFor,
} from './draft';
import { DEADLINE_NAMES, MAINTAINER_REPLY_LINE, byteSize, commandReference, indented, when } from './mail-text';

/**
 * What maintainer mail shows of an inbound message. A ParsedMessage fits (verdicts and checks then come
 * beside it), and so does a MessageRecord with its text.
 */
export interface ReceivedMessage {
  from?: Address;
  text: string;
  attachments: AttachmentMeta[];
  /** Arrival instant; the report's creation (notice) or now (follow-up) when absent. */
  at?: string;
  verdicts?: Verdicts;
  checks?: CheckResult[];
}

/** Reporter text shown in maintainer mail; the whole message stays in the raw store. */
const MAX_QUOTED_TEXT = 64 * 1024;

export function verdictSummary(verdicts: Verdicts | undefined): string {
  if (!verdicts) return 'authentication not checked';
  const parts = [`SPF ${verdicts.spf}`, `DKIM ${verdicts.dkim}`, `DMARC ${verdicts.dmarc}`];
  if (verdicts.spam !== 'PASS') parts.push(`spam ${verdicts.spam}`);
  if (verdicts.virus !== 'PASS') parts.push(`virus ${verdicts.virus}`);
  return parts.join(', ');
}

/**
 * First thing in the mail when someone claimed to be a maintainer and was not authenticated as one: the
 * maintainers must hear of an impersonation attempt (or of their own mail setup failing) at once.
 */
function impersonationWarning(checks: CheckResult[]): string | undefined {
  const claim = checks.find((c) => c.name === 'impersonation' && c.result === 'fail');
  if (!claim) return undefined;
  return (
    `WARNING: this message ${oneLine(claim.reason)}.\n` +
    'It was treated as mail from a stranger: no command ran and nothing was sent to the reporter. If you sent ' +
    'it, your mail was not authenticated as yours (see "Authentication" in the README); if not, someone is ' +
    'impersonating a maintainer.'
  );
}

/** Why the reporter got no receipt, when a mark on their message said not to answer it automatically. */
function noReceiptLine(checks: CheckResult[]): string | undefined {
  const reason = checks.find((c) => c.name === 'auto-answer' && c.result === 'fail')?.reason;
  return reason ? `No receipt was sent to the reporter (${oneLine(reason)}). Your reply reaches them as usual.` : undefined;
}

function failedChecks(checks: CheckResult[]): string | undefined {
  const failed = checks.filter((c) => c.result === 'fail' && c.name !== 'impersonation');
  if (failed.length === 0) return undefined;
  return 'Checks that did not pass:\n' + failed.map((c) => `- ${c.name}: ${c.reason}`).join('\n');
}

/** What a file is, when it could run or unpack something: said before anyone opens it. */
function kindWarning(a: AttachmentMeta): string {
  const name = (a.filename ?? '').toLowerCase();
  const type = a.contentType.toLowerCase();
  if (/\.(exe|dll|so|dylib|bat|cmd|com|scr|msi|ps1|vbs|js|jar|apk|app|sh|py|rb|pl|elf|bin)$/.test(name) || /(x-msdownload|x-executable|x-sharedlib|x-sh|java-archive|x-msi)/.test(type)) return ', EXECUTABLE';
  if (/\.(zip|tar|gz|tgz|bz2|xz|7z|rar|zst|cab|iso)$/.test(name) || /(zip|x-tar|gzip|x-7z|x-rar|x-bzip|x-xz)/.test(type)) return ', ARCHIVE';
  return '';
}

/**
 * The reporter's files: name, type, size, sha256, and whether each is attached to this mail or must be fetched
 * (`attachments`: the files that went with the mail; `undefined`: the mail carries none).
 */
export function attachmentList(attachments: AttachmentMeta[], evidence?: { attached: Array<{ filename?: string }>; reportId: string; location?: string; place?: CliPlace }): string | undefined {
  if (attachments.length === 0) return undefined;
  const key = (n: string | undefined) => (n === undefined ? undefined : clip(n, BOUNDS.fileName));
  const attachedNames = evidence ? evidence.attached.map((a) => key(a.filename)) : [];
  let missing = 0;
  const lines = attachments.map((a) => {
    const flag = a.flag ? `, ${a.flag} part kept as is` : '';
    const name = a.filename === undefined ? '(no name)' : JSON.stringify(oneLine(a.filename).slice(0, 200));
    const i = attachedNames.indexOf(key(a.filename));
    const where = !evidence ? '' : i >= 0 ? ' [attached]' : ' [not attached: too large for one mail]';
    if (i >= 0) attachedNames.splice(i, 1);
    else if (evidence) missing++;
    return `- ${name} (${oneLine(a.contentType).slice(0, 100)}, ${byteSize(a.size)}${kindWarning(a)}${flag}) sha256 ${a.sha256}${where}`;
  });
  return [
    `Attachments (${attachments.length}), from the reporter and UNTRUSTED: open them only in an isolated environment, never on a machine that matters:`,
    ...lines,
    ...(evidence && missing
      ? [
          `The files not attached are in the stored message${evidence.location ? ` (${oneLine(evidence.location)})` : ''}: ` +
            `\`${cliCommand(evidence.place, `attachments ${evidence.reportId}`)}\` saves them.`,
        ]
      : []),
  ].join('\n');
}

function reporterText(label: string, text: string): string {
  const clipped = text.length > MAX_QUOTED_TEXT;
  const shown = clipped ? text.slice(0, MAX_QUOTED_TEXT) : text;
  const body = shown.trim() === '' ? '| (no text)' : indented(shown.trimEnd(), '| ');
  const tail = clipped ? `\n(shortened to ${MAX_QUOTED_TEXT / 1024} KB; the whole message is kept)` : '';
  return `${label}\n${body}${tail}`;
}

function deadlineLines(deadlines: DeadlineView[], ctx: DraftContext): string | undefined {
  const pending = deadlines.filter((d) => d.state === 'pending').sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  if (pending.length === 0) return undefined;
  const lines = pending.map((d) => {
    const hard = d.hardAt ? ` (at the latest ${when(d.hardAt, ctx.project)})` : '';
    return `- ${DEADLINE_NAMES[d.name]}: ${when(d.dueAt, ctx.project)}${hard}`;
  });
  return `Deadlines:\n${lines.join('\n')}`;
}

function nextDeadlineLine(deadlines: DeadlineView[], ctx: DraftContext): string {
  const next = deadlines.filter((d) => d.state === 'pending').sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
  if (!next) return MAINTAINER_REPLY_LINE;
  return `Next: ${DEADLINE_NAMES[next.name]} due ${when(next.dueAt, ctx.project)}. ${MAINTAINER_REPLY_LINE}`;
}

export interface NewReportNoticeInput extends DraftContext {
  deadlines: DeadlineView[];
  message: ReceivedMessage;
  /** Classification results; `message.checks` when absent. */
  checks?: CheckResult[];
  /** SES (or local) verdicts; `message.verdicts` when absent. */
  verdicts?: Verdicts;
  /** The reporter's files that go with the notice (as many as fit under the sending limit). */
  attachments?: DraftAttachment[];
  /** Where the whole stored message can be opened, when some files did not fit (a local file path). */
  attachmentsAt?: string;
  /** Where the maintainers run the CLI (core/cli-hint.ts). */
  place?: CliPlace;
}

/** Who coordinates the report, and how to take it over. */
export function ownerLine(report: Report, project: Project): string {
  if (!report.owner) return 'Owner: nobody yet (reply with `Assign: me` to take it).';
  const how = project.assignment === 'round-robin' ? 'by round-robin' : typeof project.assignment === 'object' ? 'as configured' : 'assigned';
  return `Owner: ${report.owner} (${how}; reminders go to the owner; \`Assign: me\` takes it over).`;
}

/** The reporter's own wishes, quoted as theirs: never the maintainers' decision until confirmed. */
export function preferencesLines(report: Report): string | undefined {
  const p = report.reporterPreferences;
  if (!p || (!p.credit && !p.disclosureDate && !p.contact)) return undefined;
  return [
    'The reporter asked (their words, not confirmed):',
    p.credit ? `- credit: ${oneLine(p.credit)}${report.credit ? '' : ' (confirm with `Credit: <name>`)'}` : undefined,
    p.disclosureDate ? `- disclosure on: ${oneLine(p.disclosureDate)}` : undefined,
    p.contact ? `- contact: ${oneLine(p.contact)}` : undefined,
  ].filter(Boolean).join('\n');
}

/** A new report, to the maintainers: who, when, deadlines, failed checks, the text, attachments, commands. */
export function newReportNoticeDraft(input: NewReportNoticeInput): Draft {
  const { report, project, message } = input;
  const from = message.from?.address ?? report.reporter.address;
  const verdicts = input.verdicts ?? message.verdicts;
  const text = paragraphs(
    impersonationWarning(input.checks ?? message.checks ?? []),
    `New report ${report.id} from ${oneLine(from)} (${verdictSummary(verdicts)}), received ` +
      `${when(message.at ?? report.createdAt, project)}.\n${nextDeadlineLine(input.deadlines, input)}`,
    ownerLine(report, project),
    preferencesLines(report),
    noReceiptLine(input.checks ?? message.checks ?? []),
    deadlineLines(input.deadlines, input),
    failedChecks(input.checks ?? message.checks ?? []),
    reporterText("The reporter's text, as received:", message.text),
    attachmentList(message.attachments, input.attachments ? { attached: input.attachments, reportId: report.id, place: input.place, ...(input.attachmentsAt ? { location: input.attachmentsAt } : {}) } : undefined),
    commandReference(input.now),
  );
  return {
    kind: 'notice',
    to: maintainerAddresses(project),
    subject: subjectFor(project, report.id, report.subject || '(no subject)'),
    text,
    autoSubmitted: 'auto-generated',
    ...(input.attachments?.length ? { attachments: input.attachments } : {}),
  };
}

export interface FollowupForwardInput extends DraftContext {
  deadlines?: DeadlineView[];
  message: ReceivedMessage;
  /** `stranger`: someone else reached the report (reply address or our Message-ID); said plainly. */
  role?: 'reporter' | 'stranger';
  checks?: CheckResult[];
  verdicts?: Verdicts;
  /** The follow-up's attachments, when they are passed on (their list is always shown). */
  attachments?: DraftAttachment[];
  /** Where the whole stored message can be opened, when some files did not fit (a local file path). */
  attachmentsAt?: string;
  /** Where the maintainers run the CLI (core/cli-hint.ts). */
  place?: CliPlace;
}

/** A follow-up on a report (normally the reporter's), forwarded to the maintainers. */
export function followupForwardDraft(input: FollowupForwardInput): Draft {
  const { report, project, message } = input;
  const from = message.from?.address ?? 'an unknown sender';
  const who =
    input.role === 'stranger'
      ? `Someone who is not the reporter wrote about ${report.id}: ${oneLine(from)}`
      : `The reporter of ${report.id} wrote again: ${oneLine(from)}`;
  const text = paragraphs(
    impersonationWarning(input.checks ?? message.checks ?? []),
    `${who} (${verdictSummary(input.verdicts ?? message.verdicts)}), ` +
      `${when(message.at ?? input.now, project)}.\n${nextDeadlineLine(input.deadlines ?? [], input)}`,
    input.role === 'stranger' && 'Their message was not relayed anywhere and ran no commands.',
    input.role !== 'stranger' && preferencesLines(report),
    failedChecks(input.checks ?? message.checks ?? []),
    reporterText('Their message, as received:', message.text),
    attachmentList(message.attachments, input.attachments ? { attached: input.attachments, reportId: report.id, place: input.place, ...(input.attachmentsAt ? { location: input.attachmentsAt } : {}) } : undefined),
    commandReference(input.now),
  );
  return {
    kind: input.role === 'stranger' ? 'followup:stranger' : 'followup',
    to: maintainerAddresses(project),
    subject: subjectFor(project, report.id, report.subject || '(no subject)'),
    text,
    autoSubmitted: 'auto-generated',
    ...(input.attachments?.length ? { attachments: input.attachments } : {}),
  };
}

export interface InternalNoteInput extends DraftContext {
  /** The maintainer who wrote `Internal: yes`. */
  maintainer: string | Address;
  /** The other maintainers. */
  to: string[];
  text: string;
}

/** `Internal: yes`: the note goes to the other maintainers only, never to the reporter. */
export function internalNoteDraft(input: InternalNoteInput): Draft {
  const { report, project } = input;
  const author = typeof input.maintainer === 'string' ? input.maintainer : input.maintainer.address;
  const text = paragraphs(
    `Internal note on ${report.id} from ${oneLine(author)}, ${when(input.now, project)}.\n` +
      'It was recorded and not sent to the reporter.',
    indented(input.text.trimEnd(), '| '),
    'Replies to this note stay internal: they go to the other maintainers, never to the reporter. To write to ' +
      'the reporter, start your reply with the line "Internal: no", or reply to the report\'s notice instead.',
  );
  return {
    kind: 'internal',
    to: input.to,
    subject: subjectFor(project, report.id, `Internal note: ${report.subject || '(no subject)'}`),
    text,
    autoSubmitted: 'auto-generated',
  };
}
