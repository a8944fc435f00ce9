/**
 * Use case: the weekly digest to each project's maintainers (issue 19). Run by an hourly schedule on AWS and by
 * the local stack whenever its clock moves.
 *
 * 1. for each project with `digest`: the digest instant due (the latest at or before now, if at most 6 hours ago)
 * 2. read its reports, their deadlines at that instant, and the figures of the last 4 weeks
 * 3. send it once: a deterministic outbox ID per project and instant, recorded in the outbox like every mail
 *    (under the project's digest record `DIGEST-<project>`, which is no report)
 */
import { deadlinesOf } from '../core/timeline';
import { slaFigures } from '../core/sla-figures';
import { digestDueAt, weeklyDigestDraft } from '../core/weekly-digest';
import type { Deps } from './deps';
import { sendOnce } from './outbox';

const FOUR_WEEKS_MS = 28 * 86_400_000;
/** A digest is sent up to this long after its instant (the hourly schedule on AWS; the local clock stops at
 *  each instant): a stack started days later does not send last week's digest late. */
export const DIGEST_GRACE_MS = 6 * 3_600_000;

export const digestRecordId = (projectId: string) => `DIGEST-${projectId}`;
export const digestOutboxId = (projectId: string, at: Date) => `weekly-digest:${projectId}:${at.toISOString()}`;

export async function sendWeeklyDigests(deps: Deps): Promise<string[]> {
  const now = deps.clock.now();
  const sent: string[] = [];
  for (const project of deps.config.projects) {
    const at = digestDueAt(project, now);
    if (!at || now.getTime() - at.getTime() > DIGEST_GRACE_MS) continue;
    const reportId = digestRecordId(project.id);
    const outboxId = digestOutboxId(project.id, at);
    if ((await deps.store.getOutbox(reportId, outboxId))?.state === 'sent') continue;
    const reports = (await deps.store.listReports({ project: project.id })).filter((r) => r.createdAt <= at.toISOString());
    const histories = await Promise.all(reports.map(async (report) => ({ report, events: await deps.store.listEvents(report.id) })));
    const figures = slaFigures(histories, { projects: [project] }, { now: at, since: new Date(at.getTime() - FOUR_WEEKS_MS), period: 'week' });
    const draft = weeklyDigestDraft({
      project,
      at,
      reports: reports.map((report) => ({ report, deadlines: deadlinesOf(report, project, at) })),
      weeks: figures.projects.slice(-4),
      place: deps.place,
    });
    const result = await sendOnce(deps, {
      reportId,
      outboxId,
      draft,
      envelope: {
        from: project.addresses[0],
        fromName: `${project.name} security`,
        // a digest answers nothing: a reply reaches the first maintainer, never the intake
        replyTo: project.maintainers[0].address,
        messageIdDomain: deps.config.messageIdDomain,
        messageIdSeed: `${reportId}:${outboxId}`,
      },
    });
    if (result.sent) sent.push(outboxId);
  }
  return sent;
}
