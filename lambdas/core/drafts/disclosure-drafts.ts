/**
 * Mail about the disclosure steps (issue 14): the maintainers' preview with the exact public text before a public
 * act, and at each public step the reporter and the maintainers told what went out, with the links.
 */
import type { Project } from '../config';
import { advisoryDraft, announcementIssue, closingComment, confirmedCredit, embargoFromAnchor } from '../disclosure';
import type { Report } from '../report';
import { type Draft, maintainerAddresses, paragraphs, reporterThread, subjectFor } from './draft';
import { MAINTAINER_REPLY_LINE, REPORTER_REPLY_LINE, indented, when } from './mail-text';

/** The exact announcement issue as it opens at `at` (its embargo date counts from then). */
export function announcePreviewDraft(report: Report, project: Project, at: Date): Draft {
  const repo = project.disclosure!.repo;
  const end = embargoFromAnchor(project, at) ?? (report.embargo ? new Date(report.embargo.until) : undefined);
  const issue = announcementIssue(report, project, end);
  return {
    kind: 'disclosure-preview',
    to: maintainerAddresses(project),
    subject: subjectFor(project, report.id, 'Preview: the public announcement issue'),
    text: paragraphs(
      `On ${when(at, project)} the announcement issue of ${report.id} opens in public on GitHub (${repo}), with exactly this text:`,
      indented(`Title: ${issue.title}\n\n${issue.body}`),
      end && project.disclosure?.embargo ? `Its opening starts the embargo: it ends on ${when(end, project)} (${project.disclosure.embargo.length} after the opening).` : undefined,
      'To stop it, reply with `Announce: hold` before then. To change the affected versions it lists, reply with `Affected:` lines.',
      MAINTAINER_REPLY_LINE,
    ),
    autoSubmitted: 'auto-generated',
  };
}

/** What publication will do, with the exact public text. */
export function publishPreviewDraft(report: Report, project: Project, at: Date | undefined): Draft {
  const repo = project.disclosure!.repo;
  const d = report.disclosure ?? {};
  const mode = d.publish?.mode;
  const whenText = at ? when(at, project) : 'the embargo end';
  const advisory = project.disclosure?.advisory ? advisoryDraft(report, project) : undefined;
  return {
    kind: 'disclosure-preview',
    to: maintainerAddresses(project),
    subject: subjectFor(project, report.id, 'Preview: what is published'),
    text: paragraphs(
      `${mode === 'at-embargo-end' ? 'At the embargo end, and' : 'On'} ${whenText} at the earliest, ${report.id} is published on GitHub (${repo}):`,
      advisory ? `The security advisory${d.advisory?.url ? ` (${d.advisory.url})` : ''} is published, as its draft reads then; now:\n${indented(`Summary: ${advisory.summary}\n\n${advisory.description}`)}` : undefined,
      project.disclosure?.announce ? `The announcement issue${d.announce?.url ? ` (${d.announce.url})` : ''} gets this comment and is closed:\n${indented(closingComment(report, { ...(advisory ? { advisory: d.advisory?.url ?? '<the advisory link>' } : {}), ...(project.disclosure?.releaseNotes ? { releaseNotes: 'draft' } : {}) }))}` : undefined,
      `Credit used: ${confirmedCredit(report) ?? 'none (no credit confirmed with `Credit:`)'}`,
      'The reporter and the maintainers are told with the links.',
      MAINTAINER_REPLY_LINE,
    ),
    autoSubmitted: 'auto-generated',
  };
}

/** The announcement issue is open: the reporter gets the link and the embargo date it set. */
export function announcedDrafts(report: Report, project: Project, url: string): { maintainers: Draft; reporter: Draft } {
  const end = report.embargo ? when(report.embargo.until, project) : undefined;
  return {
    maintainers: {
      kind: 'disclosure-announced',
      to: maintainerAddresses(project),
      subject: subjectFor(project, report.id, 'Announcement issue opened'),
      text: paragraphs(
        `The announcement issue of ${report.id} is open: ${url}`,
        end ? `The embargo ends on ${end}.` : undefined,
        project.disclosure?.releaseNotes ? 'At the embargo end, draft release notes are created on GitHub.' : undefined,
        report.disclosure?.publish?.state === 'scheduled'
          ? 'Publication is approved: the issue is closed at the end.'
          : 'To close it at the end, reply with `Publish: at-embargo-end` (or `Publish: yes` when ready).',
        MAINTAINER_REPLY_LINE,
      ),
      autoSubmitted: 'auto-generated',
    },
    reporter: {
      kind: 'disclosure-announced:reporter',
      to: [report.reporter.address],
      subject: subjectFor(project, report.id, 'Public announcement'),
      text: paragraphs(
        `The maintainers announced in public that a vulnerability exists: ${url}`,
        'The announcement gives the affected versions, the report ID and the embargo date, and no details.',
        end ? `The embargo ends on ${end}. Until then, please keep the details private.` : undefined,
        REPORTER_REPLY_LINE,
      ),
      autoSubmitted: 'auto-generated',
      ...reporterThread(report),
    },
  };
}

/** Publication: links for everyone; the release notes draft only for the maintainers (a draft is not public). */
export function publishedDrafts(report: Report, project: Project): { maintainers: Draft; reporter: Draft } {
  const d = report.disclosure ?? {};
  const credit = confirmedCredit(report);
  const publicLinks = [
    ...(d.advisory?.url ? [`Advisory: ${d.advisory.url}`] : []),
    ...(d.announce?.url ? [`Announcement issue (closed): ${d.announce.url}`] : []),
  ].join('\n');
  return {
    maintainers: {
      kind: 'disclosure-published',
      to: maintainerAddresses(project),
      subject: subjectFor(project, report.id, 'Published'),
      text: paragraphs(
        `${report.id} is published on GitHub.`,
        publicLinks || undefined,
        d.releaseNotes?.url ? `Release notes (a draft: review and publish it with the release): ${d.releaseNotes.url}` : undefined,
        `Credit used: ${credit ?? 'none'}`,
        'When the release is out, reply with `Status: disclosed`.',
        MAINTAINER_REPLY_LINE,
      ),
      autoSubmitted: 'auto-generated',
    },
    reporter: {
      kind: 'disclosure-published:reporter',
      to: [report.reporter.address],
      subject: subjectFor(project, report.id, 'Published'),
      text: paragraphs(
        `The vulnerability you reported (${report.id}) is now public.`,
        publicLinks || undefined,
        credit ? `You are credited as: ${credit}.` : 'You are not named (no credit was confirmed). Reply if you want to be credited.',
        REPORTER_REPLY_LINE,
      ),
      autoSubmitted: 'auto-generated',
      ...reporterThread(report),
    },
  };
}
