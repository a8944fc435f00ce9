/**
 * `secintake clock set` to the very instant of a weekly digest (a project with `digest`): the digest is sent and
 * the clock lands there. The CLI's clock runs on in real time while the digest is composed, so the move to the
 * target used to be refused as a move backwards ("the local clock only moves forward") after the digest had
 * gone out. Run in-process, as the CLI runs.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli';
import { testTimeout } from '../support/timeouts';

const ROOT = join(__dirname, '../..');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secintake-clock-digest-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

test('clock set to a digest instant sends that digest and lands on the instant', async () => {
  const config = JSON.parse(readFileSync(join(ROOT, 'examples/bases.json'), 'utf8'));
  config.projects[0].digest = { day: 'mon', time: '09:00' };
  const file = join(dir, 'config.json');
  await writeFile(file, JSON.stringify(config));
  const d = ['--config', file, '--data', join(dir, 'data')];
  // Monday 2027-01-04 09:00 in Europe/London (GMT in winter)
  const set = await cli(...d, 'clock', 'set', '2027-01-04T09:00:00Z');
  expect(set.err).toBe('');
  expect(set.code).toBe(0);
  const outbox = (await cli(...d, 'outbox', '--json')).out;
  const items = JSON.parse(outbox) as { kind: string }[];
  expect(items.length).toBeGreaterThan(0);
  expect(items.every((i) => i.kind === 'weekly-digest')).toBe(true);
  const files = await readdir(join(dir, 'data', 'outbox'));
  const last = files.sort().at(-1)!;
  expect(readFileSync(join(dir, 'data', 'outbox', last), 'utf8')).toMatch(/^Date: Mon, 04 Jan 2027 09:00:\d\d /m);
  // and it moves on from there
  expect((await cli(...d, 'clock', 'advance', '1h')).code).toBe(0);
}, testTimeout(60_000));
