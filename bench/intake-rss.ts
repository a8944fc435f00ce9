/**
 * Peak RSS of one 40 MB message (three attachments) through the whole intake path, in a process of its own
 * that holds only what the intake Lambda holds: the parent (intake-bench.ts) generates the message file, runs
 * dynalite, and bundles this file with esbuild as the Lambda is bundled. Here: stream the file into the raw
 * store, run intake, print the peak.
 *   node intake-rss.js FILE.eml DYNAMO_ENDPOINT
 */
import '../lambdas/local/polyfills';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { receiveMail } from '../lambdas/app/receive-mail';
import { parseConfig } from '../lambdas/core/config-errors';
import { DynamoReportStore } from '../lambdas/adapters/aws/dynamo-report-store';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FsRawStore } from '../lambdas/adapters/local/fs-raw-store';
import { mimeComposer } from '../lambdas/adapters/mime-composer';
import { MailparserParser } from '../lambdas/adapters/mailparser-parser';
import { MailauthDkimVerifier } from '../lambdas/adapters/mailauth-dkim';
import { noMetrics, silentLogger } from '../lambdas/ports/logger';
import bases from '../examples/bases.json';

async function main() {
  const [file, endpoint] = process.argv.slice(2);
  if (!file || !endpoint) throw new Error('usage: intake-rss FILE.eml DYNAMO_ENDPOINT');
  const config = parseConfig(bases);
  const to = config.projects[0].addresses[0];
  const dir = await mkdtemp(join(tmpdir(), 'secintake-rss-raw-'));
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const deps = {
    config,
    store: new DynamoReportStore({ client, tableName: 'reports' }),
    raw: new FsRawStore(dir),
    parser: new MailparserParser(),
    // no DNS: the bench's mail is nobody's maintainer mail, so the verifier is never even loaded
    dkim: new MailauthDkimVerifier(async (name) => {
      throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    }),
    composer: mimeComposer,
    sender: { send: async () => ({ providerId: 'bench' }) },
    workflow: { start: async () => {}, wake: async () => {}, finish: async () => {}, isRunning: async () => true },
    clock: { now: () => new Date() },
    keys: { replyAddressKey: async () => Buffer.alloc(32, 1) },
    log: silentLogger,
    metrics: noMetrics,
  };
  const before = process.memoryUsage().rss;
  const start = Date.now();
  await deps.raw.put('inbound/big-1', createReadStream(file));
  const result = await receiveMail(deps, {
    sesMessageId: 'big-1',
    recipients: [to],
    verdicts: { spf: 'UNKNOWN', dkim: 'UNKNOWN', dmarc: 'UNKNOWN', spam: 'UNKNOWN', virus: 'UNKNOWN' },
    receivedAt: new Date().toISOString(),
    rawKey: 'inbound/big-1',
  });
  const ms = Date.now() - start;
  const size = await deps.raw.size('inbound/big-1');
  client.destroy();
  await rm(dir, { recursive: true, force: true });
  const peak = peakRssMiB();
  console.log(
    `40 MB message (${(size / 1048576).toFixed(1)} MiB, 3 attachments): outcome ${result.outcome}, ${ms} ms, ` +
      `peak RSS ${peak.toFixed(0)} MiB (RSS with the code loaded, before intake: ${(before / 1048576).toFixed(0)} MiB; target < 160 MiB)`,
  );
}

/**
 * This process's own high-water RSS. On Linux, VmHWM of /proc/self/status: getrusage's ru_maxrss also counts
 * the parent's RSS at fork time (it survives exec), which made a heavy parent look like a heavy child.
 */
function peakRssMiB(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
