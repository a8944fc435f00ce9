/**
 * Small pieces of wording shared by the drafts, so every message says dates, deadlines and "how to answer"
 * the same way (EMAILS.md).
 */
import type { Project } from '../config';
import type { DeadlineView } from '../report';
import { formatDate, formatInstant, zoneAbbreviation } from '../format-instant';

/** An instant as mail shows it: project zone first, then UTC (`Tue 2027-03-16 16:00 EDT (20:00 UTC)`). */
export function when(instant: string | Date, project: Project): string {
  const t = typeof instant === 'string' ? new Date(instant) : instant;
  const zone = project.calendar.timeZone;
  const text = formatInstant(t, zone);
  // On a whole-day calendar a business count ends at local midnight: "Wed 00:00" reads like the start of
  // Wednesday, so say what it means, the end of Tuesday (the instant stays, in UTC, beside it).
  if (!project.calendar.workingHours && / 00:00 /.test(text)) {
    const dayBefore = formatDate(new Date(t.getTime() - 1), zone);
    return `the end of ${dayBefore} ${zoneAbbreviation(t, zone)} (${formatInstant(t, 'UTC')})`;
  }
  return text;
}

/** A deadline as the timeline gives it (a view) or just its name with the instant passed beside it. */
export type DeadlineRef = DeadlineView | DeadlineView['name'];

export function deadlineName(ref: DeadlineRef): DeadlineView['name'] {
  return typeof ref === 'string' ? ref : ref.name;
}

/** The instant a deadline message is about: `dueAt` when given, else the view's hard or soft bound. */
export function deadlineDue(ref: DeadlineRef, dueAt: Date | string | undefined, bound?: 'soft' | 'hard'): string {
  if (dueAt !== undefined) return typeof dueAt === 'string' ? dueAt : dueAt.toISOString();
  if (typeof ref === 'string') throw new TypeError(`the ${ref} deadline needs its dueAt instant`);
  return bound === 'hard' && ref.hardAt ? ref.hardAt : ref.dueAt;
}

export function isoOf(instant: Date | string): string {
  return typeof instant === 'string' ? instant : instant.toISOString();
}

export const DEADLINE_NAMES: Record<DeadlineView['name'], string> = {
  acknowledge: 'acknowledgment',
  respond: 'detailed response',
  update: 'status update',
  embargo: 'end of embargo',
  disclose: 'disclosure',
};

export function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Elapsed time in words, rounded down to the minute, two largest units: "1 day 3 hours", "45 minutes". */
/**
 * A span as a reader says it: to the minute under an hour, to the quarter hour under a day, to the hour beyond;
 * "about" when rounding changed it (3 h 59 min left reads "about 4 hours", never "3 hours 59 minutes").
 */
export function elapsedText(ms: number): string {
  const exact = Math.max(0, ms / 60_000);
  if (exact < 1) return 'less than a minute';
  const step = exact < 60 ? 1 : exact < 1440 ? 15 : 60;
  const minutes = Math.max(step, Math.round(exact / step) * step);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const parts: string[] = [];
  if (days) parts.push(plural(days, 'day'));
  if (hours) parts.push(plural(hours, 'hour'));
  if (mins) parts.push(plural(mins, 'minute'));
  return `${Math.abs(minutes - exact) >= 1 ? 'about ' : ''}${parts.join(' ')}`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Prefixes each line with `prefix` (for quoting reporter text in maintainer mail). */
export function indented(text: string, prefix = '  '): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => (line ? prefix + line : prefix.trimEnd()))
    .join('\n');
}

export function byteSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The "how to answer" line for reporters. */
export const REPORTER_REPLY_LINE =
  'Reply to this message to add anything; keep the subject line so it reaches the same report.';

/** The "how to answer" line for maintainers. */
export const MAINTAINER_REPLY_LINE =
  'Just reply to this message: commands at the top, then any text for the reporter.';

/**
 * The command reference at the end of maintainer mail (EMAILS.md: five lines). The embargo example is three
 * days from `now`, at noon UTC, so it is a date that would be accepted.
 */
export function commandReference(now: Date): string {
  const example = new Date(now.getTime() + 3 * 86_400_000).toISOString().slice(0, 10);
  return [
    'Commands (one per line, at the top of your reply):',
    '  Status: acknowledged | triaged | fixing | fixed | disclosed | closed invalid|duplicate of <id>|wontfix|not-supported',
    `  Embargo: ${example} 12:00 UTC   (or: Embargo: 72h / Embargo: none)`,
    '  Severity: high (or a CVSS vector)   CVE: CVE-2027-12345   CWE: CWE-79   Credit: Jane Doe   Assign: me',
    '  Affected: PyPI bases >=0.2.0, <0.3.1   Fixed: 0.3.1   Update: <one line for the reporter>',
    '  Internal: yes (nothing goes to the reporter)   Status: reopened   Release: yes (a quarantined message)',
    'Anything below the commands is sent to the reporter from the security address, without your address.',
  ].join('\n');
}
