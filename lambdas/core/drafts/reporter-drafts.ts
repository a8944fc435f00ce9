/**
 * Mail to the reporter: the receipt, an honest late notice, and a maintainer's reply relayed from the security
 * address (EMAILS.md). The reporter never sees a maintainer's address.
 */
import type { Project } from '../config';
import { formatDuration, parseDuration } from '../duration';
import type { Address, DeadlineView } from '../report';
import type { MissingItem } from './report-content';
import {
  type DeadlineInput,
  type Draft,
  type DraftAttachment,
  type DraftContext,
  oneLine,
  paragraphs,
  reporterThread,
  subjectFor,
} from './draft';
import { DEADLINE_NAMES, REPORTER_REPLY_LINE, deadlineDue, deadlineName, when } from './mail-text';

export const KEEP_PRIVATE_LINE = 'Please keep this report private until it is disclosed.';

function durationWords(text: string): string {
  try {
    return formatDuration(parseDuration(text));
  } catch {
    return text;
  }
}

/** One line per promise still pending, in the order they fall due. */
function timelineLines(deadlines: DeadlineView[], project: Project): string[] {
  const pending = deadlines.filter((d) => d.state === 'pending').sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  const lines = pending.map((d) => {
    const by = when(d.dueAt, project);
    switch (d.name) {
      case 'acknowledge':
        return d.hardAt
          ? `- a maintainer acknowledges it by ${by}, at the latest by ${when(d.hardAt, project)};`
          : `- a maintainer acknowledges it by ${by};`;
      case 'respond':
        return `- a detailed response with a first assessment follows by ${by};`;
      case 'update': {
        const cadence = project.timers.update;
        return cadence
          ? `- while a fix takes longer than ${durationWords(cadence.after)}, you get an update at least every ` +
              `${durationWords(cadence.every)}, the first by ${by};`
          : `- a status update by ${by};`;
      }
      case 'embargo':
        return `- the embargo ends on ${by}, when the fix and advisory are due to be published;`;
      case 'disclose':
        return `- the fix and advisory are due to be published by ${by};`;
    }
  });
  // a list reads as one sentence: items end with ";", the last with "."
  if (lines.length) lines[lines.length - 1] = lines[lines.length - 1]!.replace(/;$/, '.');
  return lines;
}

function nextStepLine(deadlines: DeadlineView[], project: Project): string {
  const next = deadlines.filter((d) => d.state === 'pending').sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
  if (!next) return 'Next: the maintainers will write to you from this address.';
  const by = when(next.dueAt, project);
  switch (next.name) {
    case 'acknowledge':
      return `Next: a maintainer acknowledges it by ${by}.`;
    case 'respond':
      return `Next: a detailed response with a first assessment by ${by}.`;
    case 'update':
      return `Next: a status update by ${by}.`;
    case 'embargo':
      return `Next: the embargo ends on ${by}.`;
    case 'disclose':
      return `Next: the fix and advisory are due to be published by ${by}.`;
  }
}

export interface ReceiptInput extends DraftContext {
  deadlines: DeadlineView[];
  /** From `missingInformation(text, project)`. */
  missing: MissingItem[];
  /** From `versionSupportNote(text, project)`. */
  unsupportedVersionNote?: string;
  /** The reporter wrote encrypted (issue 17): what the receipt says about it. */
  encryption?: ReceiptEncryption;
}

export interface ReceiptEncryption {
  /** Why their message could not be decrypted; absent when it was. */
  undecryptable?: string;
  /** True when we have no key of theirs: this answer goes in clear text, and we ask for their key. */
  askForKey: boolean;
  /** The project's public key, attached to the receipt; absent when the project has none yet. */
  projectKey?: { armored: string; fingerprint: string };
}

function receiptEncryptionText(e: ReceiptEncryption | undefined, address: string): string | undefined {
  if (!e) return undefined;
  const ours = e.projectKey ? `Our OpenPGP key is attached (fingerprint ${e.projectKey.fingerprint}).` : undefined;
  if (e.undecryptable) {
    return [
      `Your message was encrypted and we could not decrypt it: ${oneLine(e.undecryptable)}.`,
      'The report is open, but the maintainers cannot read it yet.',
      e.projectKey
        ? `Please send it again encrypted to our key, or in clear text, in a reply to this mail. ${ours}`
        : `We have no OpenPGP key yet: please send it again in clear text, in a reply to this mail (${address}).`,
    ].join('\n');
  }
  if (e.askForKey) {
    return [
      'You wrote to us encrypted, but we do not have your public key, so this answer is not encrypted.',
      'To have our mail to you encrypted, reply with your OpenPGP public key attached.',
      ours,
    ].filter(Boolean).join('\n');
  }
  return undefined;
}

