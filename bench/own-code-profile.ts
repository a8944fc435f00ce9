/**
 * `npx tsx bench/own-code-profile.ts`: where the CPU of one small new report goes (the budget row "our own code per
 * small message"): 300 generated 5 KB reports through receiveMail with an in-memory store, under the V8 sampling
 * profiler, summarized by package (self time). Writes the .cpuprofile to the folder given (default a temp folder).
 */
import '../lambdas/local/polyfills';
import { Session } from 'node:inspector/promises';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { receiveMail } from '../lambdas/app/receive-mail';
import { loadConfigFile } from '../lambdas/adapters/local/config-file';
import { MemoryReportStore } from '../test/fakes/memory-report-store';
import { benchDeps } from './bench-deps';
import { messageOfSize } from './generate-mail';

interface Node { id: number; callFrame: { url: string; functionName: string }; hitCount?: number }

async function main() {
  const config = loadConfigFile(join(__dirname, '../examples/bases.json'));
  const to = config.projects[0]!.addresses[0]!;
  const bench = await benchDeps(config);
  const deps = { ...bench.deps, store: new MemoryReportStore() };
  const run = async (n: number, offset: number) => {
    for (let i = 0; i < n; i++) {
      const id = randomBytes(10).toString('hex');
      await deps.raw.put(`inbound/${id}`, messageOfSize(5 * 1024, offset + i, to));
      await receiveMail(deps, {
        sesMessageId: id, recipients: [to], receivedAt: new Date().toISOString(), rawKey: `inbound/${id}`, mailFrom: 'bench@reporter.example',
        verdicts: { spf: 'UNKNOWN', dkim: 'UNKNOWN', dmarc: 'UNKNOWN', spam: 'UNKNOWN', virus: 'UNKNOWN' },
      });
    }
  };
  await run(30, 0);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  await run(300, 1000);
  const { profile } = (await session.post('Profiler.stop')) as { profile: { nodes: Node[]; startTime: number; endTime: number } };
  await bench.close();
  const dir = process.argv[2] ?? (await mkdtemp(join(tmpdir(), 'secintake-prof-')));
  await writeFile(join(dir, 'own-code.cpuprofile'), JSON.stringify(profile));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    total += hits;
    const url = n.callFrame.url;
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    const key = m ? m[1]! : url.includes('/lambdas/') ? `lambdas/${url.split('/lambdas/')[1]!.split('/')[0]}` : url ? 'node internals' : `(${n.callFrame.functionName || 'program'})`;
    byPackage.set(key, (byPackage.get(key) ?? 0) + hits);
    const fkey = `${n.callFrame.functionName || '(anonymous)'} ${url.replace(/.*node_modules\//, '').replace(/.*\/lambdas\//, 'lambdas/')}`;
    byFunction.set(fkey, (byFunction.get(fkey) ?? 0) + hits);
  }
  const ms = (profile.endTime - profile.startTime) / 1000 / 300;
  console.log(`profiled 300 small new reports: ${ms.toFixed(2)} ms wall each (profile in ${dir})`);
  console.log('self time by package:');
  for (const [k, v] of [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log(`  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  console.log('top functions (self):');
  for (const [k, v] of [...byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
