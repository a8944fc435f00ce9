/** `secintake policy import`, `policy check` and `security-txt` in-process, as the bin runs them. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile } from '../../lambdas/adapters/local/config-file';
import { projectSchema } from '../../lambdas/core/config';
import { validateSecurityTxt } from '../../lambdas/core/security-txt';
import { cli } from '../support/cli';
import { securityTxtHealth } from '../../lambdas/local/cli/policy';

const ROOT = join(__dirname, '../..');
const SEEDS = join(ROOT, '../shared/seed-policies');
const EXAMPLES = join(ROOT, 'examples');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secintake-policy-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('policy import', () => {
  it('--json follows the contract: project fragment, evidence by config path, noPromise, unsure', async () => {
    const r = await cli('policy', 'import', '--project', 'bases', '--json', join(SEEDS, 'bases-SECURITY.md'));
    expect(r.code).toBe(0);
    const p = JSON.parse(r.out);
    expect(Object.keys(p)).toEqual(['project', 'evidence', 'context', 'noPromise', 'unsure', 'ignored']);
    expect(p.project).toMatchObject({ id: 'bases', addresses: ['security@hashberg.io'], timers: { acknowledge: { soft: '24h' }, respond: '48h' } });
    expect(p.evidence['timers.acknowledge.soft']).toMatch(/^We will come back to you within 24 hours/);
    expect(p.noPromise).toContain('timers.embargo.max');
    // the fragment, completed with the example's own people and calendar, is a valid project
    const example = loadConfigFile(join(EXAMPLES, 'bases.json')).projects[0];
    const merged = { ...example, ...p.project, timers: { ...p.project.timers, embargo: example.timers.embargo } };
    expect(projectSchema.safeParse(merged).success).toBe(true);
  });

  it('prints each value with its sentence for a person, and what is not promised', async () => {
    const r = await cli('policy', 'import', join(SEEDS, 'falconpy-SECURITY.md'));
    expect(r.code).toBe(0);
    // "this message" is the one the enclosing item names: shown, so the value is checked in one look
    expect(r.out).toContain(
      '  timers.acknowledge.soft: 48bh\n      (under "Communicate with you to confirm we have received the report and provide you with a status update.")\n      "You should receive this message within 48 - 72 business hours."\n',
    );
    expect(r.out).toMatch(/No promise in the file \(7; .*\n  timers\.respond, /);
  });

  it('prints text from the file without terminal escape sequences', async () => {
    const file = join(dir, 'hostile.md');
    await writeFile(file, 'We will acknowledge reports within 24 hours.\u001b]52;c;cHduZWQ=\u0007\u001b[2J\n\nPlease \u001b[31mdo not ask more than once every 14 days.\u202e\n');
    const r = await cli('policy', 'import', file);
    expect(r.code).toBe(0);
    expect(r.out).toContain('timers.acknowledge.soft: 24h');
    expect(r.out).not.toMatch(/[\u001b\u0007\u202e]/);
    const j = await cli('policy', 'import', '--json', file);
    expect(j.out).not.toMatch(/[\u001b\u0007\u202e]/);
  });

  it('refuses a --project that is not a project id (exit 2)', async () => {
    const r = await cli('policy', 'import', '--project', 'Bad ID', join(SEEDS, 'bases-SECURITY.md'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is not a project id/);
  });

  it('a missing file is one line, exit 1', async () => {
    const r = await cli('policy', 'import', join(dir, 'nope.md'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^secintake: cannot read .*nope\.md: no such file\n$/);
  });
});

describe('policy check', () => {
  it('exit 0 when the file and the config agree', async () => {
    const r = await cli('policy', 'check', '--config', join(EXAMPLES, 'bases.json'), join(SEEDS, 'bases-SECURITY.md'));
    expect(r.out).toMatch(/^ok: .* and project bases agree\n$/);
    expect(r.code).toBe(0);
  });

  it('exit 1 with the drift when they do not; --project picks one of several projects', async () => {
    const file = join(dir, 'SECURITY.md');
    await writeFile(file, (await readFile(join(SEEDS, 'falconpy-SECURITY.md'), 'utf8')).replace('48 - 72 business hours', '24 hours'));
    const r = await cli('--config', join(EXAMPLES, 'crowdstrike.json'), 'policy', 'check', '--project', 'falconpy', file);
    expect(r.code).toBe(1);
    expect(r.out).toContain('DRIFT  timers.acknowledge.soft: SECURITY.md says 24h, the config says 48bh\n       "You should receive this message within 24 hours."\n');
    expect(r.out).toContain('DRIFT  timers.acknowledge.hard: the config enforces 72bh, but SECURITY.md no longer promises it');
    const unknown = await cli('--config', join(EXAMPLES, 'crowdstrike.json'), 'policy', 'check', '--project', 'nope', file);
    expect(unknown.code).toBe(2);
  });

  it('finds the project by the address the file names when --project is not given', async () => {
    const r = await cli('--config', join(EXAMPLES, 'crowdstrike.json'), 'policy', 'check', join(SEEDS, 'misp-tools-SECURITY.md'));
    expect(r.out).toContain('project misp-tools agree');
    expect(r.code).toBe(0);
  });
});

describe('security-txt', () => {
  it('writes a valid RFC 9116 file for a project', async () => {
    const out = join(dir, 'security.txt');
    const r = await cli('--config', join(EXAMPLES, 'crowdstrike.json'), 'security-txt', '--project', 'misp-tools', '-o', out);
    expect(r.code).toBe(0);
    const text = await readFile(out, 'utf8');
    expect(text).toContain('Contact: mailto:oss-security@crowdstrike.com\n');
    expect(validateSecurityTxt(text, new Date())).toEqual([]);
    expect((await cli('--config', join(EXAMPLES, 'bases.json'), 'security-txt', '--project', 'nope')).code).toBe(2);
  });

  it('signs it (OpenPGP cleartext) with a key file; the signature verifies and the signed text still validates', async () => {
    const openpgp = await import('openpgp');
    const { privateKey, publicKey } = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ email: 'security@hashberg.io' }], passphrase: 'correct horse', format: 'armored' });
    const keyFile = join(dir, 'key.asc');
    await writeFile(keyFile, privateKey, { mode: 0o600 });
    const out = join(dir, 'signed-security.txt');
    const before = process.env.SECINTAKE_KEY_PASSPHRASE;
    try {
      delete process.env.SECINTAKE_KEY_PASSPHRASE;
      const locked = await cli('--config', join(EXAMPLES, 'bases.json'), 'security-txt', '--project', 'bases', '--sign-key', keyFile);
      expect(locked.code).toBe(2);
      expect(locked.err).toContain('give its passphrase in SECINTAKE_KEY_PASSPHRASE');
      process.env.SECINTAKE_KEY_PASSPHRASE = 'correct horse';
      expect((await cli('--config', join(EXAMPLES, 'bases.json'), 'security-txt', '--project', 'bases', '--sign-key', keyFile, '-o', out)).code).toBe(0);
    } finally {
      if (before === undefined) delete process.env.SECINTAKE_KEY_PASSPHRASE;
      else process.env.SECINTAKE_KEY_PASSPHRASE = before;
    }
    const signed = await readFile(out, 'utf8');
    // OpenPGP.js writes the armour with CRLF line ends; RFC 9116 allows CRLF as well as LF
    expect(signed).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----\r?\nHash: SHA\d+\r?\n\r?\n(#[^\n]*\n)*Contact: mailto:security@hashberg\.io\r?\n/);
    const verified = await openpgp.verify({ message: await openpgp.readCleartextMessage({ cleartextMessage: signed }), verificationKeys: await openpgp.readKey({ armoredKey: publicKey }) });
    await expect(verified.signatures[0]!.verified).resolves.toBe(true);
    expect(validateSecurityTxt(signed, new Date())).toEqual([]);
    // a tampered file no longer verifies, and a broken signature block is reported by the validator
    const tampered = signed.replace('mailto:security@hashberg.io', 'mailto:security@evil.example');
    const check = await openpgp.verify({ message: await openpgp.readCleartextMessage({ cleartextMessage: tampered }), verificationKeys: await openpgp.readKey({ armoredKey: publicKey }) });
    await expect(check.signatures[0]!.verified).rejects.toThrow();
    expect(validateSecurityTxt(signed.replace(/-----END PGP SIGNATURE-----\r?\n?$/, ''), new Date())).toEqual(['not a well-formed OpenPGP cleartext signature (RFC 4880 section 7)']);
  });

  it('doctor warns 30 days before the written file expires', async () => {
    const config = loadConfigFile(join(EXAMPLES, 'template.json'));
    config.projects[0] = projectSchema.parse({ ...config.projects[0], securityTxt: { file: 'security.txt' } });
    const configFile = join(dir, 'config.json');
    await writeFile(join(dir, 'security.txt'), 'Contact: mailto:security@yourdomain.com\nExpires: 2027-01-20T00:00:00Z\n');
    expect(await securityTxtHealth(config, configFile, new Date('2026-12-01T00:00:00Z'))).toEqual({ ok: [expect.stringContaining('valid until 2027-01-20')], problems: [] });
    expect((await securityTxtHealth(config, configFile, new Date('2026-12-25T00:00:00Z'))).problems).toEqual([expect.stringMatching(/expires in 26 day\(s\)/)]);
    expect((await securityTxtHealth(config, configFile, new Date('2027-02-01T00:00:00Z'))).problems).toEqual([expect.stringMatching(/expired on/)]);
  });
});
