/**
 * The quarantine digest (DESIGN section 3: "maintainers told in a digest"). The first quarantined message of a
 * project in a UTC hour is told at once (open-report.ts); every quarantined report's workflow fires
 * `quarantine:digest` at the end of its hour, and the first of them to run sends one digest for the project and
 * hour listing each quarantined report of that window that got no notice of its own.
 *
 * Several reports of one window fire at the same instant: the digest is one outbox item on a deterministic
 * report (the smallest ID in the window) under a deterministic ID, so concurrent or retried ticks send it once.
 */
import type { Project } from '../core/config';
import { quarantineDigestDraft } from '../core/drafts';
import type { Report } from '../core/report';
import { quarantineWindowOf } from '../core/timeline';
import type { Deps } from './deps';
import { sendOnce } from './outbox';
import { envelopeFor } from './report-records';

/** The outbox ID of the immediate notice for one quarantined report. */
export const QUARANTINE_NOTICE_OUTBOX_ID = 'quarantine-notice';

/** The outbox ID of the digest of one project and hour (the hour's start instant, ISO). */
export function quarantineDigestOutboxId(projectId: string, windowStart: Date): string {
  return `quarantine-digest:${projectId}:${windowStart.toISOString()}`;
}

export type DigestOutcome =
  | { sent: true; on: string; listed: string[] }
  | { sent: false; reason: string; on?: string; listed: string[] };

/** Sends the digest of the hour `report` arrived in, if anything in it was not told yet and it was not sent. */
export async function sendQuarantineDigest(deps: Deps, project: Project, report: Report, now: Date): Promise<DigestOutcome> {
  const { start, end } = quarantineWindowOf(report.createdAt);
  const listed = await deps.store.listReports({ project: project.id });
  // The firing report counts even if a lagging index does not list it yet.
  if (!listed.some((r) => r.id === report.id)) listed.push(report);
  const inWindow = listed
    .filter((r) => r.quarantine !== undefined)
    .filter((r) => {
      const t = new Date(r.createdAt).getTime();
      return t >= start.getTime() && t < end.getTime();
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const owner = inWindow[0];
  if (!owner) return { sent: false, reason: 'no quarantined report in the window', listed: [] };
  const outboxId = quarantineDigestOutboxId(project.id, start);
  if ((await deps.store.getOutbox(owner.id, outboxId))?.state === 'sent') {
    return { sent: false, reason: 'already sent', on: owner.id, listed: [] };
  }
  const notified = await Promise.all(inWindow.map((r) => deps.store.getOutbox(r.id, QUARANTINE_NOTICE_OUTBOX_ID)));
  const untold = inWindow.filter((_, i) => notified[i] === undefined);
  if (untold.length === 0) return { sent: false, reason: 'every quarantined report of the hour was told already', listed: [] };
  const result = await sendOnce(deps, {
    reportId: owner.id,
    outboxId,
    draft: quarantineDigestDraft({
      project,
      items: untold.map((r) => ({ report: r, reason: r.quarantine?.reason ?? '' })),
      now,
      place: deps.place,
    }),
    envelope: await envelopeFor(deps, owner),
  });
  const ids = untold.map((r) => r.id);
  return result.sent
    ? { sent: true, on: owner.id, listed: ids }
    : { sent: false, reason: result.reason ?? 'not sent', on: owner.id, listed: ids };
}
