/**
 * `npm run bench -- soak [COUNT]`: the local stack killed with SIGKILL in the middle of a burst, restarted, the
 * sender retrying what did not get a 250, then `doctor --repair`. Prints figures and checks, from the data
 * folder and the outbox files, that every message that got a 250 is on exactly one report, and that every
 * report got exactly one receipt and one notice (no two outbox files with one Message-ID). Loopback only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'bin/secintake.js');
const TO = 'security@hashberg.io';

export function startStack(data: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [BIN, 'start', '--data', data, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr!.resume();
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /SMTP inbound \(plays SES\) +127\.0\.0\.1:(\d+)/.exec(out);
      if (m && out.includes('Stop with Ctrl-C')) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`stack exited (${code}) before listening: ${out}`)));
  });
}

export async function cli(data: string, ...args: string[]): Promise<string> {
  const child = spawn(process.execPath, [BIN, '--data', data, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.resume();
  await new Promise((r) => child.once('exit', r));
  return out;
}

export function message(i: number): Buffer {
  return Buffer.from(
    [
      `From: Reporter ${i} <r${i}@reporter${i % 7}.example>`,
      `To: ${TO}`,
      `Subject: Soak report ${i}`,
      `Message-ID: <soak-${i}@reporter${i % 7}.example>`,
      'Date: Fri, 12 Mar 2027 21:01:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `decode() overflows in case ${i}.`,
      '',
    ].join('\r\n'),
  );
}

export async function burst(
  port: number,
  indices: number[],
  accepted: Set<number>,
  concurrency: number,
  onAccepted?: (i: number) => void,
  onSending?: (i: number) => void,
  socketTimeoutMs = 10_000,
) {
  const queue = [...indices];
  const worker = async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: false, connectionTimeout: 5000, socketTimeout: socketTimeoutMs });
    try {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        try {
          onSending?.(i);
          await transport.sendMail({ envelope: { from: `r${i}@reporter${i % 7}.example`, to: [TO] }, raw: message(i) });
          accepted.add(i);
          onAccepted?.(i);
        } catch {
          // no 250: the sender keeps it for a retry
        }
      }
    } finally {
      transport.close();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export async function soak(count = 300): Promise<void> {
  const data = await mkdtemp(join(tmpdir(), 'secintake-soak-'));
  const started = Date.now();
  try {
    const all = Array.from({ length: count }, (_, i) => i);
    const accepted = new Set<number>();
    let stack = await startStack(data);
    let killedAfter = 0;
    const killAt = Math.floor(count / 3);
    await burst(stack.port, all, accepted, 10, () => {
      if (accepted.size === killAt && !killedAfter) {
        killedAfter = accepted.size;
        stack.child.kill('SIGKILL');
      }
    });
    await new Promise((r) => (stack.child.exitCode !== null || stack.child.signalCode ? r(null) : stack.child.once('exit', r)));
    const acceptedBeforeKill = accepted.size;
    stack = await startStack(data);
    let rounds = 0;
    while (accepted.size < count && rounds++ < 5) await burst(stack.port, all.filter((i) => !accepted.has(i)), accepted, 10);
    const repair = await cli(data, 'doctor', '--port', '0', '--repair');
    const repaired = (repair.match(/^repaired /gm) ?? []).length;
    const reports = JSON.parse(await cli(data, 'reports', '--json')) as { id: string; subject: string }[];
    stack.child.kill('SIGINT');
    await new Promise((r) => stack.child.once('exit', r));

    // every accepted message on exactly one report (its subject names it)
    const bySubject = new Map<string, number>();
    for (const r of reports) bySubject.set(r.subject, (bySubject.get(r.subject) ?? 0) + 1);
    const missing = [...accepted].filter((i) => !bySubject.has(`Soak report ${i}`));
    const doubled = [...bySubject.entries()].filter(([, n]) => n > 1).map(([s]) => s);

    // one receipt and one notice per report, never the same mail twice
    const files = (await readdir(join(data, 'outbox'))).filter((f) => f.endsWith('.eml'));
    // counted by Message-ID: a crash between a send and its record resends the same Message-ID (at least once
    // at the edge, as SES is); mail clients show such a copy once, and it is reported on its own line
    const perReport = new Map<string, { receipt: Set<string>; notice: Set<string> }>();
    const messageIds = new Map<string, number>();
    for (const f of files) {
      const head = (await readFile(join(data, 'outbox', f), 'utf8')).split(/\r?\n\r?\n/)[0]!;
      const kind = /^X-Security-Intake-Kind: (.+)$/im.exec(head)?.[1]?.trim() ?? '';
      const id = /#([0-9A-Z]{4}-[0-9A-Z]{4})\]/.exec(head)?.[1] ?? '?';
      const mid = /^Message-ID: (.+)$/im.exec(head)?.[1]?.trim() ?? f;
      messageIds.set(mid, (messageIds.get(mid) ?? 0) + 1);
      const tally = perReport.get(id) ?? { receipt: new Set<string>(), notice: new Set<string>() };
      if (kind === 'receipt' || kind === 'notice') tally[kind].add(mid);
      perReport.set(id, tally);
    }
    const resent = [...messageIds.values()].filter((n) => n > 1).length;
    const wrongCounts = reports.filter((r) => {
      const t = perReport.get(r.id);
      return !t || t.receipt.size !== 1 || t.notice.size !== 1;
    });

    console.log(`soak: ${count} messages, 10 connections, SIGKILL after ${acceptedBeforeKill} accepted, restart, ${rounds} retry round(s), doctor --repair replayed ${repaired}`);
    console.log(`  accepted (250): ${accepted.size} / ${count}; reports: ${reports.length}; outbox files: ${files.length}; ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`  accepted messages on no report: ${missing.length}; messages on more than one report: ${doubled.length}`);
    console.log(`  reports without exactly one receipt and one notice (distinct Message-IDs): ${wrongCounts.length}`);
    console.log(`  the same mail (same Message-ID) written twice, a crash between send and record: ${resent}`);
    const ok = missing.length === 0 && doubled.length === 0 && wrongCounts.length === 0;
    console.log(`  ${ok ? 'OK' : 'NOT OK'}: every accepted message recorded once, one receipt and one notice per report`);
    if (!ok) process.exitCode = 1;
  } finally {
    await rm(data, { recursive: true, force: true });
  }
}
