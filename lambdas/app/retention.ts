/**
 * Use case: keep each report's records only as long as its project's `retention` says (issue 19). Run by a
 * daily schedule on AWS, and by the local stack whenever its clock moves.
 *
 * For every report whose plan (core/retention.ts) calls for it:
 * 1. redact, once the instant has come: message excerpts and attachment names emptied, raw mail deleted; the
 *    facts and the audit trail stay; audit event `retention.redacted`
 * 2. expire: a final audit event `retention.expiry-set` (when the records and the audit skeleton go), then the
 *    TTL on every item (DynamoDB deletes them after it; locally the stack deletes them when its clock passes)
 * 3. raw mail older than the project's `rawDays` is deleted, message by message (`retention.raw-deleted`); the
 *    message record keeps its facts and excerpt, and says the raw is gone (no `rawKey`, `rawDeletedAt`)
 * 4. a report put on hold after its TTL was set gets it removed again (`retention.expiry-removed`)
 * Every step is idempotent: the report remembers what was done (`report.retention`).
 */
import type { AuditEvent, Report } from '../core/report';
import type { Project } from '../core/config';
import { epochSeconds, expiredRawKeys, rawDueFrom, retentionPlan } from '../core/retention';
import type { Deps } from './deps';
import { auditEvent, patchReport } from './report-records';

export interface RetentionResult {
  redacted: string[];
  expiring: string[];
  released: string[];
  /** Reports whose raw mail past `rawDays` was deleted in this run. */
  rawDeleted: string[];
}

export async function applyRetention(deps: Deps): Promise<RetentionResult> {
  const now = deps.clock.now();
  const result: RetentionResult = { redacted: [], expiring: [], released: [], rawDeleted: [] };
  for (const report of await deps.store.listReports()) {
    const project = deps.config.projects.find((p) => p.id === report.project);
    if (!project) continue;
    if (report.hold) {
      if (report.retention?.expiresAt) {
        await release(deps, report, now);
        result.released.push(report.id);
      }
      continue;
    }
    if (!project.retention) continue;
    const events = await deps.store.listEvents(report.id);
    const plan = retentionPlan(report, events, project);
    if (plan.redactAt && plan.redactAt.getTime() <= now.getTime() && !report.retention?.redactedAt) {
      await redactReport(deps, report, now);
      result.redacted.push(report.id);
    }
    if (plan.expiresAt && plan.auditExpiresAt && !report.retention?.expiresAt) {
      await expire(deps, report, plan.expiresAt, plan.auditExpiresAt, now);
      result.expiring.push(report.id);
    }
    const rawFrom = rawDueFrom(report, project);
    if (rawFrom && rawFrom.getTime() <= now.getTime() && !report.retention?.redactedAt) {
      if (await deleteExpiredRaw(deps, report, project, now)) result.rawDeleted.push(report.id);
    }
  }
  return result;
}

async function record(deps: Deps, report: Report, now: Date, type: string, detail: AuditEvent['detail']): Promise<void> {
  await deps.store.appendToReport({ events: [auditEvent(report.id, now.toISOString(), type, type, 'retention', detail)] });
}

const REDACTED_NOTE = (reportId: string, at: Date) =>
  `The text of this message was removed on ${at.toISOString()} when report ${reportId} was redacted\n(retention or \`Redact: yes\`). Its headers are as they were sent.\n`;

/** Also `Redact: yes` from a maintainer, whose command is its own audit event (`event: false`). */
export async function redactReport(deps: Deps, report: Report, now: Date, opts: { event?: boolean } = {}): Promise<void> {
  const messages = await deps.store.listMessages(report.id);
  const rawKeys = [...new Set(messages.flatMap((m) => (m.rawKey ? [m.rawKey] : [])))];
  for (const key of rawKeys) await deps.raw.delete(key);
  const redacted = messages.map((m) => ({
    ...m,
    excerpt: '',
    attachments: m.attachments.map(({ filename: _dropped, ...facts }) => facts),
  }));
  if (redacted.length) await deps.store.appendToReport({ messages: redacted });
  // the copies of our own mail the sender keeps (the local outbox folder; SES keeps none we can reach)
  const outboxCopies = (await deps.sender.redactCopies?.(report.id, now, REDACTED_NOTE(report.id, now))) ?? 0;
  if (opts.event !== false) await record(deps, report, now, 'retention.redacted', { messages: messages.length, rawDeleted: rawKeys.length, outboxCopies });
  await patchReport(deps, report, (current) => ({ retention: { ...current.retention, redactedAt: now.toISOString() } }));
}

/**
 * Raw mail past the project's `rawDays`. One stored message may be on several reports (mail to two projects):
 * the first rule that comes deletes it, the stricter one; the other report's record then says it is gone too
 * when its own sweep finds the object missing (deleting a missing key is not an error).
 */
async function deleteExpiredRaw(deps: Deps, report: Report, project: Project, now: Date): Promise<boolean> {
  const messages = await deps.store.listMessages(report.id);
  const keys = expiredRawKeys(report, messages, project, now);
  if (!keys.length) return false;
  for (const key of keys) await deps.raw.delete(key);
  const gone = new Set(keys);
  const updated = messages
    .filter((m) => m.rawKey && gone.has(m.rawKey))
    .map(({ rawKey: _deleted, ...m }) => ({ ...m, rawDeletedAt: now.toISOString() }));
  await deps.store.appendToReport({ messages: updated });
  await record(deps, report, now, 'retention.raw-deleted', { rawDeleted: keys.length, messages: updated.length, rawDays: project.retention?.rawDays });
  return true;
}

async function expire(deps: Deps, report: Report, expiresAt: Date, auditExpiresAt: Date, now: Date): Promise<void> {
  // the last word of the audit trail says when it ends, and is kept as long as the trail itself
  await record(deps, report, now, 'retention.expiry-set', { expiresAt: expiresAt.toISOString(), auditExpiresAt: auditExpiresAt.toISOString() });
  const updated = await patchReport(deps, report, (current) => ({
    retention: { ...current.retention, expiresAt: expiresAt.toISOString(), auditExpiresAt: auditExpiresAt.toISOString() },
  }));
  await deps.store.setExpiry(updated.id, { records: epochSeconds(expiresAt), audit: epochSeconds(auditExpiresAt) });
}

async function release(deps: Deps, report: Report, now: Date): Promise<void> {
  await deps.store.setExpiry(report.id, undefined);
  await patchReport(deps, report, (current) => ({ retention: { ...current.retention, expiresAt: undefined, auditExpiresAt: undefined } }));
  await record(deps, report, now, 'retention.expiry-removed', { reason: 'hold' });
}
