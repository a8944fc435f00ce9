/**
 * The held-mail digest (core/held.ts): mail that became no report, listed for the maintainers once an hour with
 * its reason and a reference, and how to open a report from one (EMAILS.md: what happened, what to do).
 */
import type { Project } from '../config';
import type { CliPlace } from '../cli-hint';
import type { HeldMessage } from '../held';
import { type Draft, maintainerAddresses, oneLine, paragraphs } from './draft';
import { plural, when } from './mail-text';

export interface HeldDigestInput {
  project: Project;
  now: Date;
  items: HeldMessage[];
  /** Where the maintainers run the CLI (core/cli-hint.ts): `promote` runs on the local data folder only. */
  place?: CliPlace;
}

const SUBJECT_CHARS = 100;

export function heldDigestDraft(input: HeldDigestInput): Draft {
  const { project, items } = input;
  const sorted = [...items].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.ref.localeCompare(b.ref));
  const lines = sorted.map((h) => {
    const subject = oneLine(h.subject);
    const shown = subject.length > SUBJECT_CHARS ? `${subject.slice(0, SUBJECT_CHARS - 3)}...` : subject;
    return (
      `- ${h.ref}  ${when(h.receivedAt, project)}  from ${oneLine(h.from || 'unknown sender')}\n` +
      `  subject: ${shown || '(no subject)'}\n` +
      `  held as ${oneLine(h.verdict)}: ${oneLine(h.reason)}`
    );
  });
  const first = sorted[0]?.ref ?? 'K7QM-2XPD';
  const text = paragraphs(
    `${plural(items.length, 'message')} to the ${project.name} security address ` +
      `${items.length === 1 ? 'was' : 'were'} not taken as a report and not answered (digest of ${when(input.now, project)}).\n` +
      'Each looked machine-made (a bounce, an auto-reply, list mail) and belongs to no report. Nothing needs doing unless one is a person\'s report.',
    lines.join('\n'),
    `To open a report from one, reply to this message with this line at the top (several references: separate them with commas):\n  Promote: ${first}\n` +
      'It opens as a report with that ID and the maintainers get its notice; ' +
      'no automatic receipt goes to its sender (the mail looked automatic: an answer could loop).' +
      (input.place ? '' : ` Locally: secintake promote ${first}.`),
  );
  return {
    kind: 'held-digest',
    to: maintainerAddresses(project),
    subject: oneLine(`[${project.name} security] Held mail: ${plural(items.length, 'message')} not taken as reports`),
    text,
    autoSubmitted: 'auto-generated',
  };
}

export interface PromoteAnswerInput {
  project: Project;
  now: Date;
  to: string;
  inReplyTo?: string;
  promoted: { ref: string; reportId: string; already: boolean }[];
  refused: { ref: string; reason: string }[];
}

/** The answer to a maintainer's `Promote:` mail when some reference could not be promoted (the promoted ones
 *  are confirmed by their new-report notice). */
export function promoteAnswerDraft(input: PromoteAnswerInput): Draft {
  const { project } = input;
  const done = input.promoted.map((p) => `- ${p.ref}: ${p.already ? 'already a report' : 'opened as report'} ${p.reportId}`);
  const refused = input.refused.map((r) => `- ${oneLine(r.ref)}: ${oneLine(r.reason)}`);
  const text = paragraphs(
    `${plural(input.refused.length, 'reference')} in your Promote line ${input.refused.length === 1 ? 'was' : 'were'} not promoted; nothing was opened for ${input.refused.length === 1 ? 'it' : 'them'}.`,
    refused.join('\n'),
    done.length ? `Promoted:\n${done.join('\n')}` : undefined,
    'The references are in the held-mail digest (e.g. Promote: K7QM-2XPD). To try again, reply to the digest with the corrected line at the top.',
  );
  return {
    kind: 'promote-answer',
    to: [input.to],
    subject: oneLine(`[${project.name} security] Not promoted: ${input.refused.map((r) => r.ref).join(', ')}`),
    text,
    autoSubmitted: 'auto-replied',
    ...(input.inReplyTo ? { inReplyTo: input.inReplyTo, references: [input.inReplyTo] } : {}),
  };
}
