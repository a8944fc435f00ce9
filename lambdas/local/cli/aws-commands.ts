/**
 * The commands that work differently on a deployed stack (`--aws`): `outbox` reads the table's outbox items (on
 * AWS no .eml folder exists), `replay` re-drives failed intakes from the intake function's on-failure queue
 * (app/replay-failed-intakes.ts through adapters/aws/failed-intake-replay.ts).
 */
import type { OutboxItem } from '../../core/report';
import type { FailedIntake } from '../../ports/failed-intake-queue';
import type { AwsReadClients, AwsReplayClients } from '../../adapters/aws/deployed-stack-reader';
import { UserError } from '../user-error';
import { awsSource, awsConfig, type GlobalOptions } from './connect';
import type { CliIo } from './io';
import { jsonSafe, terminalSafe } from './terminal-safe';

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

export function awsOutboxText(items: OutboxItem[]): string {
  if (!items.length) return 'The outbox is empty.\n';
  const rows = [
    ['CREATED', 'REPORT', 'KIND', 'STATE', 'TO', 'SUBJECT'],
    ...items.map((i) => [i.createdAt, i.reportId, i.kind, i.state === 'sent' ? `sent ${i.sentAt ?? ''}`.trim() : i.state, i.to.join(', '), i.subject]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((c, k) => (k === r.length - 1 ? c : pad(c, widths[k]))).join('  ').trimEnd()).join('\n') + '\n';
}

/** `secintake --aws outbox [--report ID] [--kind KIND] [--json]`: the outbox items recorded in the deployed table. */
export async function awsOutboxCommand(
  g: GlobalOptions,
  o: { json?: boolean; report?: string; kind?: string },
  io: CliIo,
  clients?: AwsReadClients,
): Promise<number> {
  const { ops } = await awsSource(g, clients);
  const items = (await ops.outboxItems(o.report)).filter((i) => !o.kind || i.kind === o.kind);
  if (o.json) io.out(jsonSafe(JSON.stringify(items, null, 2)) + '\n');
  else io.out(terminalSafe(awsOutboxText(items)));
  return 0;
}

function entryLine(e: FailedIntake): string {
  const ids = e.sesMessageIds.length ? e.sesMessageIds.join(', ') : '(no SES message ID)';
  return `  ${ids}  failed ${e.failedAt ?? '?'}${e.attempts ? ` after ${e.attempts} attempts` : ''}: ${e.error ?? 'no error recorded'}\n`;
}

/**
 * `secintake --aws replay [ID | --message-id ID] [--yes] [--list]`: the failed intakes waiting on the stack's
 * failure queue, run again through the intake function; asks first unless --yes.
 */
export async function awsReplayCommand(
  g: GlobalOptions,
  o: { messageId?: string; yes?: boolean; list?: boolean },
  io: CliIo,
  clients?: AwsReplayClients,
): Promise<number> {
  const config = await awsConfig(g);
  const [{ awsReplayParts }, { replayFailedIntakes, listFailedIntakes }] = await Promise.all([
    import('../../adapters/aws/deployed-stack-reader'),
    import('../../app/replay-failed-intakes'),
  ]);
  const { queue, intake } = await awsReplayParts(config, g.aws!, clients);
  const out = (t: string) => io.out(terminalSafe(t));
  if (o.list) {
    const entries = await listFailedIntakes(queue);
    if (!entries.length) out('The failure queue is empty: no intake is waiting for a replay.\n');
    else out(`${entries.length} failed intake(s) waiting on the failure queue:\n${entries.map(entryLine).join('')}Replay them with: secintake --aws replay\n`);
    return 0;
  }
  if (!o.yes && !io.ask) {
    throw new UserError('replay runs intake again on the deployed stack: confirm it on a terminal, or give --yes', 2);
  }
  const summary = await replayFailedIntakes(queue, intake, {
    messageId: o.messageId,
    confirm: async (entries) => {
      out(`${entries.length} failed intake(s) to run again through ${g.aws!.stack}'s intake function:\n${entries.map(entryLine).join('')}`);
      if (o.yes) return true;
      const answer = await io.ask!('Replay them? [y/N] ');
      return /^y(es)?$/i.test(answer.trim());
    },
    onOutcome: (r) => {
      const ids = r.entry.sesMessageIds.join(', ') || '(no SES message ID)';
      if (r.state === 'replayed') {
        for (const x of r.results) out(`${x.sesMessageId}: ${x.outcome}${x.reportId ? ` ${x.reportId}` : ''}${x.duplicate ? ' (already processed)' : ''}${x.reason ? `: ${x.reason}` : ''}\n`);
        if (!r.results.length) out(`${ids}: replayed\n`);
      } else out(`${ids}: ${r.state === 'failed' ? 'FAILED again' : 'skipped'}: ${r.error} (left on the queue)\n`);
    },
  });
  if (!summary.selected) {
    out('The failure queue is empty: no intake is waiting for a replay.\n');
    return 0;
  }
  if (!summary.confirmed) {
    out('Nothing replayed; the entries stay on the queue.\n');
    return 1;
  }
  const bad = summary.outcomes.filter((x) => x.state !== 'replayed').length;
  out(`${summary.outcomes.length - bad} replayed and removed from the queue${bad ? `, ${bad} left on it` : ''}.\n`);
  return bad ? 1 : 0;
}
