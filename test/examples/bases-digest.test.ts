/** examples/bases-digest.json, the walkthrough's step 7, is examples/bases.json with the weekly digest on and nothing else. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile } from '../../lambdas/adapters/local/config-file';

const ROOT = join(__dirname, '../..');

test('bases-digest.json is bases.json plus a Monday 09:00 digest', () => {
  const bases = JSON.parse(readFileSync(join(ROOT, 'examples/bases.json'), 'utf8'));
  const digest = JSON.parse(readFileSync(join(ROOT, 'examples/bases-digest.json'), 'utf8'));
  expect(digest.projects[0].digest).toEqual({ day: 'mon', time: '09:00' });
  delete digest.projects[0].digest;
  expect(digest).toEqual(bases);
  expect(loadConfigFile(join(ROOT, 'examples/bases.json')).projects[0]!.digest).toBeUndefined();
  expect(loadConfigFile(join(ROOT, 'examples/bases-digest.json')).projects[0]!.digest).toEqual({ day: 'mon', time: '09:00' });
});
