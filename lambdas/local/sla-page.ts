/**
 * `secintake sla --html FILE`: one self-contained page (inline SVG and CSS, no script, nothing fetched) with, per
 * project, the trend of each promise's compliance per period and the distribution of the times taken.
 * Elements carry data-* attributes (promise, period, value) so a test in a real browser can check what is drawn.
 */
import type { PeriodFigures, SlaFigures } from '../core/sla-figures';
import { formatSpan } from './cli/sla-text';

const COLORS: Record<string, string> = { acknowledge: '#1f77b4', respond: '#ff7f0e', update: '#2ca02c', embargo: '#9467bd' };
const EXTRA = ['#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const H = 3_600_000;
/** Upper bounds of the histogram bins of the times taken. */
const BINS: { label: string; upTo: number }[] = [
  { label: '< 1h', upTo: H },
  { label: '1-4h', upTo: 4 * H },
  { label: '4-12h', upTo: 12 * H },
  { label: '12-24h', upTo: 24 * H },
  { label: '1-2d', upTo: 48 * H },
  { label: '2-7d', upTo: 168 * H },
  { label: '> 7d', upTo: Infinity },
];

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const color = (name: string, i: number) => COLORS[name] ?? EXTRA[i % EXTRA.length];
const pct = (f: number | null) => (f === null ? '-' : `${Math.round(f * 100)}%`);

function trendChart(id: string, periods: PeriodFigures[], names: string[]): string {
  const w = 640, h = 240, left = 44, right = 40, top = 12, bottom = 40;
  const x = (i: number) => left + (periods.length <= 1 ? (w - left - right) / 2 : (i * (w - left - right)) / (periods.length - 1));
  const y = (f: number) => top + (1 - f) * (h - top - bottom);
  const parts: string[] = [];
  for (const f of [0, 0.5, 1]) {
    parts.push(`<line x1="${left}" x2="${w - right}" y1="${y(f)}" y2="${y(f)}" class="grid"/><text x="${left - 6}" y="${y(f) + 4}" text-anchor="end">${pct(f)}</text>`);
  }
  const step = Math.max(1, Math.ceil(periods.length / 12));
  periods.forEach((p, i) => {
    if (i % step === 0) parts.push(`<text x="${x(i)}" y="${h - bottom + 16}" text-anchor="middle">${esc(p.period)}</text>`);
  });
  names.forEach((name, k) => {
    const points = periods.flatMap((p, i) => {
      const c = p.promises.find((q) => q.name === name);
      return c && c.compliance !== null ? [{ i, period: p.period, c }] : [];
    });
    const stroke = color(name, k);
    if (points.length > 1) {
      parts.push(`<polyline fill="none" stroke="${stroke}" stroke-width="2" data-promise="${esc(name)}" points="${points.map((q) => `${x(q.i)},${y(q.c.compliance!)}`).join(' ')}"/>`);
    }
    for (const q of points) {
      parts.push(
        `<circle cx="${x(q.i)}" cy="${y(q.c.compliance!)}" r="4" fill="${stroke}" data-promise="${esc(name)}" data-period="${esc(q.period)}" data-compliance="${q.c.compliance}">` +
          `<title>${esc(name)} ${esc(q.period)}: ${q.c.met} of ${q.c.due} in time (${pct(q.c.compliance)})</title></circle>`,
      );
    }
  });
  const legend = names.map((name, k) => `<span class="key" data-promise="${esc(name)}"><i style="background:${color(name, k)}"></i>${esc(name)}</span>`).join(' ');
  return (
    `<figure><figcaption>In time, by period</figcaption>` +
    `<svg class="trend" data-project="${esc(id)}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="compliance per period">${parts.join('')}</svg>` +
    `<div class="legend">${legend}</div></figure>`
  );
}

function histogram(name: string, times: number[], k: number, total: PeriodFigures): string {
  const w = 300, h = 160, left = 8, bottom = 34, top = 16;
  const counts = BINS.map((b, i) => times.filter((t) => t < b.upTo && (i === 0 || t >= BINS[i - 1].upTo)).length);
  const most = Math.max(1, ...counts);
  const bw = (w - 2 * left) / BINS.length;
  const bars = counts.map((n, i) => {
    const bh = (n / most) * (h - top - bottom);
    const x = left + i * bw;
    return (
      `<rect x="${x + 2}" y="${h - bottom - bh}" width="${bw - 4}" height="${bh}" fill="${color(name, k)}" data-bin="${esc(BINS[i].label)}" data-count="${n}"><title>${n} in ${esc(BINS[i].label)}</title></rect>` +
      `<text x="${x + bw / 2}" y="${h - bottom + 14}" text-anchor="middle">${esc(BINS[i].label)}</text>` +
      (n ? `<text x="${x + bw / 2}" y="${h - bottom - bh - 3}" text-anchor="middle">${n}</text>` : '')
    );
  });
  const p = total.promises.find((q) => q.name === name);
  const measure = p?.measure === 'working' ? 'working time' : 'elapsed';
  const caption = `${esc(name)}: ${times.length} time(s), p50 ${formatSpan(p?.p50Ms ?? null, p?.measure)}, p90 ${formatSpan(p?.p90Ms ?? null, p?.measure)} (${measure})`;
  return `<figure><figcaption>${caption}</figcaption><svg class="times" data-promise="${esc(name)}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${caption}">${bars.join('')}</svg></figure>`;
}

function projectSection(f: SlaFigures, total: PeriodFigures): string {
  const periods = f.projects.filter((p) => p.id === total.id);
  const reports = f.reports.filter((r) => r.project === total.id);
  const names = total.promises.map((p) => p.name);
  const rows = total.promises
    .map((p) => `<tr data-promise="${esc(p.name)}"><td>${esc(p.name)}</td><td>${p.due}</td><td>${p.met}</td><td>${pct(p.compliance)}</td><td>${formatSpan(p.p50Ms, p.measure)}</td><td>${formatSpan(p.p90Ms, p.measure)}</td></tr>`)
    .join('');
  const distributions = names
    .filter((n) => n !== 'embargo')
    .map((name, k) => {
      const times = name === 'update' ? reports.flatMap((r) => r.updateIntervalsMs) : reports.flatMap((r) => r.promises.filter((o) => o.name === name && o.takenMs !== undefined).map((o) => o.takenMs!));
      return histogram(name, times, k, total);
    });
  return (
    `<section data-project="${esc(total.id)}"><h2>${esc(total.id)}</h2>` +
    `<p>${total.received} report(s) received${total.quarantined ? `, ${total.quarantined} quarantined` : ''}; by ${f.periodKind}.` +
    (total.disclosure.n ? ` Time to disclosure: p50 ${formatSpan(total.disclosure.p50Ms)}, p90 ${formatSpan(total.disclosure.p90Ms)}.` : '') +
    `</p><table><thead><tr><th>promise</th><th>due</th><th>met</th><th>in time</th><th>p50</th><th>p90</th></tr></thead><tbody>${rows}</tbody></table>` +
    trendChart(total.id, periods, names) +
    `<div class="row">${distributions.join('')}</div></section>`
  );
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}section{margin-bottom:32px}
table{border-collapse:collapse;margin:8px 0}td,th{border-bottom:1px solid #ddd;padding:3px 10px;text-align:right}td:first-child,th:first-child{text-align:left}
svg text{font-size:11px;fill:#444}.grid{stroke:#e3e3e3}.legend .key{margin-right:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
figure{margin:8px 16px 8px 0;display:inline-block;vertical-align:top}figcaption{font-weight:600;margin-bottom:4px}.row{display:flex;flex-wrap:wrap}`;

export function slaPage(f: SlaFigures): string {
  const title = `Promises kept, as of ${f.now.slice(0, 16).replace('T', ' ')} UTC`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    // nothing is fetched: no script, no external style, no image
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${esc(title)}</title><style>${CSS}</style></head><body>`,
    `<h1>${esc(title)}</h1>`,
    f.since ? `<p>Reports received since ${esc(f.since)}.</p>` : '',
    ...f.totals.map((t) => projectSection(f, t)),
    '</body></html>',
    '',
  ].join('\n');
}
