/**
 * `secintake sla` as text: per project a table of each promise (due, met in time, compliance as a bar, p50 and
 * p90 of the times), then the compliance of each promise per period as a one-line chart.
 */
import type { PeriodFigures, SlaFigures } from '../../core/sla-figures';

const BAR = 10;
const LEVELS = ' ▁▂▃▄▅▆▇█';
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const padLeft = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

/** 90m -> "1h 30m", 30h -> "1d 6h", 200h -> "8d 8h"; minutes dropped past a day. Working time stays in hours
 *  ("25h"): a working day is not 24 of them. */
export function formatSpan(ms: number | null, measure: 'working' | 'elapsed' = 'elapsed'): string {
  if (ms === null) return '-';
  const minutes = Math.round(ms / 60_000);
  const d = measure === 'working' ? 0 : Math.floor(minutes / 1440);
  const h = Math.floor((minutes - d * 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return h ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m ? `${h}h ${m}m` : `${h}h`;
  return `${m}m`;
}

const percent = (f: number | null) => (f === null ? '-' : `${Math.round(f * 100)}%`);

function bar(f: number | null): string {
  if (f === null) return ' '.repeat(BAR);
  const full = Math.round(f * BAR);
  return '█'.repeat(full) + '░'.repeat(BAR - full);
}

/** One character per period: the compliance of that period, ▁ (0%) to █ (100%); a dot where nothing was due. */
export function sparkline(values: (number | null)[]): string {
  return values.map((v) => (v === null ? '·' : LEVELS[Math.max(1, Math.round(v * (LEVELS.length - 1)))])).join('');
}

function projectText(total: PeriodFigures, periods: PeriodFigures[], kind: string): string[] {
  const lines = [
    `${total.id}: ${total.received} report(s)${total.quarantined ? `, ${total.quarantined} quarantined` : ''}, ${periods[0]?.period ?? '-'} .. ${periods[periods.length - 1]?.period ?? '-'}`,
  ];
  if (!total.promises.length) return [...lines, '  no promise was due yet', ''];
  const rows = [
    ['PROMISE', 'DUE', 'MET', 'IN TIME', '', 'P50', 'P90', 'MEASURED IN'],
    ...total.promises.map((p) => [
      p.name,
      String(p.due),
      String(p.met),
      bar(p.compliance),
      percent(p.compliance),
      formatSpan(p.p50Ms, p.measure),
      formatSpan(p.p90Ms, p.measure),
      p.name === 'embargo' ? '-' : p.measure === 'working' ? 'working time' : 'elapsed time',
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const numeric = new Set([1, 2, 4]);
  for (const r of rows) lines.push(('  ' + r.map((c, i) => (numeric.has(i) ? padLeft(c, widths[i]) : pad(c, widths[i]))).join('  ')).trimEnd());
  if (total.disclosure.n) {
    lines.push(`  time to disclosure: ${total.disclosure.n} report(s), p50 ${formatSpan(total.disclosure.p50Ms)}, p90 ${formatSpan(total.disclosure.p90Ms)}`);
  }
  if (total.embargo.broken) lines.push(`  embargo broken: ${total.embargo.broken} report(s) disclosed before their embargo ended`);
  lines.push('', `  in time by ${kind} (${periods[0]?.period ?? ''} .. ${periods[periods.length - 1]?.period ?? ''}; · nothing due)`);
  const width = Math.max(...total.promises.map((p) => p.name.length), 'received'.length);
  const received = periods.map((p) => p.received);
  const most = Math.max(1, ...received);
  lines.push(`  ${pad('received', width)}  ${sparkline(received.map((n) => (n ? n / most : null)))}  ${received.reduce((a, b) => a + b, 0)}`);
  for (const promise of total.promises) {
    const series = periods.map((p) => p.promises.find((q) => q.name === promise.name)?.compliance ?? null);
    lines.push(`  ${pad(promise.name, width)}  ${sparkline(series)}  ${percent(promise.compliance)}`);
  }
  return [...lines, ''];
}

export function slaText(f: SlaFigures): string {
  if (!f.totals.length) return 'No project matches.\n';
  const out = [`Promises kept, as of ${f.now}${f.since ? `, reports received since ${f.since}` : ''}`, ''];
  for (const total of f.totals) {
    out.push(...projectText(total, f.projects.filter((p) => p.id === total.id), f.periodKind));
  }
  return out.join('\n');
}
