/**
 * Issue 16's budget row "our own code per small message (parse + classify + plan, store excluded)", measured in a
 * process of its own that runs nothing else (no server, no other bench): intake-bench.ts bundles this file with
 * esbuild as the Lambda is bundled (minified, one file) and runs it with the Lambda's NODE_OPTIONS
 * (`--enable-source-maps`) and no other flag. Prints one JSON line (OwnCpuResult).
 *   node own-cpu.js [SAMPLES]
 *
 * A sample: one new 5 KB report (a sender of its own, so the receipt and the notice are both drafted and sent)
 * through `receiveMail`, with process.cpuUsage() (user + system of the whole process: the garbage collector's
 * and the compiler's threads count) around the call. Three runs take turns, sample by sample, so all see the
 * same machine, in an order that turns each round. A sample ends a few event-loop turns after the call resolved, so that what it left queued (streams
 * closing) counts in it and not in the next sample, which may be of another run:
 * - `budget` (the budget's figure): everything receiveMail does — parsing (mailparser and our adapter), routing,
 *   classification, threading, the report and its records, the receipt's and the notice's drafts (text,
 *   recipients, attachments), the outbox items — minus the CPU of the store calls: each call is noted (a push)
 *   and, after the sample, the same calls are replayed on a fresh in-memory store and timed as one block
 *   (bench/quiet-intake.ts `storeCost`); MIME composing and sending are left out (the composer returns a fixed
 *   buffer): edges, like the store. The parser's call is timed (two process.cpuUsage()) to split the figure.
 * - `store`: the CPU of those store calls, replayed (the in-memory test store, not the DynamoDB adapter).
 * - `parse`, `afterParse`: `budget` split in two, the parser's call (timed until its promise settles) and the rest.
 * - `withStore`: the same receiveMail with nothing noted or timed inside, the in-memory store's CPU included.
 * - `whole`: the whole receiveMail call, the in-memory store included, the two mails composed by nodemailer.
 * Warm-up first (the JIT); after it every sample counts. `gcShare`: the share of samples during which the
 * garbage collector paused the main thread (informational).
 */
