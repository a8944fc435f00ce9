/**
 * `npx tsx bench/large-intake-profile.ts [BYTES] [COUNT]`: where the CPU of a large new report goes (the budget row
 * ">= 2 MB messages, intake / bare parse"). COUNT generated messages of BYTES (default 20 of 2 MB: a short text and
 * one base64 attachment, as the intake bench's) through receiveMail as the bench runs them (raw stored first,
 * dynalite in a child process), under the V8 sampling profiler; then the same messages through bare simpleParser.
 * Prints ms per message of both, self time by package and the top functions, each with its callers. Writes the
 * .cpuprofile to the folder given as third argument (default a temp folder).
 */
import '../lambdas/local/polyfills';
import { Session } from 'node:inspector/promises';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { receiveMail } from '../lambdas/app/receive-mail';
import { loadConfigFile } from '../lambdas/adapters/local/config-file';
import { benchDeps } from './bench-deps';
import { messageOfSize } from './generate-mail';

interface Node { id: number; callFrame: { url: string; functionName: string; lineNumber: number }; hitCount?: number; children?: number[] }

async function main() {
  const size = Number(process.argv[2] ?? 2 * 1024 * 1024);
  const count = Number(process.argv[3] ?? 20);
  const config = loadConfigFile(join(__dirname, '../examples/bases.json'));
  const to = config.projects[0]!.addresses[0]!;
  const bench = await benchDeps(config, { dynamoProcess: true });
  const messages = Array.from({ length: count + 3 }, (_, i) => messageOfSize(size, i, to));
  const ids = messages.map(() => randomBytes(10).toString('hex'));
  for (const [i, m] of messages.entries()) await bench.deps.raw.put(`inbound/${ids[i]}`, m);
  const intake = async (from: number, to_: number) => {
    for (const id of ids.slice(from, to_)) {
      await receiveMail(bench.deps, {
        sesMessageId: id, recipients: [to], receivedAt: new Date().toISOString(), rawKey: `inbound/${id}`, mailFrom: 'bench@reporter.example',
        verdicts: { spf: 'UNKNOWN', dkim: 'UNKNOWN', dmarc: 'UNKNOWN', spam: 'UNKNOWN', virus: 'UNKNOWN' },
      });
    }
  };
  await intake(0, 3); // warm-up
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await intake(3, messages.length);
  const wall = Number(process.hrtime.bigint() - start) / 1e6 / count;
  const used = process.cpuUsage(cpu);
  const { profile } = (await session.post('Profiler.stop')) as { profile: { nodes: Node[] } };
  await bench.close();
  const parseCpu = process.cpuUsage();
  for (const m of messages.slice(3)) await simpleParser(m);
  const parseUsed = process.cpuUsage(parseCpu);
  const dir = process.argv[4] ?? (await mkdtemp(join(tmpdir(), 'secintake-prof-')));
  await writeFile(join(dir, 'large-intake.cpuprofile'), JSON.stringify(profile));
  const ms = (u: NodeJS.CpuUsage) => ((u.user + u.system) / 1000 / count).toFixed(1);
  console.log(`${count} messages of ${size} bytes: intake ${ms(used)} ms CPU (${wall.toFixed(1)} ms wall) each, bare simpleParser ${ms(parseUsed)} ms CPU each (profile in ${dir})`);

  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const where = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/.*node_modules\//, '').replace(/.*\/(lambdas|bench)\//, '$1/')}`;
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, { hits: number; callers: Map<string, number> }>();
  let total = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    total += hits;
    const url = n.callFrame.url;
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    const key = m ? m[1]! : url.includes('/lambdas/') ? `lambdas/${url.split('/lambdas/')[1]!.split('/')[0]}` : url ? 'node internals' : `(${n.callFrame.functionName || 'program'})`;
    byPackage.set(key, (byPackage.get(key) ?? 0) + hits);
    const f = byFunction.get(where(n)) ?? { hits: 0, callers: new Map<string, number>() };
    f.hits += hits;
    // the nearest caller outside node's own stream and buffer plumbing says whose work it is
    let p = parent.get(n.id);
    while (p !== undefined && byId.get(p)!.callFrame.url.startsWith('node:')) p = parent.get(p);
    const caller = p === undefined ? '(root)' : where(byId.get(p)!);
    f.callers.set(caller, (f.callers.get(caller) ?? 0) + hits);
    byFunction.set(where(n), f);
  }
  const pct = (v: number) => `${((100 * v) / total).toFixed(1).padStart(5)}%`;
  console.log('self time by package:');
  for (const [k, v] of [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, 16)) console.log(`  ${pct(v)}  ${k}`);
  console.log('top functions (self), with their nearest caller outside node internals:');
  for (const [k, v] of [...byFunction.entries()].sort((a, b) => b[1].hits - a[1].hits).slice(0, 16)) {
    const [caller] = [...v.callers.entries()].sort((a, b) => b[1] - a[1]);
    console.log(`  ${pct(v.hits)}  ${k}${caller && caller[0] !== '(root)' ? `  <- ${caller[0]}` : ''}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
