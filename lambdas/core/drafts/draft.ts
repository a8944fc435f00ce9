/**
 * A draft is one message we mean to send, as plain data: who, subject, plain text, threading. The MIME
 * composer (adapters) turns it into bytes; nothing here builds header strings.
 */
import { stripControlCharacters } from '../commands';
import type { Project } from '../config';
import type { DeadlineView, Report } from '../report';

export interface DraftAttachment {
  filename?: string;
  contentType: string;
  content: Buffer;
  /** sha256 of `content` (hex) when already known (a parsed file): the sent mail's record needs it. */
  sha256?: string;
}

export interface Draft {
  /** What kind of mail this is (receipt, reminder, relay...): recorded on the outbox item and the message. */
  kind: string;
  to: string[];
  cc?: string[];
  /** One line, tag included; never contains CR or LF. */
  subject: string;
  /** text/plain body, LF line ends (the composer writes CRLF). */
  text: string;
  /** RFC 3834: `auto-replied` answers a message, `auto-generated` is a timer or notice nobody asked for. */
  autoSubmitted?: 'auto-replied' | 'auto-generated';
  /** Message-IDs without angle brackets. */
  inReplyTo?: string;
  references?: string[];
  /** Shown as the From display name ("Sam via bases security"); the address is always the security address. */
  fromDisplayName?: string;
  attachments?: DraftAttachment[];
}

/** What every draft function is given. */
export interface DraftContext {
  report: Report;
  project: Project;
  now: Date;
}

/** For mail about one deadline: its view (or name) and, when the caller has it, the instant concerned. */
export interface DeadlineInput extends DraftContext {
  deadline: DeadlineView | DeadlineView['name'];
  /** The instant this message is about; the view's bound (`bound`, default soft) when absent. */
  dueAt?: Date | string;
  bound?: 'soft' | 'hard';
  /** When this message was planned to go out, if it goes out later (the system was stopped then). */
  plannedAt?: Date;
}

/** Longest subject text we write (RFC 5322 recommends lines under 78 characters; the composer folds). */
const MAX_SUBJECT_TEXT = 200;

/** Collapses every run of whitespace (CR and LF included) into one space: a header value is one line. */
/** A value from mail (a name, a file name, a subject) as one line of our text: every line break (CR, LF,
 *  U+2028...) a space, control characters and bidi overrides removed, so it can never start a line of its own. */
export function oneLine(text: string): string {
  return stripControlCharacters(text.replace(/\s+/g, ' ')).trim();
}

/** The tag for one report, e.g. `[security report #K7QM-2XPD]`. */
export function subjectTag(project: Project, reportId: string): string {
  return project.subjectTag.split('{id}').join(reportId);
}

/**
 * `<tag> <text>`. A tag already in the text (a reply's "Re: [security report #ID] ...") is taken out, so it is
 * never doubled; a leading "Re:"/"Fwd:" chain before it goes too.
 */
export function subjectFor(project: Project, reportId: string, text: string): string {
  const tag = subjectTag(project, reportId);
  let rest = oneLine(text);
  const at = rest.toLowerCase().indexOf(tag.toLowerCase());
  if (at >= 0) {
    const before = rest.slice(0, at).replace(/^(\s*(re|fwd?|aw|sv|wg)\s*:\s*)+$/i, '');
    rest = oneLine(before + ' ' + rest.slice(at + tag.length));
  }
  if (rest.length > MAX_SUBJECT_TEXT) rest = rest.slice(0, MAX_SUBJECT_TEXT - 3).trimEnd() + '...';
  return oneLine(`${tag} ${rest}`);
}

/** Our mail to the reporter threads under their first message. */
export function reporterThread(report: Report): Pick<Draft, 'inReplyTo' | 'references'> {
  if (!report.rootMessageId) return {};
  return { inReplyTo: report.rootMessageId, references: [report.rootMessageId] };
}

export function maintainerAddresses(project: Project): string[] {
  return project.maintainers.map((m) => m.address);
}

/** Maintainers plus escalation contacts, each once, case-insensitively. */
export function escalationAddresses(project: Project): { to: string[]; cc: string[] } {
  const to = maintainerAddresses(project);
  const seen = new Set(to.map((a) => a.toLowerCase()));
  const cc = project.escalation.filter((a) => {
    const key = a.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { to, cc };
}

/** Body text: paragraphs joined by one blank line, empty ones dropped. */
export function paragraphs(...parts: (string | undefined | false)[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '').join('\n\n') + '\n';
}
