/**
 * The operations that only read reports: listing and showing them, the clock, the outbox items recorded in the
 * table. They need the config, a report reader and a clock, nothing that starts a stand-in and nothing of a
 * place: the local CLI runs them on dynalite's files (adapters/local/dynalite-files.ts) or on the running stack's
 * store (local/read-operations.ts adds the local outbox folder), and `--aws` on the deployed table
 * (adapters/aws/deployed-stack-reader.ts).
 */
import type { Config } from '../core/config';
import { channelTable, reportEmbargo } from '../core/embargo-channels';
import { normalizeReportId } from '../core/report-id';
import type { AuditEvent, DeadlineView, MessageRecord, OutboxItem, Report } from '../core/report';
import { deadlinesOf, isFinished } from '../core/timeline';
import type { Clock } from '../ports/clock';
import type { ReportStore } from '../ports/report-store';
import { UserError } from './user-error';

export interface ReportSummary {
  id: string;
  project: string;
  status: Report['status'];
  subject: string;
  reporter: string;
  createdAt: string;
  /** The next instant the workflow looks at the report (a reminder, a deadline...). */
  nextDueAt?: string;
  /** The next promise still pending: what a reader means by "next due". */
  nextDeadline?: { name: DeadlineView['name']; dueAt: string };
  /** Promises whose date passed without the action (missed and not met since). */
  overdue?: DeadlineView['name'][];
  quarantined: boolean;
  /** The maintainer who owns the report (assignment, `Assign:`). */
  owner?: string;
}

export interface ReportView {
  report: Report;
  deadlines: DeadlineView[];
  messages: MessageRecord[];
  events: AuditEvent[];
  outbox: OutboxItem[];
}

export interface ReportReadDeps {
  config: Config;
  store: Pick<ReportStore, 'getReport' | 'listReports' | 'listMessages' | 'listEvents' | 'listOutbox'>;
  clock: Clock;
}

export interface ReportReads {
  reports(): Promise<ReportSummary[]>;
  show(id: string): Promise<ReportView>;
  clockNow(): Promise<{ now: string }>;
  /** The outbox items recorded in the table (all, or one report's), oldest first. */
  outboxItems(reportId?: string): Promise<OutboxItem[]>;
}

export function summarize(r: Report, config?: Config, now?: Date): ReportSummary {
  const project = config?.projects.find((p) => p.id === r.project);
  // computed once: the deadline arithmetic (time zones, business hours) is most of what `reports` costs
  const deadlines = project && !r.quarantine && !isFinished(r) ? deadlinesOf(r, project, now) : [];
  const next = deadlines.filter((d) => d.state === 'pending').sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
  const overdue = deadlines.filter((d) => d.state === 'missed' && !d.metAt).map((d) => d.name);
  return {
    ...(next ? { nextDeadline: { name: next.name, dueAt: next.dueAt } } : {}),
    ...(overdue.length ? { overdue } : {}),
    id: r.id,
    project: r.project,
    status: r.status,
    subject: r.subject,
    reporter: r.reporter.address,
    createdAt: r.createdAt,
    nextDueAt: r.nextDueAt,
    quarantined: r.quarantine !== undefined,
    ...(r.owner ? { owner: r.owner } : {}),
  };
}

export function reportReads(deps: ReportReadDeps): ReportReads {
  return {
    async reports() {
      const reports = await deps.store.listReports();
      const now = deps.clock.now();
      return reports.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)).map((r) => summarize(r, deps.config, now));
    },

    async show(id) {
      const reportId = normalizeReportId(id) ?? id;
      const report = await deps.store.getReport(reportId);
      if (!report) throw new UserError(`no report ${id} (secintake reports lists them)`);
      const project = deps.config.projects.find((p) => p.id === report.project);
      const [messages, events, outbox] = await Promise.all([
        deps.store.listMessages(report.id),
        deps.store.listEvents(report.id),
        deps.store.listOutbox(report.id),
      ]);
      const deadlines = project ? deadlinesOf(report, project, deps.clock.now()) : [];
      // the effective embargo with where each limit comes from (the project, outside channels)
      const shown = project && report.embargo
        ? { ...report, embargo: { ...report.embargo, effective: reportEmbargo(report, channelTable(deps.config.channels, project.channels), project.calendar) } }
        : report;
      return { report: shown, deadlines, messages, events, outbox };
    },

    async clockNow() {
      return { now: deps.clock.now().toISOString() };
    },

    async outboxItems(reportId) {
      return deps.store.listOutbox(reportId === undefined ? undefined : (normalizeReportId(reportId) ?? reportId));
    },
  };
}
