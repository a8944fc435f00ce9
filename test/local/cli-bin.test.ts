/**
 * The CLI as users run it: `node bin/secintake.js`, which runs the JavaScript compiled at install time (and
 * compiles it again first when a source changed). Read-only commands start no stand-in: an empty data folder
 * stays empty.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

function secintake(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/secintake.js'), ...args], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('bin/secintake.js', () => {
  let data: string;
  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), 'secintake-bin-'));
  });
  afterAll(() => rm(data, { recursive: true, force: true }));

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    const r = await secintake('--version');
    expect(r).toMatchObject({ code: 0, out: `${version}\n` });
  });

  it('reading an empty data folder answers without starting anything in it', async () => {
    for (const args of [['reports'], ['outbox'], ['clock', 'now']]) {
      const r = await secintake('--data', data, ...args);
      expect(r.code).toBe(0);
    }
    expect((await secintake('--data', data, 'reports')).out).toContain('No reports yet');
    // no dynalite (dynamo/), no clock, no key: at most the validated config, remembered for the next command
    expect((await readdir(data)).filter((f) => f !== 'config-cache.json')).toEqual([]);
  });

  it('an unknown command is answered with the closest one', async () => {
    const r = await secintake('--data', data, 'reprots');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown command 'reprots'");
    expect(r.err).toContain('Did you mean reports?');
  });
});
