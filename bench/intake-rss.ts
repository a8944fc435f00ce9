/**
 * Peak RSS of one 40 MB message (three attachments) through the whole local intake path, in a process of its
 * own so nothing else inflates the figure. The message is generated to a file and streamed into the raw store.
 */
import '../lambdas/local/polyfills';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { receiveMail } from '../lambdas/app/receive-mail';
import { loadConfigFile } from '../lambdas/adapters/local/config-file';
import { benchDeps } from './bench-deps';
import { writeMessageFile } from './generate-mail';

async function main() {
  const config = loadConfigFile(join(__dirname, '../examples/bases.json'));
  const to = config.projects[0].addresses[0];
  const bench = await benchDeps(config);
  const file = join(bench.dir, 'big.eml');
  await writeMessageFile(file, 40_000_000, to);
  const before = process.memoryUsage().rss;
  const start = Date.now();
  await bench.deps.raw.put('inbound/big-1', createReadStream(file));
  const result = await receiveMail(bench.deps, {
    sesMessageId: 'big-1',
    recipients: [to],
    verdicts: { spf: 'UNKNOWN', dkim: 'UNKNOWN', dmarc: 'UNKNOWN', spam: 'UNKNOWN', virus: 'UNKNOWN' },
    receivedAt: new Date().toISOString(),
    rawKey: 'inbound/big-1',
  });
  const ms = Date.now() - start;
  const size = await bench.deps.raw.size('inbound/big-1');
  await bench.close();
  const peak = process.resourceUsage().maxRSS / 1024; // KiB -> MiB
  console.log(
    `40 MB message (${(size / 1048576).toFixed(1)} MiB, 3 attachments): outcome ${result.outcome}, ${ms} ms, ` +
      `peak RSS ${peak.toFixed(0)} MiB (RSS before intake ${(before / 1048576).toFixed(0)} MiB; limit 160 MiB)`,
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
