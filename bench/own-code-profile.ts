/**
 * `npx tsx bench/own-code-profile.ts [DIR] [--compose] [--promoted] [--after-parse]`: where the CPU and the allocations of one small new report
 * go (the budget row "our own code per small message", bench/own-cpu.ts): 1,000 generated 5 KB reports through
 * receiveMail in the same quiet setting (bench/quiet-intake.ts: in-memory stores, no server in the process; MIME
 * composing left out unless --compose), under the V8 sampling profiler and then the sampling heap profiler,
 * summarized by package and function (self time; bytes allocated, or with --promoted only those that outlived a
 * scavenge). Writes own-code.cpuprofile and
 * own-code.heapprofile to DIR (default a temp folder).
 */
import '../lambdas/local/polyfills';
import { Session } from 'node:inspector/promises';
import { writeFile, mkdtemp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { receiveMail } from '../lambdas/app/receive-mail';
import { loadConfigFile } from '../lambdas/adapters/local/config-file';
import { newDeliveryId, quietIntake, smallReport } from './quiet-intake';

interface CallFrame { url: string; functionName: string }
interface ProfileNode { id: number; callFrame: CallFrame; hitCount?: number }
interface HeapNode { callFrame: CallFrame; selfSize: number; children: HeapNode[] }

const N = 1000;

async function main() {
  const args = process.argv.slice(2);
  const compose = args.includes('--compose');
  // --promoted: only what outlived a scavenge (promoted to the old generation, where its collection costs more)
  const promoted = args.includes('--promoted');
  const config = loadConfigFile(join(__dirname, '../examples/bases.json'));
  const to = config.projects[0]!.addresses[0]!;
  const quiet = quietIntake(config, { compose });
  // --after-parse: the parser answers with a copy of the message it parsed once, so only what follows parsing runs
  if (args.includes('--after-parse')) {
    const parser = quiet.deps.parser;
    const parsed = await parser.parse(smallReport(0, to), { limits: config.limits });
    // a new Message-ID and sender each time, as smallReport gives: a new report, never a copy of the last one
    quiet.deps.parser = {
      parse: async () => ({ ...structuredClone(parsed), messageId: `${n}-${parsed.messageId}`, from: { address: `reporter-${n}@reporter.example`, name: 'Bench Reporter' } }),
    };
  }
  let n = 0;
  const run = async (count: number) => {
    for (let i = 0; i < count; i++, n++) {
      if (n % 50 === 0) quiet.resetStore();
      const id = newDeliveryId();
      await quiet.deps.raw.put(`inbound/${id}`, smallReport(n, to));
      await receiveMail(quiet.deps, {
        sesMessageId: id, recipients: [to], receivedAt: new Date().toISOString(), rawKey: `inbound/${id}`, mailFrom: `reporter-${n}@reporter.example`,
        verdicts: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'PASS', virus: 'PASS' },
      });
      await quiet.deps.raw.delete(`inbound/${id}`);
    }
  };
  await run(300);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  // every 100 µs (the default, 1 ms, gives a few samples per report: too few to see a 50 µs function)
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const cpuBefore = process.cpuUsage();
  await run(N);
  const cpu = process.cpuUsage(cpuBefore);
  const { profile } = (await session.post('Profiler.stop')) as { profile: { nodes: ProfileNode[]; startTime: number; endTime: number } };
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !promoted } as object);
  await run(N);
  const { profile: heap } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: HeapNode } };
  const dir = args.find((a) => !a.startsWith('--')) ?? (await mkdtemp(join(tmpdir(), 'secintake-prof-')));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'own-code.cpuprofile'), JSON.stringify(profile));
  await writeFile(join(dir, 'own-code.heapprofile'), JSON.stringify(heap));

  const ms = (profile.endTime - profile.startTime) / 1000 / N;
  console.log(
    `profiled ${N} small new reports (${compose ? 'MIME composing included' : 'MIME composing left out'}): ${ms.toFixed(2)} ms wall, ` +
      `${((cpu.user + cpu.system) / 1000 / N).toFixed(2)} ms CPU each (profile in ${dir})`,
  );
  const hits = profile.nodes.map((p) => ({ frame: p.callFrame, weight: p.hitCount ?? 0 }));
  summarize('self time', hits, (w, total) => `${((100 * w) / total).toFixed(1).padStart(5)}%`);
  const allocations: { frame: CallFrame; weight: number }[] = [];
  const walk = (h: HeapNode) => {
    allocations.push({ frame: h.callFrame, weight: h.selfSize });
    h.children.forEach(walk);
  };
  walk(heap.head);
  summarize(promoted ? 'allocated and promoted' : 'allocated', allocations, (w) => `${(w / N / 1024).toFixed(0).padStart(5)} KB/report`);
}

function packageOf(frame: CallFrame): string {
  const url = frame.url;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.includes('/lambdas/')) return `lambdas/${url.split('/lambdas/')[1]!.split('/')[0]}`;
  if (url.includes('/test/fakes/')) return 'test/fakes (in-memory store)';
  if (url.includes('/bench/')) return 'bench';
  return url ? 'node internals' : `(${frame.functionName || 'program'})`;
}

function summarize(what: string, items: { frame: CallFrame; weight: number }[], show: (w: number, total: number) => string): void {
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const { frame, weight } of items) {
    total += weight;
    const key = packageOf(frame);
    byPackage.set(key, (byPackage.get(key) ?? 0) + weight);
    const fkey = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/.*node_modules\//, '').replace(/.*\/(lambdas|bench|test)\//, '$1/')}`;
    byFunction.set(fkey, (byFunction.get(fkey) ?? 0) + weight);
  }
  console.log(`${what} by package:`);
  for (const [k, v] of [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log(`  ${show(v, total)}  ${k}`);
  console.log(`${what}, top functions:`);
  for (const [k, v] of [...byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${show(v, total)}  ${k}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
