/**
 * `secintake sla`: how well each project kept its promises. It reads the reports and their audit events through
 * the same operations as `reports` and `show` (so it works against any stack those reach), computes the figures
 * with the pure core module, and prints them as text, JSON, or a self-contained HTML page.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadConfigFile } from '../../adapters/local/config-file';
import { PERIOD_KINDS, slaFigures, type PeriodKind, type SlaFigures } from '../../core/sla-figures';
import type { ReportHistory } from '../../core/report-figures';
import { silentLogger } from '../../ports/logger';
import { UserError, type StackOperations } from '../stack-operations';
import { slaPage } from '../sla-page';
import { withStack, type GlobalOptions } from './connect';
import type { CliIo } from './io';
import { slaText } from './sla-text';
import { jsonSafe, terminalSafe } from './terminal-safe';

export interface SlaCommandOptions {
  project?: string;
  since?: string;
  period?: string;
  json?: boolean;
  html?: string;
}

/** `2027-03-01` (midnight UTC) or a full ISO 8601 instant. */
export function parseSince(text: string): Date {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
  const t = new Date(iso);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(t.getTime())) {
    throw new UserError(`--since ${JSON.stringify(text)} is not a date: use YYYY-MM-DD or an ISO 8601 instant`, 2);
  }
  return t;
}

/** Every report with its audit events: what the figures are computed from. */
export async function reportHistories(ops: StackOperations): Promise<ReportHistory[]> {
  const histories: ReportHistory[] = [];
  for (const summary of await ops.reports()) {
    const view = await ops.show(summary.id);
    histories.push({ report: view.report, events: view.events });
  }
  return histories;
}

export async function slaCommand(g: GlobalOptions, o: SlaCommandOptions, io: CliIo): Promise<number> {
  const config = loadConfigFile(g.config);
  if (o.project && !config.projects.some((p) => p.id === o.project)) {
    throw new UserError(`no project ${JSON.stringify(o.project)} in ${g.config} (projects: ${config.projects.map((p) => p.id).join(', ')})`, 2);
  }
  const period = (o.period ?? 'month') as PeriodKind;
  if (!PERIOD_KINDS.includes(period)) throw new UserError(`--period ${JSON.stringify(o.period)}: use week, month or quarter`, 2);
  const since = o.since ? parseSince(o.since) : undefined;
  const figures: SlaFigures = await withStack(
    g,
    silentLogger,
    async (ops) => {
      const now = new Date((await ops.clockNow()).now);
      return slaFigures(await reportHistories(ops), config, { now, project: o.project, since, period });
    },
    { resume: false },
  );
  if (o.html) {
    const file = path.resolve(o.html);
    await fs.writeFile(file, slaPage(figures));
    io.err(`wrote ${file}\n`);
  }
  if (o.json) io.out(jsonSafe(JSON.stringify(figures, null, 2)) + '\n');
  else if (!o.html) io.out(terminalSafe(slaText(figures)));
  return 0;
}
