/**
 * `npm run bench -- cli [RUNS]`: how fast the secintake CLI answers. Prints the median wall time (of RUNS runs,
 * default 15) of `--help`, `--version`, `reports`, `show`, `outbox` and `clock now`, each as a new process the
 * way a user runs it (`node bin/secintake.js ...`), against a bare `node -e 0`, on an empty data folder and on
 * one holding 1,000 reports (made once by `secintake import`, kept in the temp folder for the next run).
 * Numbers, not pass/fail (issue 15 asks for at most 0.5 s and at most 3x `node -e 0`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { messageOfSize } from './generate-mail';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'bin', 'secintake.js');
const REPORTS = 1000;

function wall(args: string[]): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.toString().slice(0, 500)}`);
  return ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A data folder with 1,000 reports, through the real intake (`secintake import`); reused when present. */
function thousandReports(): { data: string; id: string } {
  const data = join(tmpdir(), `secintake-bench-cli-${REPORTS}`);
  const done = join(data, 'bench-complete');
  if (!existsSync(done)) {
    rmSync(data, { recursive: true, force: true });
    const mail = join(data, 'mail');
    mkdirSync(mail, { recursive: true });
    for (let i = 0; i < REPORTS; i++) writeFileSync(join(mail, `${String(i).padStart(4, '0')}.eml`), messageOfSize(5 * 1024, i, 'security@hashberg.io'));
    process.stderr.write(`importing ${REPORTS} reports into ${data} (once; about a minute)...\n`);
    const r = spawnSync(process.execPath, [BIN, '--data', join(data, 'd'), 'import', mail], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`import failed (${r.status})`);
    writeFileSync(done, new Date().toISOString());
  }
  const list = spawnSync(process.execPath, [BIN, '--data', join(data, 'd'), 'reports', '--json'], { cwd: ROOT });
  const reports = JSON.parse(list.stdout.toString()) as { id: string }[];
  return { data: join(data, 'd'), id: reports[Math.floor(reports.length / 2)].id };
}

export async function cliBench(args: string[]): Promise<void> {
  const runs = Number(args[0] ?? 15);
  const empty = join(tmpdir(), `secintake-bench-cli-empty-${process.pid}`);
  rmSync(empty, { recursive: true, force: true });
  mkdirSync(empty);
  const full = thousandReports();
  // the CLI compiles itself if a source changed: do that before measuring
  wall([BIN, '--version']);

  const cases: { name: string; args: (data: string, id: string) => string[] }[] = [
    { name: 'node -e 0', args: () => ['-e', '0'] },
    { name: '--help', args: () => [BIN, '--help'] },
    { name: '--version', args: () => [BIN, '--version'] },
    { name: 'reports', args: (d) => [BIN, '--data', d, 'reports'] },
    { name: 'show ID', args: (d, id) => [BIN, '--data', d, 'show', id] },
    { name: 'outbox', args: (d) => [BIN, '--data', d, 'outbox'] },
    { name: 'clock now', args: (d) => [BIN, '--data', d, 'clock', 'now'] },
  ];
  const folders = [
    { name: 'empty folder', data: empty, id: 'AAAA-AAAA' },
    { name: `${REPORTS} reports`, data: full.data, id: full.id },
  ];
  process.stdout.write(`CLI wall time, median of ${runs} runs (node ${process.version}, ${new Date().toISOString()})\n\n`);
  process.stdout.write(`${'command'.padEnd(12)}${folders.map((f) => f.name.padStart(24)).join('')}\n`);
  const base: number[] = [];
  for (const c of cases) {
    const cells: string[] = [];
    folders.forEach((f, i) => {
      // `show` of an unknown ID on the empty folder is an error by design: measure it on the full one only
      if (c.name === 'show ID' && i === 0) return void cells.push('-'.padStart(24));
      const times: number[] = [];
      for (let r = 0; r < runs; r++) {
        times.push(wall(c.args(f.data, f.id)));
      }
      const m = median(times);
      if (c.name === 'node -e 0') base[i] = m;
      const ratio = c.name === 'node -e 0' ? '' : ` (${(m / base[i]).toFixed(1)}x)`;
      cells.push(`${m.toFixed(0)} ms${ratio}`.padStart(24));
    });
    process.stdout.write(`${c.name.padEnd(12)}${cells.join('')}\n`);
  }
  process.stdout.write(`\n(x: times a bare \`node -e 0\` on the same machine; the 1,000-report folder is ${full.data})\n`);
  rmSync(empty, { recursive: true, force: true });
}
