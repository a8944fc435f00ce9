/** Text output of the CLI: short, aligned, instants in ISO 8601 UTC. `--json` prints the data itself instead. */
import type { ImportResult } from '../import-mail';
import type { OutboxFile, ReportSummary, ReportView } from '../stack-operations';

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i]))).join('  ').trimEnd()).join('\n') + '\n';
}

export function reportsText(reports: ReportSummary[]): string {
  if (!reports.length) return 'No reports yet. Send one: secintake send examples/mail/<file>.eml\n';
  return table([
    ['ID', 'PROJECT', 'STATUS', 'OWNER', 'CREATED', 'NEXT DEADLINE', 'SUBJECT'],
    ...reports.map((r) => [
      r.id,
      r.project,
      r.quarantined ? `${r.status} (quarantined)` : r.status,
      r.owner ?? '-',
      r.createdAt,
      r.nextDeadline ? `${r.nextDeadline.name}:${r.nextDeadline.dueAt}` : '-',
      r.subject.length > 60 ? r.subject.slice(0, 57) + '...' : r.subject,
    ]),
  ]);
}

export function showText(v: ReportView): string {
  const r = v.report;
  const lines = [
    `Report ${r.id}  (${r.project}, ${r.status}${r.closeReason ? `: ${r.closeReason}` : ''}${r.quarantine ? `, quarantined: ${r.quarantine.reason}` : ''})`,
    `Subject:   ${r.subject}`,
    `Reporter:  ${r.reporter.name ? `${r.reporter.name} <${r.reporter.address}>` : r.reporter.address}`,
    `Received:  ${r.createdAt} at ${r.securityAddress}`,
  ];
  if (r.embargo) lines.push(`Embargo:   until ${r.embargo.until} (set by ${r.embargo.setBy})`);
  if (r.embargo && r.embargoChannels?.length) {
    // shared with outside channels: the effective end is the earliest of these limits
    lines.push(`           shared with ${r.embargoChannels.map((c) => `${c.channel} on ${c.sharedAt}`).join(', ')}; the earliest limit applies:`);
    for (const s of r.embargo.effective?.sources ?? []) lines.push(`           ${s.end}  ${s.source}: ${s.rule}`);
  }
  lines.push(`Owner:     ${r.owner ?? 'nobody'}`);
  if (r.severity || r.cve) {
    const cvss = r.facts?.severity?.vector ? ` (CVSS ${r.facts.severity.score}, ${r.facts.severity.vector})` : '';
    lines.push(`Severity:  ${r.severity ?? '-'}${cvss}   CVE: ${r.cve ?? '-'}`);
  }
  for (const a of r.facts?.affected ?? []) lines.push(`Affected:  ${a.ecosystem} ${a.package} ${a.range}`);
  for (const f of r.facts?.fixed ?? []) lines.push(`Fixed:     ${[f.ecosystem, f.package, f.version].filter(Boolean).join(' ')}`);
  if (r.facts?.cwe.length) lines.push(`CWE:       ${r.facts.cwe.join(', ')}`);
  if (r.credit) lines.push(`Credit:    ${r.credit} (confirmed)`);
  const wish = r.reporterPreferences;
  if (wish?.credit) lines.push(`Reporter asked: credit as ${wish.credit}${r.credit ? '' : ' (not confirmed)'}`);
  if (wish?.disclosureDate) lines.push(`Reporter asked: disclosure on ${wish.disclosureDate}`);
  if (wish?.contact) lines.push(`Reporter asked: contact ${wish.contact}`);
  if (r.relatesTo?.length) lines.push(`Relates to: ${r.relatesTo.join(', ')}`);
  if (r.credit) lines.push(`Credit:    ${r.credit}`);
  const steps = Object.entries(r.disclosure ?? {});
  if (steps.length) {
    lines.push('', 'Disclosure (GitHub):');
    for (const [step, st] of steps) {
      if (!st) continue;
      const when = st.state === 'scheduled' ? ` not before ${st.notBefore ?? '-'}${st.mode ? ` (${st.mode})` : ''}` : st.at ? ` at ${st.at}` : '';
      lines.push(`  ${pad(step, 12)} ${st.state}${when}${st.url ? `  ${st.url}` : ''}${st.lastError && st.state !== 'done' ? `  (last attempt: ${st.lastError})` : ''}`);
    }
  }
  lines.push('', 'Deadlines:');
  for (const d of v.deadlines) {
    // a promise kept after its date is "met late at", not "missed at": both facts, as a reader would say them
    const state = d.metAt ? `${d.state === 'missed' ? 'met late' : 'met'} at ${d.metAt}` : d.state;
    lines.push(`  ${pad(d.name, 12)} ${d.dueAt}${d.hardAt ? ` (at the latest ${d.hardAt})` : ''}  ${state}`);
  }
  if (!v.deadlines.length) lines.push('  (none)');
  lines.push('', 'Messages:');
  for (const m of v.messages) {
    const who = m.from?.address ?? '?';
    lines.push(`  ${m.at} ${m.direction === 'in' ? '<-' : '->'} ${pad(m.role, 10)} ${who}  ${m.kind ?? m.outcome ?? ''}  ${m.subject}`);
  }
  lines.push('', 'Events:');
  for (const e of v.events) lines.push(`  ${e.at} ${pad(e.type, 20)} ${e.actor}${change(e.detail)}`);
  lines.push('', 'Outbox:');
  for (const o of v.outbox) lines.push(`  ${o.createdAt} ${pad(o.kind, 14)} ${o.state}  to ${o.to.join(', ')}`);
  if (!v.outbox.length) lines.push('  (nothing sent)');
  return lines.join('\n') + '\n';
}

/** What an event changed, as a reader says it: `received -> triaged`. */
function change(detail: Record<string, unknown> | undefined): string {
  if (!detail || !('to' in detail)) return '';
  const v = (x: unknown) => (x === undefined || x === null ? '(none)' : String(x));
  return 'from' in detail ? `  ${v(detail.from)} -> ${v(detail.to)}` : `  -> ${v(detail.to)}`;
}

export function outboxText(files: OutboxFile[]): string {
  if (!files.length) return 'The outbox is empty.\n';
  return (
    table([['N', 'KIND', 'TO', 'SUBJECT'], ...files.map((f) => [String(f.n), f.kind, f.to, f.subject])]) +
    'Read one with: secintake outbox show N\n'
  );
}

export function importLine(r: ImportResult): string {
  return `${r.outcome}${r.reportId ? ` ${r.reportId}` : ''}${r.duplicate ? ' (already imported)' : ''}  ${r.file}  ${r.reason}\n`;
}
