/**
 * Timer mail to the maintainers: a reminder before a deadline, escalation after it, the status update that is
 * due (EMAILS.md "Reminder and escalation"). The first line says which promise, which report, and when.
 */
import type { DeadlineView } from '../report';
import {
  type DeadlineInput,
  type Draft,
  type DraftContext,
  escalationAddresses,
  maintainerAddresses,
  paragraphs,
  subjectFor,
} from './draft';
import {
  DEADLINE_NAMES,
  MAINTAINER_REPLY_LINE,
  capitalized,
  commandReference,
  deadlineDue,
  deadlineName,
  elapsedText,
  when,
} from './mail-text';

/** What a maintainer does to meet each promise; a relayed reply counts (DESIGN section 3). */
const WHAT_COUNTS: Record<DeadlineView['name'], string> = {
  acknowledge:
    'Any reply with text for the reporter counts as the acknowledgment, or just `Status: acknowledged` (the reporter is then sent a short acknowledgment).',
  respond:
    'A reply with your assessment for the reporter counts as the detailed response (with `Status: triaged` if it is your first reply); a status alone does not.',
  update: 'Any reply with text for the reporter counts as the status update.',
  embargo: 'When the embargo ends the report is due for disclosure; to move it, reply with `Embargo: <date>`.',
  disclose:
    'The embargo has ended: publish the fix and the advisory, then reply with `Status: disclosed` (or `Status: closed <reason>`).',
};

/** A timer mail that goes out late says so, and when it was planned: every mail is true when it is sent. */
function lateFiring(input: DeadlineInput): string | undefined {
  if (!input.plannedAt) return undefined;
  return `(This message was planned for ${when(input.plannedAt, input.project)} and goes out late: the system was not running then.)`;
}

/** A link-free summary of the report (no reporter text: that is in the notice). */
function reportSummary(ctx: DraftContext): string {
  const { report, project } = ctx;
  return [
    `Report: ${report.subject || '(no subject)'}`,
    `Reporter: ${report.reporter.address}, received ${when(report.createdAt, project)}`,
    `Status: ${report.status}${report.severity ? `, severity ${report.severity}` : ''}`,
    `Owner: ${report.owner ?? 'nobody (reply with `Assign: me`)'}`,
  ].join('\n');
}

export interface ReminderInput extends DeadlineInput {
  /** "1 working hour", from the deadline arithmetic; elapsed time until the deadline when absent. */
  timeLeft?: string;
}

/** Before a deadline: `Acknowledgment of K7QM-2XPD is due in 1 working hour: Mon 2027-03-15 16:02 EDT (...)`. */
export function reminderDraft(input: ReminderInput): Draft {
  const { report, project } = input;
  const name = deadlineName(input.deadline);
  const due = deadlineDue(input.deadline, input.dueAt, input.bound);
  const left = input.timeLeft ?? elapsedText(Date.parse(due) - input.now.getTime());
  const text = paragraphs(
    `${capitalized(DEADLINE_NAMES[name])} of ${report.id} is due in ${left}: ${when(due, project)}.\n` +
      WHAT_COUNTS[name],
    lateFiring(input),
    reportSummary(input),
    MAINTAINER_REPLY_LINE,
    commandReference(input.now),
  );
  return {
    kind: `reminder:${name}`,
    // the owner is reminded; everyone hears of it only if the deadline is missed
    to: report.owner ? [report.owner] : maintainerAddresses(project),
    subject: subjectFor(project, report.id, `Reminder: ${DEADLINE_NAMES[name]} due ${when(due, project)}`),
    text,
    autoSubmitted: 'auto-generated',
  };
}

export interface EscalationInput extends DeadlineInput {
  /** "3 working hours", from the deadline arithmetic; elapsed time since the deadline when absent. */
  lateBy?: string;
  /** When the reporter was sent a late notice: the date they were promised (`true`: told it is late, no date). */
  reporterToldNextBy?: Date | string | true;
}

/** After a deadline: missed, by how long; to the maintainers and the escalation contacts. */
export function escalationDraft(input: EscalationInput): Draft {
  const { report, project } = input;
  const name = deadlineName(input.deadline);
  const due = deadlineDue(input.deadline, input.dueAt, input.bound);
  const late = input.lateBy ?? elapsedText(input.now.getTime() - Date.parse(due));
  const { to, cc } = escalationAddresses(project);
  const told = input.reporterToldNextBy === true
    ? 'The reporter has been told it is late.'
    : input.reporterToldNextBy
    ? `The reporter has been told it is late and that they will hear from us by ${when(input.reporterToldNextBy, project)}.`
    : 'This message does not go to the reporter.';
  const text = paragraphs(
    `Missed: ${DEADLINE_NAMES[name]} of ${report.id} was due ${when(due, project)}; it is ${late} late.\n` +
      WHAT_COUNTS[name],
    `${told}\nThis goes to the maintainers${cc.length ? ' and the escalation contacts' : ''}.`,
    lateFiring(input),
    reportSummary(input),
    MAINTAINER_REPLY_LINE,
    commandReference(input.now),
  );
  return {
    kind: `escalation:${name}`,
    to,
    ...(cc.length ? { cc } : {}),
    subject: subjectFor(project, report.id, `Missed: ${DEADLINE_NAMES[name]} was due ${when(due, project)}`),
    text,
    autoSubmitted: 'auto-generated',
  };
}

