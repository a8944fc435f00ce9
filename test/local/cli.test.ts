/**
 * The secintake CLI against a temporary data folder: in-process for the commands (the same `run` the bin calls),
 * and `start` as a child process (async spawn) to see it listen, take mail over SMTP and stop on SIGTERM.
 */
import { testWithCorpus } from '../support/corpus';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli';
import { testTimeout } from '../support/timeouts';

const ROOT = join(__dirname, '../..');
const MAIL = join(ROOT, 'examples/mail');

describe('secintake CLI', () => {
  let data: string;
  let d: string[];
  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), 'secintake-cli-'));
    d = ['--data', data];
    // a fixed clock: imports count deadlines from when each message arrived (the examples' Date fields)
    expect((await cli(...d, 'clock', 'set', '2027-01-04T09:00:00Z')).code).toBe(0);
  });
  afterAll(async () => {
    await rm(data, { recursive: true, force: true });
  });

  it('imports the example mail, lists and shows the reports', async () => {
    const imported = await cli(...d, 'import', '--json', '--send-receipts', MAIL);
    expect(imported.code).toBe(0);
    const lines = imported.out.trim().split('\n').map((l) => JSON.parse(l));
    const summary = lines.pop();
    expect(summary.summary.messages).toBe(lines.length);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect(l).toEqual(expect.objectContaining({ file: expect.stringContaining(MAIL), outcome: expect.any(String), checks: expect.any(Array), reason: expect.any(String) }));
    const reportLine = lines.find((l) => l.file.endsWith('/report.eml'));
    expect(reportLine.outcome).toBe('report');

    // importing the same files again finds them processed instead of opening new reports
    const again = await cli(...d, 'import', '--json', join(MAIL, 'report.eml'));
    expect(JSON.parse(again.out.split('\n')[0])).toMatchObject({ reportId: reportLine.reportId, duplicate: true });

    const reports = await cli(...d, 'reports', '--json');
    expect(reports.code).toBe(0);
    const list = JSON.parse(reports.out);
    expect(list.map((r: { id: string }) => r.id)).toContain(reportLine.reportId);
    expect((await cli(...d, 'reports')).out).toContain(reportLine.reportId);

    const shown = await cli(...d, 'show', reportLine.reportId.toLowerCase(), '--json');
    expect(shown.code).toBe(0);
    const view = JSON.parse(shown.out);
    expect(view.report.id).toBe(reportLine.reportId);
    // the example arrived in November: imported history, its acknowledgment is overdue
    expect(view.deadlines[0]).toEqual(expect.objectContaining({ name: 'acknowledge', dueAt: expect.stringMatching(/^2026-11-/), state: 'missed' }));
    expect(view.messages.length).toBeGreaterThanOrEqual(1);
    expect(Array.isArray(view.events)).toBe(true);
    expect(view.outbox.map((o: { kind: string }) => o.kind)).toContain('receipt');
  }, testTimeout(120_000));

  it('moves the clock forward only, firing due timers into the outbox', async () => {
    // a report that arrives now: its acknowledgment is reminded half-way (12h)
    const fresh = join(data, 'fresh.eml');
    const example = await readFile(join(MAIL, 'report.eml'), 'utf8');
    await writeFile(fresh, example.replace(/^Date: .*$/m, 'Date: Mon, 04 Jan 2027 09:00:00 +0000').replace(/^Message-ID: .*$/m, 'Message-ID: <fresh@reporter.example>'));
    expect((await cli(...d, 'import', fresh)).code).toBe(0);
    const before = JSON.parse((await cli(...d, 'outbox', '--json')).out).length;
    const back = await cli(...d, 'clock', 'set', '2000-01-01T00:00:00Z');
    expect(back.code).toBe(1);
    expect(back.err).toMatch(/^secintake: the local clock only moves forward.*\n$/);
    expect(back.err.split('\n')).toHaveLength(2); // one line, no stack trace

    const bad = await cli(...d, 'clock', 'advance', 'soon');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('is not a duration');

    const moved = await cli(...d, 'clock', 'advance', '13h');
    expect(moved.code).toBe(0);
    const after = JSON.parse((await cli(...d, 'outbox', '--json')).out);
    expect(after.length).toBeGreaterThan(before);
    expect(after.map((o: { kind: string }) => o.kind).join(' ')).toMatch(/remind/);
    const first = await cli(...d, 'outbox', 'show', '1');
    expect(first.out).toMatch(/^Subject: /m);
  }, testTimeout(120_000));

  it('refuses replaying a processed message unless forced, and unknown IDs', async () => {
    const imported = await cli(...d, 'import', '--json', join(MAIL, 'report.eml'));
    const id = JSON.parse(imported.out.split('\n')[0]).sesMessageId;
    const replay = await cli(...d, 'replay', id);
    expect(replay.code).toBe(1);
    expect(replay.err).toContain('already processed');
    const missing = await cli(...d, 'replay', 'doesnotexist0000000000');
    expect(missing).toMatchObject({ code: 1, err: expect.stringContaining('no stored message') });
  }, testTimeout(120_000));

  it('says what is wrong in one line: unknown report, bad config, bad usage', async () => {
    expect(await cli(...d, 'show', 'ZZZZ-ZZZZ')).toMatchObject({ code: 1, err: 'secintake: no report ZZZZ-ZZZZ (secintake reports lists them)\n' });
    const config = await cli(...d, '--config', join(data, 'nope.json'), 'reports');
    expect(config.code).toBe(1);
    expect(config.err).toContain(join(data, 'nope.json'));
    expect(config.err).not.toMatch(/\n\s+at /);
    expect((await cli(...d, 'frobnicate')).code).toBe(2);
    const help = await cli('import', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('mbox');
  }, testTimeout(120_000));

  it('doctor checks config, data folder, port and workflows', async () => {
    const doctor = await cli(...d, 'doctor', '--port', '0');
    expect(doctor.out).toMatch(/^ok +config /m);
    expect(doctor.out).toMatch(/^ok +data folder /m);
    expect(doctor.out).toMatch(/open report\(s\)/);
    expect(doctor.code).toBe(0);
  }, testTimeout(120_000));

  it('start listens, takes mail over SMTP from send, serves the CLI, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/secintake.js'), ...d, 'start', '--port', '0'], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', () => {});
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < testTimeout(600) && !out.includes('Stop with Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(/SMTP inbound \(plays SES\) +127\.0\.0\.1:\d+/);
      const stackFile = JSON.parse(await readFile(join(data, 'stack.json'), 'utf8'));
      expect(stackFile.pid).toBe(child.pid);

      const sent = await cli(...d, 'send', join(MAIL, 'report-missing-info.eml'));
      expect(sent).toMatchObject({ code: 0, out: expect.stringMatching(/250 Ok: queued as [a-z0-9]{20,}/) });
      const stranger = await cli(...d, 'send', join(MAIL, 'report.eml'), '--to', 'root@hashberg.io');
      expect(stranger.code).toBe(1);
      expect(stranger.err).toContain('550');

      // while the stack runs, the CLI goes through its control API (dynalite is open in the stack)
      const reports = JSON.parse((await cli(...d, 'reports', '--json')).out);
      expect(reports.some((r: { subject: string }) => /crafted input/.test(r.subject))).toBe(true);
      expect((await cli(...d, 'doctor')).out).toMatch(/^ok +stack running/m);
      expect((await stat(join(data, 'reply-address.key'))).mode & 0o777).toBe(0o600);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('stopped.');
    expect(existsSync(join(data, 'stack.json'))).toBe(false);
  }, testTimeout(480_000));
});

describe('secintake in a pipe', () => {
  testWithCorpus('ends quietly when the reader stops early (no EPIPE stack trace)', async () => {
    const data = await mkdtemp(join(tmpdir(), 'secintake-pipe-'));
    try {
      // a listing written line by line: the import of a folder of real mail, read only up to its first line
      const folder = join(ROOT, '../shared/corpus/deltachat-core');
      const child = spawn(process.execPath, [join(ROOT, 'bin/secintake.js'), '--data', data, 'import', '--json', folder], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr!.on('data', (c) => (err += c));
      child.stdout!.once('data', () => child.stdout!.destroy());
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      expect(err).not.toMatch(/EPIPE|Error/);
      expect(code).toBe(0);
    } finally {
      await rm(data, { recursive: true, force: true });
    }
  });
});