import '../lambdas/local/polyfills';
import { PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';
import { receiveMail } from '../lambdas/app/receive-mail';
import { parseConfig } from '../lambdas/core/config-errors';
import bases from '../examples/bases.json';
import { newDeliveryId, quietIntake, smallReport, type QuietIntake } from './quiet-intake';

const WARMUP = 300;
/** Event-loop turns a sample waits after receiveMail resolved, inside the measurement. */
const DRAIN_TURNS = 3;

export interface Percentiles { p50: number; p90: number; p99: number; max: number; mean: number }
export interface OwnCpuResult {
  samples: number;
  budget: Percentiles;
  store: Percentiles;
  /** Of `budget`: the parser's call (mailparser and our adapter), and the rest. */
  parse: Percentiles;
  afterParse: Percentiles;
  withStore: Percentiles;
  whole: Percentiles;
  /** Share of the `budget` and the `whole` samples with a GC pause in them. */
  gcShare: { budget: number; whole: number };
  /** A diagnostic of the tail, never the figure: `budget` of the samples without a GC pause in them, and the
   *  share of all `budget` samples above 2 ms. */
  budgetWithoutGc: Percentiles;
  over2ms: number;
  /** The machine's own noise: a fixed loop of arithmetic (no allocation, no I/O; the same instructions every
   *  time) measured the same way between the samples. Its p99/p50 is what this machine adds to any p99. */
  fixedLoop: Percentiles;
  /** Samples whose outcome was not a new report, or that sent other than two mails (receipt, notice): 0. */
  notReports: number;
}

interface Sample { cpu: number; store: number; parse: number; start: number; end: number }

async function main() {
  const samples = Number(process.argv[2] ?? 2000);
  const config = parseConfig(bases);
  const to = config.projects[0]!.addresses[0]!;
  const runs = {
    budget: quietIntake(config, { compose: false, recordStore: true }),
    withStore: quietIntake(config, { compose: false }),
    whole: quietIntake(config, { compose: true }),
  };
  const gcs: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => gcs.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  let notReports = 0;
  let n = 0;
  const one = async (run: QuietIntake): Promise<Sample> => {
    const i = n++;
    run.resetStore(); // a fresh store per report: the Lambda keeps none, and the replay starts from an empty one
    const id = newDeliveryId();
    await run.deps.raw.put(`inbound/${id}`, smallReport(i, to));
    const sentBefore = run.sent();
    run.storeCost();
    run.parseMeter.take();
    const start = performance.now();
    const before = process.cpuUsage();
    const result = await receiveMail(run.deps, {
      sesMessageId: id,
      recipients: [to],
      verdicts: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'PASS', virus: 'PASS' },
      receivedAt: new Date().toISOString(),
      rawKey: `inbound/${id}`,
      mailFrom: `reporter-${i}@reporter.example`,
    });
    // what the call left queued (streams closing, their callbacks) runs now and counts in this sample, not the next
    for (let turn = 0; turn < DRAIN_TURNS; turn++) await new Promise((resolve) => setImmediate(resolve));
    const used = process.cpuUsage(before);
    const end = performance.now();
    const inStore = run.storeCost();
    const inParse = run.parseMeter.take();
    await run.deps.raw.delete(`inbound/${id}`);
    if (result.outcome !== 'report' || run.sent() - sentBefore !== 2) notReports++;
    return { cpu: (used.user + used.system) / 1000, store: inStore / 1000, parse: inParse / 1000, start, end };
  };
  const taken = { budget: [] as Sample[], withStore: [] as Sample[], whole: [] as Sample[] };
  const loop: number[] = [];
  for (let i = 0; i < WARMUP + samples; i++) {
    // the order turns each round: a sample right after another run's (nodemailer's) finds colder caches
    const kinds = (['budget', 'withStore', 'whole'] as const).map((_, k, all) => all[(k + i) % all.length]!);
    for (const kind of kinds) {
      const s = await one(runs[kind]);
      if (i >= WARMUP) taken[kind].push(s);
    }
    const before = process.cpuUsage();
    sink += fixedWork();
    const used = process.cpuUsage(before);
    if (i >= WARMUP) loop.push((used.user + used.system) / 1000);
  }
  await new Promise((resolve) => setImmediate(resolve));
  observer.disconnect();
  const hadGc = (s: Sample) => gcs.some((g) => g.startTime < s.end && g.startTime + g.duration > s.start);
  const gcShare = (list: Sample[]) => list.filter((s) => gcs.some((g) => g.startTime < s.end && g.startTime + g.duration > s.start)).length / list.length;
  const result: OwnCpuResult = {
    samples,
    budget: percentiles(taken.budget.map((s) => s.cpu - s.store)),
    store: percentiles(taken.budget.map((s) => s.store)),
    parse: percentiles(taken.budget.map((s) => s.parse)),
    afterParse: percentiles(taken.budget.map((s) => s.cpu - s.store - s.parse)),
    withStore: percentiles(taken.withStore.map((s) => s.cpu)),
    whole: percentiles(taken.whole.map((s) => s.cpu)),
    gcShare: { budget: gcShare(taken.budget), whole: gcShare(taken.whole) },
    budgetWithoutGc: percentiles(taken.budget.filter((s) => !hadGc(s)).map((s) => s.cpu - s.store)),
    fixedLoop: percentiles(loop),
    over2ms: taken.budget.filter((s) => s.cpu - s.store > 2).length / taken.budget.length,
    notReports,
  };
  console.log(JSON.stringify(result));
  if (sink === 0.5) console.error(sink); // keeps the loop's result alive
}

let sink = 0;
/** About half a millisecond of integer arithmetic on an idle core, the same every call. */
function fixedWork(): number {
  let x = 0x9e3779b9;
  for (let i = 0; i < 100_000; i++) x = (Math.imul(x ^ (x >>> 15), 0x85ebca6b) + i) | 0;
  return x;
}

function percentiles(values: number[]): Percentiles {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(s[s.length - 1]!), mean: round(s.reduce((a, b) => a + b, 0) / s.length) };
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
