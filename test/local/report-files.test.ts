/**
 * secintake raw / attachments / export on a report written by the real intake (`secintake import`): the
 * archive holds every stored message byte for byte, attachments are saved under names no mail can steer.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli';
import { safeFileName } from '../../lambdas/local/cli/safe-file-name';
import { FsRawStore } from '../../lambdas/adapters/local/fs-raw-store';

const ROOT = join(__dirname, '../..');

/** A reporter's follow-up with attachments whose names try to escape the folder or hide. */
function followUp(id: string): Buffer {
  const part = (name: string, body: string) =>
    [
      '--b',
      'Content-Type: application/octet-stream',
      `Content-Disposition: attachment; filename="${name}"`,
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(body).toString('base64'),
    ].join('\r\n');
  return Buffer.from(
    [
      'From: Jane Reporter <jane@reporter.example>',
      'To: security@hashberg.io',
      `Subject: Re: [security report #${id}] Quadratic-time decoding`,
      'Date: Sat, 14 Nov 2026 10:00:00 +0000',
      'Message-ID: <follow-up-1@mail.reporter.example>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'The proof of concept, as promised.',
      part('../../../../tmp/evil.sh', 'echo pwned'),
      part('poc.py', 'print(1)'),
      part('poc.py', 'print(2)'),
      part('CON', 'device'),
      part('.bashrc', 'alias ls=rm'),
      part('C:\\\\Users\\\\x\\\\c.txt', 'backslashes'), // in a quoted-string a doubled backslash is one
      '--b--',
      '',
    ].join('\r\n'),
  );
}

describe('secintake raw, attachments, export', () => {
  let data: string;
  let work: string;
  let id: string;
  let d: string[];

  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), 'secintake-case-'));
    work = await mkdtemp(join(tmpdir(), 'secintake-case-out-'));
    d = ['--data', data];
    const first = await cli(...d, 'import', '--json', join(ROOT, 'examples/mail/report.eml'));
    id = JSON.parse(first.out.split('\n')[0]).reportId;
    await writeFile(join(work, 'follow-up.eml'), followUp(id));
    const second = await cli(...d, 'import', '--json', join(work, 'follow-up.eml'));
    expect(JSON.parse(second.out.split('\n')[0])).toMatchObject({ reportId: id });
  });
  afterAll(async () => {
    await rm(data, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  it('raw writes the Nth stored message exactly as received', async () => {
    const out = join(work, 'first.eml');
    expect((await cli(...d, 'raw', id, '-o', out)).code).toBe(0);
    expect(await readFile(out)).toEqual(await readFile(join(ROOT, 'examples/mail/report.eml')));
    expect((await cli(...d, 'raw', id, '2', '-o', join(work, 'second.eml'))).code).toBe(0);
    expect(await readFile(join(work, 'second.eml'))).toEqual(followUp(id));

    const missing = await cli(...d, 'raw', id, '3', '-o', join(work, 'x.eml'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('has 2 stored message(s)');
    // without -o, never onto a terminal (nor into a test's string buffer)
    expect((await cli(...d, 'raw', id)).err).toContain('-o FILE');
  });

  it('export round-trips: every .eml in the archive is byte-identical to the stored message', async () => {
    const archive = join(work, `${id}.tar.gz`);
    const exported = await cli(...d, 'export', id, '-o', archive);
    expect(exported.code).toBe(0);
    expect(exported.out).toContain('2 message(s) as received');
    const into = join(work, 'extracted');
    execFileSync('mkdir', ['-p', into]);
    execFileSync('tar', ['-xzf', archive, '-C', into]); // the system's tar reads it
    const folder = join(into, id);
    expect((await readdir(folder)).sort()).toEqual(['README.txt', 'audit.json', 'manifest.json', 'messages', 'report.json']);

    const view = JSON.parse((await cli(...d, 'show', id, '--json')).out);
    const raw = new FsRawStore(join(data, 'raw'));
    const manifest = JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8')) as { file: string; rawKey: string; sha256: string }[];
    expect(manifest).toHaveLength(2);
    for (const m of manifest) {
      const stored: Buffer[] = [];
      for await (const chunk of await raw.get(m.rawKey)) stored.push(chunk as Buffer);
      expect(await readFile(join(folder, m.file))).toEqual(Buffer.concat(stored));
    }
    const record = JSON.parse(await readFile(join(folder, 'report.json'), 'utf8'));
    expect(record.report).toEqual(view.report);
    expect(JSON.parse(await readFile(join(folder, 'audit.json'), 'utf8'))).toEqual(view.events);
    const readme = await readFile(join(folder, 'README.txt'), 'utf8');
    expect(readme).toContain(`Report ${id}`);
    expect(readme).toContain('messages/002-in.eml');
  });

  it('attachments are saved under safe names inside the folder asked for, and only there', async () => {
    const dir = join(work, 'files');
    const saved = await cli(...d, 'attachments', id, '-o', dir);
    expect(saved.code).toBe(0);
    const names = (await readdir(dir)).sort();
    expect(names).toEqual(['_CON', 'bashrc', 'c.txt', 'evil.sh', 'poc (2).py', 'poc.py'].sort());
    expect(await readFile(join(dir, 'evil.sh'), 'utf8')).toBe('echo pwned');
    expect(await readFile(join(dir, 'poc (2).py'), 'utf8')).toBe('print(2)');
    // saving again never overwrites what is there
    expect((await cli(...d, 'attachments', id, '-o', dir)).code).toBe(1);
  });

  it('safeFileName keeps no path, control character, device name or hidden dot', () => {
    const used = new Set<string>();
    expect(safeFileName('../../etc/passwd', 'x', used)).toBe('passwd');
    expect(safeFileName('..', 'fallback.bin', used)).toBe('fallback.bin');
    expect(safeFileName('re\u001b]0;pwn\u0007port\u202e.txt', 'x', used)).toBe('re_]0;pwn_port_.txt');
    expect(safeFileName('nul.txt', 'x', used)).toBe('_nul.txt');
    expect(safeFileName('C:\\Windows\\win.ini', 'x', used)).toBe('win.ini');
    expect(safeFileName(`${'a'.repeat(300)}.pdf`, 'x', used)).toMatch(/^a{96}\.pdf$/);
    expect(safeFileName('PASSWD', 'x', used)).toBe('PASSWD (2)');
  });
});
