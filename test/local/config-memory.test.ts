/** The data folder remembers its config (issue 12, in part): commands without --config use the one `start` ran with. */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
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
    await expect(rememberConfig(data, join(ROOT, 'examples/bases.json'))).rejects.toThrow(/holds reports made with .*crowdstrike\.json; run with --config/);
  } finally {
    await rm(data, { recursive: true, force: true });
  }
});
