/**
 * `npx tsx bench/request-trace.ts [bases|<config.json>]`: the DynamoDB requests one new 5 KB report costs, in
 * order, with the items they touch (the figures behind the "requests per new report" budget: a report from a
 * sender under the receipt rate limit, so the receipt and the notice both go out). A transaction
 * (TransactWriteItems) is one request, counted as one write; AWS bills each of its items two write units.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Config } from '../lambdas/core/config';
import { loadConfigFile } from '../lambdas/adapters/local/config-file';
import { receiveMail } from '../lambdas/app/receive-mail';
import { benchDeps } from './bench-deps';
import { messageOfSize } from './generate-mail';

const READS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand']);

/** The requests of the second new report of a fresh table (the round-robin counter exists by then). */
export async function traceNewReport(config: Config): Promise<{ lines: string[]; reads: number; writes: number }> {
  const to = config.projects[0]!.addresses[0]!;
  const bench = await benchDeps(config);
  const client = (bench.deps.store as unknown as { doc: { middlewareStack: { add(m: unknown, o: unknown): void } } }).doc;
  const lines: string[] = [];
  let reads = 0;
  let writes = 0;
  let on = false;
  client.middlewareStack.add(
    (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: { input: Record<string, unknown> }) => {
      if (on) {
        const i = args.input;
        type Entry = Record<string, { Item?: { sk?: unknown }; Key?: { sk?: unknown } } | undefined>;
        const requests = Object.values((i['RequestItems'] ?? {}) as Record<string, Entry[] | { Keys: Array<{ sk?: unknown }> }>);
        const sks = i['TransactItems']
          ? (i['TransactItems'] as Entry[]).map((a) => Object.values(a)[0]).map((a) => a?.Item?.sk ?? a?.Key?.sk)
          : requests.flatMap((r) => (Array.isArray(r) ? r.map((w) => w['PutRequest']?.Item?.sk) : r.Keys.map((k) => k.sk)));
        const keys = JSON.stringify(i['Key'] ?? (i['Item'] as Record<string, unknown> | undefined)?.['sk'] ?? sks);
        lines.push(`${context.commandName} ${keys.slice(0, 200)}`);
        if (READS.has(context.commandName ?? '')) reads++;
        else writes++;
      }
      return next(args);
    },
    { step: 'initialize', name: 'trace' },
  );
  try {
    for (let n = 0; n < 2; n++) {
      const id = randomBytes(10).toString('hex');
      const m = messageOfSize(5 * 1024, n, to);
      await bench.deps.raw.put(`inbound/${id}`, m);
      on = n === 1; // the second report: the round-robin counter exists
      await receiveMail(bench.deps, {
        sesMessageId: id,
        recipients: [to],
        verdicts: { spf: 'UNKNOWN', dkim: 'UNKNOWN', dmarc: 'UNKNOWN', spam: 'UNKNOWN', virus: 'UNKNOWN' },
        receivedAt: new Date().toISOString(),
        rawKey: `inbound/${id}`,
        mailFrom: 'bench@reporter.example',
      });
    }
    if (bench.sent() !== 4) throw new Error(`expected a receipt and a notice per report, ${bench.sent()} mails sent`);
  } finally {
    await bench.close();
  }
  return { lines, reads, writes };
}

async function main() {
  const file = process.argv[2] ?? join(__dirname, '../examples/bases.json');
  const { lines, reads, writes } = await traceNewReport(loadConfigFile(file));
  for (const l of lines) console.log(l);
  console.log(`${reads} reads + ${writes} writes (requests; a TransactWriteItems is one)`);
}

if (require.main === module) void main();
