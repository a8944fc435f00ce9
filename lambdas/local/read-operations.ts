/**
 * The operations that only read: listing and showing reports, the outbox, the clock. They need the config, a
 * report reader, the clock and the outbox folder, and nothing that starts a stand-in: the CLI runs them on
 * dynalite's files directly (adapters/local/dynalite-files.ts) when no stack is running, and the running stack
 * runs the same functions on its own store.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Config } from '../core/config';
import { channelTable, reportEmbargo } from '../core/embargo-channels';
import { normalizeReportId } from '../core/report-id';
import type { Report } from '../core/report';
import { deadlinesOf, isFinished } from '../core/timeline';
import type { Clock } from '../ports/clock';
import type { ReportStore } from '../ports/report-store';
import { listOutboxFolder } from '../adapters/local/outbox-folder-list';
import type { ReportSummary, StackOperations } from './stack-operations';
import { UserError } from './user-error';

export interface ReadDeps {
  config: Config;
  store: Pick<ReportStore, 'getReport' | 'listReports' | 'listMessages' | 'listEvents' | 'listOutbox'>;
  clock: Clock;
  outboxDir: string;
}

export type ReadOperations = Pick<StackOperations, 'reports' | 'show' | 'clockNow' | 'outbox' | 'outboxShow'>;

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

export function readOperations(deps: ReadDeps): ReadOperations {
  const outboxFiles = () => listOutboxFolder(deps.outboxDir);
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

    outbox: outboxFiles,
    async outboxShow(n) {
      const files = await outboxFiles();
      const item = files.find((f) => f.n === n);
      if (!item) throw new UserError(`no outbox message ${n} (there are ${files.length}; secintake outbox lists them)`);
      const file = path.join(deps.outboxDir, item.file);
      return { file, raw: await fs.readFile(file, 'utf8') };
    },
  };
}
