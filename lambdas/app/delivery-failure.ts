/**
 * Use case: our mail to a reporter bounced (a DSN reaching a reply address, or an SES bounce notification).
 *
 * 1. find the report: for a DSN, only by our reply address (the envelope recipient: our bounce address) or one
 *    of our Message-IDs, never by a subject tag (anyone can write one, in the reporter's name too); for an SES
 *    notification, by our Message-ID
 * 2. mark the reporter unreachable, once (the report remembers since when and why)
 * 3. tell the maintainers, once; no retry and nothing sent back to the bouncing address (no storm, no loop)
 */
import type { Project } from '../core/config';
import { unreachableNoticeDraft } from '../core/drafts';
import type { ParsedMessage } from '../core/parsed-message';
import type { Report } from '../core/report';
import { VersionConflict } from '../ports/report-store';
import type { Deps } from './deps';
import { sendOnce } from './outbox';
import { auditEvent, envelopeFor } from './report-records';

export async function handleBounceOfOurMail(
  deps: Deps,
  report: Report,
  project: Project,
  msg: ParsedMessage,
): Promise<void> {
  // Only a bounce of mail to the reporter makes them unreachable: the DSN's Final-Recipient or Original-Recipient
  // (RFC 3464 section 2.3), or Exim's X-Failed-Recipients, must name them.
  const reporter = report.reporter.address.toLowerCase();
  if (!failedRecipients(msg).includes(reporter)) return;
  await markUnreachable(deps, report, project, firstLine(msg.subject) || 'delivery status notification');
}

/** Recipients a delivery report says failed, lower-cased. */
export function failedRecipients(msg: ParsedMessage): string[] {
  const found = new Set<string>();
  for (const m of msg.text.matchAll(/^(?:Final|Original)-Recipient:\s*rfc822\s*;\s*<?([^\s<>;]+@[^\s<>;]+)>?\s*$/gim)) found.add(m[1]!.toLowerCase());
  for (const value of msg.headers['x-failed-recipients'] ?? []) {
    for (const a of value.split(/[,\s]+/)) if (a.includes('@')) found.add(a.replace(/^<|>$/g, '').toLowerCase());
  }
  return [...found];
}

export interface DeliveryFailure {
  /** Our Message-ID of the message that failed (SES notifications carry it in mail.commonHeaders). */
  messageId: string;
  recipients: string[];
  type: 'bounce' | 'complaint';
  detail?: string;
}

export async function recordDeliveryFailure(deps: Deps, failure: DeliveryFailure): Promise<{ reportId?: string }> {
  const id = failure.messageId.replace(/^<|>$/g, '');
  const reportId = await deps.store.findReportByMessageIds([id]);
  if (!reportId) return {};
  const report = await deps.store.getReport(reportId);
  const project = deps.config.projects.find((p) => p.id === report?.project);
  if (!report || !project) return { reportId };
  const reporter = report.reporter.address.toLowerCase();
  if (!failure.recipients.some((r) => r.toLowerCase() === reporter)) return { reportId };
  await markUnreachable(deps, report, project, `${failure.type}${failure.detail ? `: ${failure.detail}` : ''}`);
  return { reportId };
}

async function markUnreachable(deps: Deps, report: Report, project: Project, reason: string): Promise<void> {
  const now = deps.clock.now().toISOString();
  let current = report;
  for (let attempt = 0; attempt < 5 && !current.reporterUnreachable; attempt++) {
    try {
      current = await deps.store.updateReport(current.id, current.version, {
        reporterUnreachable: { since: now, reason },
      });
    } catch (err) {
      if (!(err instanceof VersionConflict)) throw err;
      current = (await deps.store.getReport(current.id)) ?? current;
    }
  }
  await deps.store.appendToReport({
    events: [auditEvent(report.id, now, 'unreachable', 'reporter.unreachable', 'intake', { reason })],
  });
  await sendOnce(deps, {
    reportId: report.id,
    outboxId: 'unreachable',
    draft: unreachableNoticeDraft({ report: current, project, reason, now: deps.clock.now() }),
    envelope: await envelopeFor(deps, current),
  });
}

function firstLine(s: string): string {
  return s.split(/\r?\n/)[0].slice(0, 200);
}
