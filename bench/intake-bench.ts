/**
 * `npm run bench [-- intake|burst|cli|cost|bundle|soak]`: figures, then the budgets table of issue 16 (budget and
 * PASS/FAIL per row; bench/budgets.ts). No argument: every section but the soak. Timing figures on a shared machine
 * are noisy: ratios are measured side by side in one run.
 *
 * intake section: throughput and cost, from one run on the same messages.
 *
 * Prints, per message set (generated 5 KB, 60 KB, 2 MB, 25 MB, and the shared corpus):
 *   - messages per CPU-second of bare mailparser parsing (simpleParser on the bytes)
 *   - messages per CPU-second of the whole local intake path (raw read from the file store, parse, classify,
 *     thread, DynamoDB requests to dynalite running in a child process, outbox), the raw stored beforehand
 *   - their ratio, and both as wall-clock rates
 *   - DynamoDB requests per inbound message, counted by command, reads and writes apart
 * then the peak RSS of a 40 MB message through intake, measured in its own process (bench/intake-rss.ts).
 * and the CPU our own code spends per small message (in-memory store: parse, classify, plan).
 * `npm run bench -- soak [COUNT]`: the crash-and-retry soak instead (bench/soak.ts).
 */
import '../lambdas/local/polyfills';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Readable } from 'node:stream';
import type { RawMailStore } from '../lambdas/ports/raw-mail-store';
import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { receiveMail } from '../lambdas/app/receive-mail';
import { loadConfigFile } from '../lambdas/adapters/local/config-file';
import { build } from 'esbuild';
import { ensureTable } from '../lambdas/adapters/aws/dynamo-report-store';
import { localDynamoClient, startDynalite } from '../lambdas/adapters/local/dynalite-server';
import { benchDeps } from './bench-deps';
import { traceNewReport } from './request-trace';
import { soak } from './soak';
import { messageOfSize, writeMessageFile } from './generate-mail';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { MemoryReportStore } from '../test/fakes/memory-report-store';
import { printBudgets, record } from './budgets';
import { bundleSection } from './bundle-bench';
import { burstSection } from './burst-bench';
import { costSection } from './cost-bench';

const CORPUS = join(__dirname, '../../shared/corpus');
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'BatchWriteItemCommand', 'DeleteItemCommand', 'TransactWriteItemsCommand']);

const SECTIONS = ['intake', 'bundle', 'cost', 'burst', 'cli'] as const;
type Section = (typeof SECTIONS)[number];

async function main() {
  const arg = process.argv[2];
  if (arg === 'soak') return soak(Number(process.argv[3] ?? 300));
  if (arg !== undefined && !(SECTIONS as readonly string[]).includes(arg)) {
    throw new Error(`unknown bench section ${JSON.stringify(arg)}: one of ${SECTIONS.join(', ')}, soak`);
  }
  const run = (s: Section) => arg === undefined || arg === s;
  if (run('intake')) await intakeSection();
  if (run('bundle')) await bundleSection();
  if (run('cost')) await costSection();
  if (run('burst')) await burstSection();
  if (run('cli')) await cliSection(arg === 'cli');
  printBudgets();
}

/** The CLI's figures (bench/cli-bench.ts, issue 15): `npm run bench -- cli [args]` passes its arguments on. */
async function cliSection(asked: boolean): Promise<void> {
  console.log('\ncli (bench/cli-bench.ts)');
  await (await import('./cli-bench')).cliBench(asked ? process.argv.slice(3) : []);
}

