/**
 * After `secintake import --send-receipts`: one message to the maintainers about the imported reports still
 * open, instead of a notice per report (EMAILS.md: what happened, what is due, with dates).
 */
import type { Project } from '../config';
import type { DeadlineView, Report } from '../report';
import { type Draft, maintainerAddresses, oneLine, paragraphs } from './draft';
import { plural, when } from './mail-text';

export interface ImportDigestInput {
  project: Project;
  now: Date;
  reports: { report: Report; deadlines: DeadlineView[] }[];
}

export function importDigestDraft(input: ImportDigestInput): Draft {
  const { project, reports } = input;
  const lines = reports.map(({ report, deadlines }) => {
    const missed = deadlines.filter((d) => d.state === 'missed').map((d) => `${d.name} (was due ${when(d.dueAt, project)})`);
    const next = deadlines.filter((d) => d.state === 'pending').sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
    return (
      `- ${report.id}  arrived ${when(report.createdAt, project)}  from ${oneLine(report.reporter.address || 'unknown sender')}\n` +
      `  ${oneLine(report.subject || '(no subject)').slice(0, 120)}\n` +
      (missed.length ? `  overdue: ${missed.join('; ')}\n` : '') +
      (next ? `  next: ${next.name} by ${when(next.dueAt, project)}` : '  nothing pending')
    );
  });
  const text = paragraphs(
    `${plural(reports.length, 'report')} imported from an existing mailbox ${reports.length === 1 ? 'is' : 'are'} still open (imported ${when(input.now, project)}).\n` +
      'Their deadlines count from when each message arrived; what was due before the import is shown overdue and was not reminded.',
    lines.join('\n'),
    'Reply to a report\'s receipt or notice thread as usual; `secintake show <ID>` shows one.',
  );
  return {
    kind: 'import-digest',
    to: maintainerAddresses(project),
    subject: oneLine(`[${project.name} security] Imported: ${plural(reports.length, 'report')} still open`),
    text,
    autoSubmitted: 'auto-generated',
  };
}
