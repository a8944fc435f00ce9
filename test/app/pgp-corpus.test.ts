/**
 * Issue 17 acceptance: every PGP and S/MIME message of ../shared/corpus (INDEX.tsv: tags or category naming
 * pgp, smime or autocrypt) gets an outcome through the intake with a project key in place, and none crashes.
 * They are encrypted to other people's keys: the encrypted ones open reports marked "could not decrypt".
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileProjectKeys } from '../../lambdas/adapters/local/file-project-keys';
import { loadExample, startHarness, type Harness } from '../support/intake-harness';
import { engine, makeKey } from '../support/pgp-fixtures';
import { testTimeout } from '../support/timeouts';

const CORPUS = join(__dirname, '../../../shared/corpus');
const rows = existsSync(join(CORPUS, 'INDEX.tsv'))
  ? readFileSync(join(CORPUS, 'INDEX.tsv'), 'utf8').split('\n').slice(1).filter(Boolean).map((l) => l.split('\t'))
  : [];
const selected = rows.filter((r) => /pgp|smime|autocrypt/i.test(`${r[2]} ${r[3]}`)).map((r) => r[0]!);
const config = loadExample('bases');

let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await startHarness(config);
  dir = await mkdtemp(join(tmpdir(), 'secintake-keys-'));
  const keys = new FileProjectKeys(dir);
  await keys.put(config.projects[0]!.id, (await makeKey(config.projects[0]!.addresses[0]!)).privateKey);
  h.deps.pgp = engine;
  h.deps.projectKeys = keys;
}, testTimeout(60_000));
afterAll(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

test('the corpus has PGP and S/MIME messages', () => {
  if (!rows.length) return; // the shared corpus is not part of this repository
  expect(selected.length).toBeGreaterThanOrEqual(20);
});

test('each PGP / S/MIME corpus message gets an outcome', async () => {
  const outcomes: Record<string, number> = {};
  let encryptedMarked = 0;
  for (const file of selected) {
    const r = await h.deliver(await readFile(join(CORPUS, file)), { recipients: [config.projects[0]!.addresses[0]!] });
    expect(['report', 'followup', 'maintainer', 'quarantined', 'ignored']).toContain(r.outcome);
    outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    if (r.checks.some((c) => c.name === 'encryption' && c.result === 'fail')) encryptedMarked++;
  }
  expect(encryptedMarked).toBeGreaterThan(0);
  console.log(`${selected.length} PGP/S/MIME corpus messages: ${JSON.stringify(outcomes)}, ${encryptedMarked} marked "could not decrypt"`);
}, testTimeout(180_000));
