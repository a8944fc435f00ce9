/** `reports --open --overdue --project P --owner ADDR --status S --since DATE`: which reports, soonest deadline first. */
import { REPORT_STATUSES, type ReportStatus } from '../../core/report';
import type { ReportSummary } from '../stack-operations';
import { UserError } from '../user-error';

export interface ReportFilterOptions {
  open?: boolean;
  overdue?: boolean;
  project?: string;
  status?: string;
  since?: string;
  owner?: string;
}

export const filtering = (o: ReportFilterOptions) => Boolean(o.open || o.overdue || o.project || o.status || o.since || o.owner);

export function filterReports(reports: ReportSummary[], o: ReportFilterOptions): ReportSummary[] {
  const statuses = o.status?.split(',').map((s) => s.trim().toLowerCase());
  for (const s of statuses ?? []) {
    if (!(REPORT_STATUSES as readonly string[]).includes(s)) throw new UserError(`--status ${JSON.stringify(s)} is not a status (${REPORT_STATUSES.join(', ')})`, 2);
  }
  let since: number | undefined;
  if (o.since !== undefined) {
    since = Date.parse(o.since);
    if (!/^\d{4}-\d\d-\d\d/.test(o.since) || Number.isNaN(since)) throw new UserError(`--since ${JSON.stringify(o.since)} is not a date (e.g. 2026-11-01 or 2026-11-01T09:00:00Z)`, 2);
  }
  const picked = reports.filter(
    (r) =>
      (!o.open || !['closed', 'disclosed'].includes(r.status)) &&
      (!o.overdue || (r.overdue?.length ?? 0) > 0) &&
      (!o.project || r.project === o.project) &&
      (!o.owner || (r.owner ?? '') === o.owner.toLowerCase()) &&
      (!statuses || statuses.includes(r.status as ReportStatus)) &&
      (since === undefined || Date.parse(r.createdAt) >= since),
  );
  // soonest next deadline first; reports without one after them, oldest first
  return picked.sort(
    (a, b) =>
      (a.nextDeadline?.dueAt ?? '\uffff').localeCompare(b.nextDeadline?.dueAt ?? '\uffff') ||
      a.createdAt.localeCompare(b.createdAt) ||
      a.id.localeCompare(b.id),
  );
}
