/** The data folder remembers its config (issue 12, in part): commands without --config use the one `start` ran with. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rememberConfig, rememberedConfig } from '../../lambdas/local/cli/connect';
import { run } from '../../lambdas/local/cli/main';

const ROOT = join(__dirname, '../..');

test('commands use the remembered config; a different one for a folder with reports is refused', async () => {
  const data = await mkdtemp(join(tmpdir(), 'secintake-config-'));
  try {
    const crowdstrike = join(ROOT, 'examples/crowdstrike.json');
    await rememberConfig(data, crowdstrike);
    expect(rememberedConfig(data)).toBe(crowdstrike);
    let out = '';
    await run(['--data', data, 'doctor', '--port', '0'], { out: (t) => void (out += t), err: () => {} });
    expect(out).toMatch(/^ok +config .*crowdstrike\.json: falconpy/m);

    await mkdir(join(data, 'dynamo'), { recursive: true }); // doctor opened the store: the folder now holds its data
    await expect(rememberConfig(data, join(ROOT, 'examples/bases.json'))).rejects.toThrow(
      /holds reports made with .*crowdstrike\.json \(.*bases\.json has no project falconpy, fdr-connector, misp-tools\); run with --config .*crowdstrike\.json/,
    );
    expect(rememberedConfig(data)).toBe(crowdstrike);
  } finally {
    await rm(data, { recursive: true, force: true });
  }
});

test('another config file that keeps every project is taken (the walkthrough turns the digest on this way)', async () => {
  const data = await mkdtemp(join(tmpdir(), 'secintake-config-'));
  try {
    await rememberConfig(data, join(ROOT, 'examples/bases.json'));
    await mkdir(join(data, 'dynamo'), { recursive: true });
    await rememberConfig(data, join(ROOT, 'examples/bases-digest.json'));
    expect(rememberedConfig(data)).toBe(join(ROOT, 'examples/bases-digest.json'));
    // and back, as the same projects are there
    await rememberConfig(data, join(ROOT, 'examples/bases.json'));
    expect(rememberedConfig(data)).toBe(join(ROOT, 'examples/bases.json'));
    // a new config file that is not there is refused, and the remembered one stays
    await expect(rememberConfig(data, join(data, 'gone.json'))).rejects.toThrow(/gone\.json/);
    expect(rememberedConfig(data)).toBe(join(ROOT, 'examples/bases.json'));
  } finally {
    await rm(data, { recursive: true, force: true });
  }
});

test('a remembered config file that can no longer be read is not replaced by another', async () => {
  const data = await mkdtemp(join(tmpdir(), 'secintake-config-'));
  try {
    const copy = join(data, 'mine.json');
    await writeFile(copy, await readFile(join(ROOT, 'examples/bases.json')));
    await rememberConfig(data, copy);
    await mkdir(join(data, 'dynamo'), { recursive: true });
    await rm(copy);
    await expect(rememberConfig(data, join(ROOT, 'examples/bases.json'))).rejects.toThrow(/mine\.json cannot be read to compare\); run with --config/);
  } finally {
    await rm(data, { recursive: true, force: true });
  }
});