/** The automatic answer to a new report: its ID, what happens when, what seems missing. */
export function receiptDraft(input: ReceiptInput): Draft {
  const { report, project, deadlines, missing } = input;
  const timeline = timelineLines(deadlines, project);
  const text = paragraphs(
    // the first promise is the list's first line: no separate "Next:" line saying it twice
    `We received your report on ${when(report.createdAt, project)} and gave it the ID ${report.id}.` +
      (timeline.length ? '' : `\n${nextStepLine(deadlines, project)}`),
    timeline.length > 0 && `What happens next (the ${project.name} project's security policy):\n${timeline.join('\n')}`,
    receiptEncryptionText(input.encryption, report.securityAddress),
    input.unsupportedVersionNote,
    missing.length > 0 &&
      'To help the maintainers, please reply with what is missing from your report:\n' +
        missing.map((m) => `- ${oneLine(m.text)}`).join('\n'),
    `${REPORTER_REPLY_LINE}\n${KEEP_PRIVATE_LINE}`,
  );
  return {
    kind: 'receipt',
    to: [report.reporter.address],
    subject: subjectFor(project, report.id, report.subject || '(no subject)'),
    text,
    autoSubmitted: 'auto-replied',
    ...reporterThread(report),
    ...(input.encryption?.projectKey
      ? { attachments: [{ filename: `${report.securityAddress.replace(/[^A-Za-z0-9._-]/g, '_')}.asc`, contentType: 'application/pgp-keys', content: Buffer.from(input.encryption.projectKey.armored, 'utf8') }] }
      : {}),
  };
}

const LATE_PROMISES: Record<DeadlineView['name'], string> = {
  acknowledge: 'to acknowledge your report',
  respond: 'to send you a detailed response on your report',
  update: 'to send you a status update on your report',
  embargo: 'to end the embargo on your report',
  disclose: 'to publish the fix and the advisory',
};

export interface LateNoticeInput extends DeadlineInput {
  /** The next date the reporter will hear from us by (e.g. the hard bound, or the escalation's deadline); absent
   *  when that date is already past (a notice sent late): then no date is promised. */
  nextDate?: Date | string;
  /** True when escalation contacts were told as well, not only the maintainers. */
  escalated?: boolean;
}

/** The promise slipped: say so, and give the next date (EMAILS.md "Late notice"). */
export function lateNoticeDraft(input: LateNoticeInput): Draft {
  const { report, project } = input;
  const name = deadlineName(input.deadline);
  const due = deadlineDue(input.deadline, input.dueAt, input.bound);
  const who = input.escalated ? "the maintainers and the project's escalation contacts" : 'the maintainers';
  const text = paragraphs(
    `We promised ${LATE_PROMISES[name]} ${report.id} by ${when(due, project)} and have not yet done so.\n` +
      (input.nextDate
        ? `It is not forgotten: ${who} have been reminded, and you will hear from us by ${when(input.nextDate, project)}.`
        : `It is not forgotten: ${who} have been reminded.`),
    `${REPORTER_REPLY_LINE}\n${KEEP_PRIVATE_LINE}`,
  );
  return {
    kind: `late:${name}`,
    to: [report.reporter.address],
    subject: subjectFor(project, report.id, `Still open: ${DEADLINE_NAMES[name]} delayed`),
    text,
    autoSubmitted: 'auto-generated',
    ...reporterThread(report),
  };
}

/** Attribution lines that start quoted history: "On Mon, ... Sam <x@y> wrote:" (and common translations). */
const ATTRIBUTION = /^(on|am|le|el|il|op)\b.{0,300}(wrote|schrieb|a écrit|escribió|ha scritto|schreef)\s*:\s*$/i;
/** Outlook and friends put the history below one of these. */
const HISTORY_SEPARATOR = /^(-{2,}\s*original message\s*-{2,}|_{10,}|-{2,}\s*forwarded message\s*-{2,})\s*$/i;

/**
 * The maintainer's own words: everything from the first history separator on is dropped, and so is every
 * quoted (`>`) line, because a quote may come from maintainer-only mail (our notice to them, another
 * maintainer's internal note) and must never reach the reporter.
 */