async function intakeSection() {
  const config = loadConfigFile(join(__dirname, '../examples/bases.json'));
  const to = config.projects[0].addresses[0];
  const sets: { name: string; messages: Buffer[] }[] = [
    { name: '5 KB', messages: Array.from({ length: 200 }, (_, i) => messageOfSize(5 * 1024, i, to)) },
    { name: '60 KB', messages: Array.from({ length: 100 }, (_, i) => messageOfSize(60 * 1024, i, to)) },
    { name: '2 MB', messages: Array.from({ length: 10 }, (_, i) => messageOfSize(2 * 1024 * 1024, i, to)) },
    { name: '25 MB', messages: Array.from({ length: 2 }, (_, i) => messageOfSize(25 * 1024 * 1024, i, to)) },
  ];
  const index = join(CORPUS, 'INDEX.tsv');
  if (existsSync(index)) {
    const paths = readFileSync(index, 'utf8').split('\n').slice(1).filter(Boolean).map((l) => l.split('\t')[0]);
    sets.push({ name: `corpus (${paths.length})`, messages: paths.map((p) => readFileSync(join(CORPUS, p))) });
  }

  const largeRatios: number[] = [];
  console.log(
    'set            msgs   parse msg/s   intake msg/s   intake/parse   (wall msg/s: parse, intake)   ddb req/msg (reads + writes)   writes by command',
  );
  for (const set of sets) {
    // DynamoDB (dynalite) in a process of its own: on AWS its work is done elsewhere, not in the intake's CPU
    const bench = await benchDeps(config, { dynamoProcess: true });
    // stored before the clock starts, as SES stores a message (S3 action) before the intake Lambda runs
    const ids = set.messages.map(() => randomBytes(10).toString('hex'));
    for (const [i, m] of set.messages.entries()) await bench.deps.raw.put(`inbound/${ids[i]}`, m);
    const parse = await measured(async () => {
      for (const m of set.messages) await simpleParser(m).catch(() => undefined);
    });
    const intake = await measured(async () => {
      for (const id of ids) {
        await receiveMail(bench.deps, {
          sesMessageId: id,
          recipients: [to],
          verdicts: { spf: 'UNKNOWN', dkim: 'UNKNOWN', dmarc: 'UNKNOWN', spam: 'UNKNOWN', virus: 'UNKNOWN' },
          receivedAt: new Date().toISOString(),
          rawKey: `inbound/${id}`,
          mailFrom: 'bench@reporter.example',
        });
      }
    });
    const counts = bench.counter.byCommand();
    const total = bench.counter.total();
    const writes = Object.entries(counts).filter(([k]) => WRITES.has(k)).reduce((s, [, n]) => s + n, 0);
    const n = set.messages.length;
    await bench.close();
    // messages per CPU-second of this process: what a message costs the intake, whatever else the machine runs
    const parseRate = n / parse.cpuSecs;
    const intakeRate = n / intake.cpuSecs;
    if (set.name === '2 MB' || set.name === '25 MB') largeRatios.push(intakeRate / parseRate);
    console.log(
      [
        set.name.padEnd(14),
        String(n).padStart(4),
        parseRate.toFixed(1).padStart(13),
        intakeRate.toFixed(1).padStart(14),
        (intakeRate / parseRate).toFixed(3).padStart(14),
        `${(n / parse.wallSecs).toFixed(1)}, ${(n / intake.wallSecs).toFixed(1)}`.padStart(29),
        `${(total / n).toFixed(2)} (${((total - writes) / n).toFixed(2)} + ${(writes / n).toFixed(2)})`.padStart(30),
        '  ' + Object.entries(counts).filter(([k]) => WRITES.has(k)).map(([k, v]) => `${k.replace('Command', '')} ${(v / n).toFixed(2)}`).join(', '),
      ].join(' '),
    );
  }
  console.log(
    '(msg/s: messages per CPU-second of the bench process, user + system. Bare parse: simpleParser on the bytes in memory. Intake: receiveMail, one message after another, reading each raw message from the local file store where it was ' +
      'stored before the clock started (SES stores it before the Lambda runs), with dynalite in a child process (on AWS ' +
      "DynamoDB's own work is not the intake's) and the SDK's requests to it, both mails composed. CPU time, not wall " +
      'time: waiting for DynamoDB costs no CPU, and a deployment runs messages concurrently (one Lambda each), so the ' +
      'waits bound latency, not throughput; the wall rates, waits included, are in parentheses.)',
  );
  console.log(
    '(requests, not units: a TransactWriteItems is one request, counted as one write, and AWS bills each of its items two ' +
      "write units; `npm run bench -- cost` counts units. The sets' mail comes from 7 senders, so most of their reports get no " +
      'receipt (rate limit): the budget row below is one new report with its receipt and notice, from `npx tsx bench/request-trace.ts`)',
  );
  const trace = await traceNewReport(config);
  console.log(`one new 5 KB report, receipt and notice sent: ${trace.reads} reads + ${trace.writes} writes\n  ${trace.lines.join('\n  ')}`);
  record('requests', `${trace.reads} reads + ${trace.writes} writes`, trace.reads <= 2 && trace.writes <= 5);

  const worst = Math.min(...largeRatios);
  record('largeRatio', `${worst.toFixed(2)} (worst of 2 MB, 25 MB)`, worst >= 0.7);
  await ownCodeCpu(config, to);

  const dir = await mkdtemp(join(tmpdir(), 'secintake-rss-'));
  const big = join(dir, 'big.eml');
  await writeMessageFile(big, 40_000_000, to);
  // bundled like the Lambda (esbuild, one file), run in its own process against dynalite running here
  const bundle = join(dir, 'intake-rss.js');
  await build({ entryPoints: [join(__dirname, 'intake-rss.ts')], bundle: true, platform: 'node', target: 'node20', outfile: bundle, logLevel: 'error' });
  const dynamo = await startDynalite();
  const client = localDynamoClient(dynamo.endpoint);
  await ensureTable(client, 'reports');
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [bundle, big, dynamo.endpoint], { maxBuffer: 1 << 20 });
    process.stdout.write(stdout);
  } finally {
    client.destroy();
    await dynamo.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Wall and CPU (user + system, this process) seconds of `run`. */
async function measured(run: () => Promise<unknown>): Promise<{ wallSecs: number; cpuSecs: number }> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await run();
  const used = process.cpuUsage(cpu);
  return { wallSecs: Number(process.hrtime.bigint() - start) / 1e9, cpuSecs: (used.user + used.system) / 1e6 };
}

