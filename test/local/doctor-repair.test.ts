/**
 * A message stored and then cut off before intake recorded anything (kill -9 between the raw write and the
 * first record) is never forgotten: `doctor` lists it, `doctor --repair` finishes it, and nothing is answered
 * twice.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../lambdas/local/cli/main';
import { startLocalStack } from '../../lambdas/local/stack';
import { testTimeout } from '../support/timeouts';

const ROOT = join(__dirname, '../..');
const config = join(ROOT, 'examples/bases.json');

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await run(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

test('doctor lists a raw message that intake never finished, and --repair finishes it once', async () => {
  const data = await mkdtemp(join(tmpdir(), 'secintake-repair-'));
  try {
    // the state a kill -9 leaves: the raw stored, nothing recorded
    const stack = await startLocalStack({ config, data, listen: false, resume: false });
    await stack.deps.raw.put('inbound/cutoff-1', await readFile(join(ROOT, 'examples/mail/report.eml')));
    await stack.close();

    const doctor = await cli('--data', data, '--config', config, 'doctor', '--port', '0');
    expect(doctor.code).toBe(1);
    expect(doctor.out).toMatch(/^PROBLEM +intake did not finish for cutoff-1 \(intake never finished: cut off before it recorded anything\)/m);

    const repair = await cli('--data', data, '--config', config, 'doctor', '--port', '0', '--repair');
    expect(repair.out).toMatch(/^repaired cutoff-1: report [0-9A-Z]{4}-[0-9A-Z]{4}/m);
    expect(repair.code).toBe(0);
    const outbox = await cli('--data', data, '--config', config, 'outbox', '--json');
    expect(JSON.parse(outbox.out).map((e: { kind: string }) => e.kind).sort()).toEqual(['notice', 'receipt']);

    // repaired means finished: the next doctor is clean, and a second repair sends nothing
    const again = await cli('--data', data, '--config', config, 'doctor', '--port', '0', '--repair');
    expect(again.out).toMatch(/^ok +no inbound message is waiting for a replay/m);
    expect(JSON.parse((await cli('--data', data, '--config', config, 'outbox', '--json')).out)).toHaveLength(2);
  } finally {
    await rm(data, { recursive: true, force: true });
  }
}, testTimeout(240_000));