export function withoutQuotedHistory(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (HISTORY_SEPARATOR.test(line)) break;
    // An attribution may be wrapped over two lines; it counts only when quoted lines (or nothing) follow it.
    const wrapped = /^on\b/i.test(line) && ATTRIBUTION.test(`${line} ${lines[i + 1]?.trim() ?? ''}`);
    const span = ATTRIBUTION.test(line) ? 1 : wrapped ? 2 : 0;
    if (span > 0) {
      const following = lines.slice(i + span).find((l) => l.trim() !== '');
      if (following === undefined || /^\s*>/.test(following)) break;
    }
    if (/^\s*>/.test(lines[i])) continue;
    kept.push(lines[i]);
  }
  return kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export interface RelayInput extends DraftContext {
  /** The maintainer who wrote (From, authenticated): only the name may be shown, never the address. */
  maintainer?: Address;
  /** The name to show when `maintainer` is not given (already looked up by the caller). */
  maintainerName?: string;
  /** The text below the commands. */
  text: string;
  attachments?: DraftAttachment[];
  /** The reporter's message this answers, when known; the report's root otherwise. */
  inReplyTo?: string;
  /** A line of ours after the maintainer's text (e.g. the embargo date this message set). */
  notice?: string;
}

/** "Sam via bases security", when the policy allows it and a name is known (listed name first). */
export function relayDisplayName(project: Project, maintainer: Address | undefined, name?: string): string | undefined {
  if (!project.relayDisplayName) return undefined;
  const address = maintainer?.address.toLowerCase();
  const listed = address ? project.maintainers.find((m) => m.address.toLowerCase() === address) : undefined;
  const shown = oneLine(listed?.name || maintainer?.name || name || '').replace(/["<>@]/g, '');
  return shown ? `${shown} via ${project.name} security` : undefined;
}

/** A maintainer's reply, relayed to the reporter from the security address. */
export function relayDraft(input: RelayInput): Draft {
  const { report, project } = input;
  const body = withoutQuotedHistory(input.text);
  const text = paragraphs(
    body,
    input.notice,
    `-- \nThe ${project.name} maintainers, about report ${report.id}\n${REPORTER_REPLY_LINE}`,
  );
  const thread = reporterThread(report);
  const inReplyTo = input.inReplyTo ?? thread.inReplyTo;
  const references = [...new Set([...(thread.references ?? []), ...(inReplyTo ? [inReplyTo] : [])])];
  const fromDisplayName = relayDisplayName(project, input.maintainer, input.maintainerName);
  return {
    kind: 'relay',
    to: [report.reporter.address],
    subject: subjectFor(project, report.id, report.subject || '(no subject)'),
    text,
    ...(fromDisplayName ? { fromDisplayName } : {}),
    ...(inReplyTo ? { inReplyTo, references } : {}),
    ...(input.attachments?.length ? { attachments: input.attachments } : {}),
  };
}

export interface EmbargoChangedInput extends DraftContext {
  /** The new end, or undefined when the embargo was lifted. */
  until?: Date | string;
  previous?: Date | string;
  /** A lead extended it beyond the policy's maximum, for this reason. */
  extensionReason?: string;
  /** The end is an outside channel's limit (core/embargo-channels.ts): its rule in words. */
  channelRule?: string;
}

/** One sentence on the embargo's new state, for its own mail or as the last paragraph of a relayed reply. */
export function embargoSentence(input: EmbargoChangedInput): string {
  const sentence = embargoSentenceOnly(input);
  return input.until && input.channelRule ? `${sentence} It ends with the limit of an outside channel the report was shared with (${oneLine(input.channelRule)}).` : sentence;
}

function embargoSentenceOnly(input: EmbargoChangedInput): string {
  const { report, project } = input;
  return input.until
    ? input.extensionReason !== undefined
      ? `The embargo on your report ${report.id} was extended beyond the project's usual maximum: it now ends on ${when(input.until, project)} (it was ${when(input.previous ?? input.until, project)}). The reason given: ${oneLine(input.extensionReason)}`
      : input.previous
      ? `The embargo on your report ${report.id} now ends on ${when(input.until, project)} (it was ${when(input.previous, project)}).`
      : `The maintainers set an embargo on your report ${report.id}: it ends on ${when(input.until, project)}.`
    : `The maintainers lifted the embargo on your report ${report.id}${input.previous ? ` (it was to end on ${when(input.previous, project)})` : ''}.`;
}

/** The reporter is told the embargo date whenever it is set, moved or lifted: it binds them too. */
export function embargoChangedDraft(input: EmbargoChangedInput): Draft {
  const { report, project } = input;
  const first = embargoSentence(input);
  const next = input.until
    ? 'Please keep the report and its details private until then; the fix and the advisory are due to be published at that time.'
    : 'The maintainers will tell you when the fix and the advisory are published; until then, please keep the report private.';
  return {
    kind: 'embargo-set',
    to: [report.reporter.address],
    subject: subjectFor(project, report.id, input.until ? `Embargo until ${when(input.until, project)}` : 'Embargo lifted'),
    text: paragraphs(`${first}\n${next}`, REPORTER_REPLY_LINE),
    autoSubmitted: 'auto-generated',
    ...reporterThread(report),
  };
}
