/**
 * How long a report's records are kept (issue 19), from the project's `retention` config. Pure: instants from
 * the report, its audit events and the policy; the use case (app/retention.ts) acts on them.
 *
 * - A report closed or disclosed (the first `status.changed` to either) expires `closedReportDays` later: its
 *   messages, outbox items and thread index go; the audit skeleton (the report record and its audit events)
 *   goes `keepAuditDays` after closing when that is set, else with the rest.
 * - A disclosed report is redacted `redactAfterDisclosureDays` after disclosure: message excerpts, attachment
 *   names and raw mail are removed; the facts (dates, status, severity, CVE, deadlines) and the audit trail stay.
 * - Raw mail of a report's messages is deleted `rawDays` after each message arrived (the bucket-wide S3 lifecycle
 *   keeps the longest rawDays of all projects: it is the backstop for mail on no report, and for the projects
 *   that keep longest; this per-report rule makes a shorter rawDays true, with an audit event).
 * - A report on legal hold (`hold`) neither expires nor is redacted, whatever the instants say.
 */
import type { Project } from './config';
import type { AuditEvent, Report } from './report';

const DAY_MS = 86_400_000;
const FINISHED = new Set(['closed', 'disclosed']);

export interface RetentionPlan {
  /** When the messages, outbox items and thread index expire. */
  expiresAt?: Date;
  /** When the report record and its audit events expire (never before `expiresAt`). */
  auditExpiresAt?: Date;
  /** When excerpts, attachment names and raw mail are removed. */
  redactAt?: Date;
}

function firstChangeTo(events: AuditEvent[], statuses: Set<string>): string | undefined {
  return events
    .filter((e) => e.type === 'status.changed' && typeof e.detail?.to === 'string' && statuses.has(e.detail.to as string))
    .map((e) => e.at)
    .sort()[0];
}

const plus = (iso: string, days: number) => new Date(new Date(iso).getTime() + days * DAY_MS);

export function retentionPlan(report: Report, events: AuditEvent[], project: Project): RetentionPlan {
  const policy = project.retention;
  if (!policy || report.hold) return {};
  const plan: RetentionPlan = {};
  // a record closed before audit events existed counts from its creation
  const finishedAt = FINISHED.has(report.status) ? (firstChangeTo(events, FINISHED) ?? report.createdAt) : undefined;
  if (finishedAt && policy.closedReportDays !== undefined) {
    plan.expiresAt = plus(finishedAt, policy.closedReportDays);
    plan.auditExpiresAt = plus(finishedAt, Math.max(policy.keepAuditDays ?? 0, policy.closedReportDays));
  }
  const disclosedAt = firstChangeTo(events, new Set(['disclosed']));
  if (disclosedAt && policy.redactAfterDisclosureDays !== undefined) plan.redactAt = plus(disclosedAt, policy.redactAfterDisclosureDays);
  return plan;
}

/** The raw keys of `messages` whose `rawDays` have passed at `now` (none on hold or without `rawDays`). */
export function expiredRawKeys(report: Report, messages: ReadonlyArray<{ at: string; rawKey?: string }>, project: Project, now: Date): string[] {
  const days = project.retention?.rawDays;
  if (days === undefined || report.hold) return [];
  return [...new Set(messages.filter((m) => m.rawKey && plus(m.at, days).getTime() <= now.getTime()).map((m) => m.rawKey as string))];
}

/** No message of a report is older than the report: before this instant, no raw mail of it can be due. */
export function rawDueFrom(report: Report, project: Project): Date | undefined {
  const days = project.retention?.rawDays;
  return days === undefined ? undefined : plus(report.createdAt, days);
}

/** TTL values are epoch seconds (DynamoDB). */
export const epochSeconds = (t: Date) => Math.floor(t.getTime() / 1000);