/** Raw messages held in memory: the CPU figure leaves the stores out (the file store's I/O was most of it). */
class MemoryRawStore implements RawMailStore {
  private readonly bodies = new Map<string, Buffer>();
  async put(key: string, body: Buffer | Readable) {
    this.bodies.set(key, Buffer.isBuffer(body) ? body : Buffer.concat(await body.toArray()));
  }
  async get(key: string) {
    const body = this.bodies.get(key);
    if (!body) throw new Error(`no raw message ${key}`);
    return Readable.from([body]);
  }
  async size(key: string) {
    return this.bodies.get(key)?.length ?? 0;
  }
  async *list(prefix: string) {
    for (const key of this.bodies.keys()) if (key.startsWith(prefix)) yield key;
  }
  async delete(key: string) {
    this.bodies.delete(key);
  }
}

/**
 * CPU time (user + system, this process) of receiveMail per 5 KB new report with in-memory stores (reports and
 * raw mail): parsing, classification, threading, planning and composing the two mails; no DynamoDB, no file I/O.
 * p99 of 300.
 */
async function ownCodeCpu(config: Awaited<ReturnType<typeof loadConfigFile>>, to: string): Promise<void> {
  const bench = await benchDeps(config);
  const deps = { ...bench.deps, store: new MemoryReportStore(), raw: new MemoryRawStore() };
  const samples: number[] = [];
  try {
    for (let i = 0; i < 330; i++) {
      const m = messageOfSize(5 * 1024, 10_000 + i, to);
      const id = randomBytes(10).toString('hex');
      await deps.raw.put(`inbound/${id}`, m);
      const before = process.cpuUsage();
      await receiveMail(deps, {
        sesMessageId: id,
        recipients: [to],
        verdicts: { spf: 'UNKNOWN', dkim: 'UNKNOWN', dmarc: 'UNKNOWN', spam: 'UNKNOWN', virus: 'UNKNOWN' },
        receivedAt: new Date().toISOString(),
        rawKey: `inbound/${id}`,
        mailFrom: 'bench@reporter.example',
      });
      const used = process.cpuUsage(before);
      if (i >= 30) samples.push((used.user + used.system) / 1000); // the first 30 warm the JIT
    }
  } finally {
    await bench.close();
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  console.log(`our own code per 5 KB new report (in-memory stores), CPU: p50 ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms`);
  record('ownCpu', `${at(0.99).toFixed(2)} ms (p50 ${at(0.5).toFixed(2)})`, at(0.99) <= 2);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
