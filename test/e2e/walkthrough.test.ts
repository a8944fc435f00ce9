/**
 * The README walkthrough (notes/walkthrough.md), run as a newcomer would paste it: the same `secintake ...`
 * commands (as `node bin/secintake.js`, what `npx secintake` runs) as child processes (async spawn), with only `--data <temp folder>` added and `--port 0` for start
 * instead of 2525. `npm start` runs in the background in its own process group and is stopped the way Ctrl-C
 * stops it, SIGINT to the whole group (npm, sh and node), which must end it cleanly. The maintainer's reply is the example signed by examples/local-dkim/sign.js with a key it generates, checked against the DNS records it writes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testTimeout } from '../support/timeouts';

const ROOT = join(__dirname, '../..');

interface Done {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

function finished(child: ChildProcess): Promise<Done> {
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
}

describe('README walkthrough', () => {
  let data: string;
  let start: ChildProcess | undefined;
  let started: Promise<Done> | undefined;
  let startOut = '';
  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), 'secintake-walkthrough-'));
  });
  /** Ctrl-C in a terminal: SIGINT to the foreground process group. */
  const ctrlC = (child: ChildProcess, signal: NodeJS.Signals = 'SIGINT') => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group has already exited
    }
  };
  afterAll(async () => {
    if (start && start.exitCode === null && start.signalCode === null) {
      ctrlC(start);
      const timeout = setTimeout(() => ctrlC(start!, 'SIGKILL'), testTimeout(10_000));
      await started;
      clearTimeout(timeout);
    }
    await rm(data, { recursive: true, force: true });
  });

  /**
   * `npx secintake <args> --data <tmp>` in the checkout, as typed in a second terminal; run as what npx runs,
   * `node bin/secintake.js` (package.json `bin`), without npx's own start-up of seconds on a loaded machine.
   */
  async function secintake(...args: string[]): Promise<string> {
    const r = await finished(spawn(process.execPath, [join(ROOT, 'bin/secintake.js'), ...args, '--data', data], { cwd: ROOT }));
    if (r.code !== 0) throw new Error(`secintake ${args.join(' ')} exited ${r.code}: ${r.err}`);
    // `outbox show` prints the .eml as stored: quoted-printable soft line breaks are undone for matching
    return r.out.replace(/=\r?\n/g, '');
  }

  /** Step 1's `npm start -- --dns <dns.json> [more]`, in the background, until it says it runs. */
  async function startStack(...more: string[]): Promise<void> {
    startOut = '';
    start = spawn('npm', ['start', '--', '--dns', join(data, 'local-dkim', 'dns.json'), ...more, '--data', data, '--port', '0'], {
      cwd: ROOT,
      env: { ...process.env, npm_config_loglevel: 'error' },
      detached: true,
    });
    start.stdout!.on('data', (c) => (startOut += c));
    started = finished(start);
    for (let i = 0; i < testTimeout(600) && !startOut.includes('Stop with Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 100));
  }

  /** Ctrl-C in the first terminal: the stack stops cleanly and says so. */
  async function stopStack(): Promise<void> {
    ctrlC(start!);
    const stopped = await started!;
    // node stopped the stack and exited 0; npm, which got the SIGINT too, ends by that signal as in a terminal
    expect(startOut).toMatch(/stopping\.\.\.\nstopped\.\n$/);
    expect(stopped.code === 0 || stopped.signal === 'SIGINT').toBe(true);
    expect(stopped.err).not.toMatch(/Error|ERR!/);
    expect(existsSync(join(data, 'stack.json'))).toBe(false);
  }

  it('runs the walkthrough: report, receipt, signed maintainer reply, clock, reminders, embargo end, weekly digest', async () => {
    // 0. make the maintainer's DKIM key, its DNS records and the signed reply (into the data folder)
    const dkim = join(data, 'local-dkim');
    const signed = await finished(spawn('node', ['examples/local-dkim/sign.js', dkim], { cwd: ROOT }));
    expect(signed.code).toBe(0);
    // 1. npm start (in the background), with the walkthrough's offline DNS for the maintainers' DKIM key
    await startStack();
    expect(startOut).toMatch(/SMTP inbound \(plays SES\) +127\.0\.0\.1:\d+ +for security@hashberg\.io/);
    expect(startOut).not.toMatch(/TRUSTING LOCAL SENDERS/);

    // 2. send the sample report
    expect(await secintake('send', 'examples/mail/report.eml')).toMatch(/^delivered to 127\.0\.0\.1:\d+ for security@hashberg\.io: 250 /);

    // 3. the receipt in the outbox, and the reply address in it
    const listed = await secintake('outbox');
    expect(listed).toMatch(/^1 +receipt +jane@reporter\.example +\[security report #[0-9A-Z]{4}-[0-9A-Z]{4}\]/m);
    expect(listed).toMatch(/^2 +notice +alice@hashberg\.io, bob@hashberg\.io /m);
    const receipt = await secintake('outbox', 'show', '1');
    const replyTo = /^Reply-To: (security\+[a-z0-9.]+@hashberg\.io)$/m.exec(receipt)![1];
    const id = /^Subject: \[security report #([0-9A-Z]{4}-[0-9A-Z]{4})\]/m.exec(receipt)![1];
    expect(receipt).toContain(`gave it the ID ${id}`);

    // 4. the maintainer's reply, addressed to the reply address and signed: Status: triaged, Embargo: 72h, and
    //    text relayed to the reporter
    const resigned = await finished(spawn('node', ['examples/local-dkim/sign.js', '--to', replyTo, dkim], { cwd: ROOT }));
    expect(resigned.code).toBe(0);
    expect(await secintake('send', join(dkim, 'maintainer-reply.signed.eml'), '--to', replyTo)).toContain(`for ${replyTo}: 250 `);
    const afterReply = await secintake('outbox');
    expect(afterReply).toMatch(/^3 +relay +jane@reporter\.example /m);
    expect(afterReply).toMatch(/^4 +commands-applied +alice@hashberg\.io, bob@hashberg\.io +.*Applied: Status, Embargo/m);
    const relay = await secintake('outbox', 'show', '3');
    expect(relay).toContain('Thank you for the clear report');
    expect(relay).toMatch(/The maintainers set an embargo on your report .* it ends on /);
    expect(relay).not.toMatch(/alice@hashberg\.io/);
    const triaged = await secintake('show', id);
    expect(triaged).toMatch(new RegExp(`^Report ${id} +\\(bases, triaged\\)`, 'm'));
    expect(triaged).toMatch(/^Embargo: +until \d{4}-\d\d-\d\dT\S+ \(set by alice@hashberg\.io\)/m);
    expect(triaged).toMatch(/<- maintainer +alice@hashberg\.io/);

    // 5. the clock: 72h ends the embargo (maintainers and reporter told), a week brings the update reminder
    expect(await secintake('clock', 'advance', '72h')).toMatch(/^clock moved from \S+ to \S+\n$/);
    const embargoEnded = await secintake('outbox');
    expect(embargoEnded).toMatch(/^5 +embargo-end +alice@hashberg\.io, bob@hashberg\.io /m);
    expect(embargoEnded).toMatch(/^6 +embargo-end:reporter +jane@reporter\.example /m);
    await secintake('clock', 'advance', '7d');
    const week = await secintake('outbox');
    // reminders go to the report's owner (round-robin: alice), escalations to every maintainer and the lead
    expect(week).toMatch(/^7 +reminder:update +alice@hashberg\.io +\[/m);
    expect(week).toMatch(/^8 +reminder:disclose +alice@hashberg\.io +\[/m);
    expect(week).toMatch(/^10 +escalation:disclose +alice@hashberg\.io, bob@hashberg\.io, security-lead@hashberg\.io /m);
    expect(week).toMatch(/^12 +escalation:update +alice@hashberg\.io, bob@hashberg\.io, security-lead@hashberg\.io /m);

    // 6. list and show the report
    expect(await secintake('reports')).toMatch(new RegExp(`^${id} +bases +triaged +alice@hashberg\\.io +\\S+ +\\S+ +Quadratic-time decoding`, 'm'));
    const shown = await secintake('show', id);
    expect(shown).toMatch(/^ +acknowledge +\S+ +met at /m);
    expect(shown).toMatch(/^ +embargo +\S+ +met at /m);
    expect(shown).toMatch(/^ +update +\S+ +missed/m);
    expect(shown).toMatch(/timer\.fired/);

    // Ctrl-C: the stack stops cleanly and says so
    await stopStack();

    // 7. the weekly digest: started again with examples/bases-digest.json (bases plus Monday 09:00), the folder
    //    takes it (same project) and remembers it; the clock moved past the next Monday 09:00 brings one digest
    await startStack('--config', 'examples/bases-digest.json');
    expect(startOut).toMatch(/^secintake: config .*examples\/bases-digest\.json/m);
    await secintake('clock', 'advance', '8d');
    const digests = await secintake('outbox', '--kind', 'weekly-digest');
    const lines = digests.split('\n').filter((l) => /^\d+ /.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(2);
    for (const line of lines) {
      expect(line).toMatch(/^\d+ +weekly-digest +alice@hashberg\.io, bob@hashberg\.io +\[bases security\] Weekly digest: 1 open report, \d+ missed deadlines?$/);
    }
    const n = /^(\d+) /.exec(lines[0]!)![1]!;
    const digest = await secintake('outbox', 'show', n);
    expect(digest).toMatch(/^The bases security reports as of Mon \d{4}-\d\d-\d\d 09:00 (GMT|BST) /m);
    expect(digest).toMatch(new RegExp(`Open reports, by owner:\\nAlice \\(alice@hashberg\\.io\\), 1:\\n- ${id}  triaged, (next: [^;]+; )?overdue: update, disclose  Quadratic`));
    expect(digest).toMatch(/Promises kept, last 4 weeks \(in time \/ due\):/);
    // the other mail of the week is still there, the digest among it
    const squeeze = (l: string) => l.replace(/ +/g, ' ');
    const all = (await secintake('outbox')).split('\n').filter((l) => /^\d+ /.test(l));
    expect(all.filter((l) => /^\d+ +weekly-digest /.test(l)).map(squeeze)).toEqual(lines.map(squeeze));
    expect(all.length).toBeGreaterThan(lines.length + 12);
    await stopStack();
  }, testTimeout(480_000));
});
