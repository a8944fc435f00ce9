/** `secintake keys create|import|export` and the security.txt Encryption field (issue 17), in-process. */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli';
import { engine, makeKey } from '../support/pgp-fixtures';
import { testTimeout } from '../support/timeouts';

const CONFIG = join(__dirname, '../../examples/bases.json');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secintake-keys-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('create keeps a Curve25519 key in the data folder (0600), prints only the public key; export gives it again', async () => {
  const made = await cli('--data', dir, '--config', CONFIG, 'keys', 'create', '--project', 'bases');
  expect(made.code).toBe(0);
  expect(made.out).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----');
  expect(made.out + made.err).not.toContain('PRIVATE KEY');
  const file = join(dir, 'keys', 'bases.asc');
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  expect(await readFile(file, 'utf8')).toContain('-----BEGIN PGP PRIVATE KEY BLOCK-----');
  const pub = await engine.readPublicKey(made.out);
  expect(pub!.userIds[0]).toContain('security@hashberg.io');
  expect(made.err).toContain(pub!.fingerprint);

  const again = await cli('--data', dir, '--config', CONFIG, 'keys', 'create', '--project', 'bases');
  expect(again.code).toBe(2);
  expect(again.err).toContain('already has a key');

  const exported = await cli('--data', dir, '--config', CONFIG, 'keys', 'export', '--project', 'bases', '--armor');
  expect(exported.code).toBe(0);
  expect((await engine.readPublicKey(exported.out))!.fingerprint).toBe(pub!.fingerprint);

  const txt = await cli('--data', dir, '--config', CONFIG, 'security-txt', '--project', 'bases');
  expect(txt.out).toContain(`Encryption: openpgp4fpr:${pub!.fingerprint.toLowerCase()}`);
}, testTimeout(30_000));

test('import takes an existing key; a public key or garbage is refused', async () => {
  const key = await makeKey('security@hashberg.io');
  await writeFile(join(dir, 'k.asc'), key.privateKey);
  await writeFile(join(dir, 'pub.asc'), key.publicKey);
  const bad = await cli('--data', dir, '--config', CONFIG, 'keys', 'import', '--project', 'bases', join(dir, 'pub.asc'));
  expect(bad.code).toBe(2);
  const r = await cli('--data', dir, '--config', CONFIG, 'keys', 'import', '--project', 'bases', join(dir, 'k.asc'));
  expect(r.code).toBe(0);
  expect(r.err).toContain(key.fingerprint);
  expect((await stat(join(dir, 'keys', 'bases.asc'))).mode & 0o777).toBe(0o600);
  const missing = await cli('--data', dir, '--config', CONFIG, 'keys', 'export', '--project', 'nope');
  expect(missing.code).toBe(2);
}, testTimeout(30_000));
