/**
 * `npm run bench -- burst [COUNT]`: COUNT (default 1,000) new reports over SMTP to the local stack as `npm start`
 * runs it (node bin/secintake.js start, its own process), 50 connections. Checks that none is lost and that each
 * report got exactly one receipt, and prints p50/p99 of the time from SMTP 250 to the receipt's file in the outbox
 * folder (polled every 50 ms: the figures are that coarse).
 */
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { record } from './budgets';
import { burst, cli, startStack } from './soak';

const CONNECTIONS = 50;
const POLL_MS = 50;
/** RFC 5321 section 4.5.3.2.6: a sender waits 10 minutes for the reply to the end of DATA. */
const SMTP_REPLY_WAIT_MS = 10 * 60_000;
/** How long the stack may take, after the last 250, to send the last receipt, before the run counts it lost. */
const DRAIN_LIMIT_MS = 10 * 60_000;

export async function burstSection(count = Number(process.argv[2] === 'burst' ? (process.argv[3] ?? 1000) : 1000)): Promise<void> {
  const data = await mkdtemp(join(tmpdir(), 'secintake-burst-'));
  const stack = await startStack(data);
  const acceptedAt = new Map<number, number>();
  const sendingAt = new Map<number, number>();
  const receiptAt = new Map<number, number>();
  const seen = new Set<string>();
  let receiptFiles = 0;
  const poll = async () => {
    for (const f of await readdir(join(data, 'outbox')).catch(() => [] as string[])) {
      if (seen.has(f) || !f.endsWith('-receipt.eml')) continue;
      seen.add(f);
      receiptFiles++;
      const head = (await readFile(join(data, 'outbox', f), 'utf8')).split(/\r?\n\r?\n/)[0]!;
      const i = Number(/Soak report (\d+)/.exec(head)?.[1]);
      if (Number.isInteger(i) && !receiptAt.has(i)) receiptAt.set(i, Date.now());
    }
  };
  let polling = true;
  const poller = (async () => {
    while (polling) {
      await poll();
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  })();
  const started = Date.now();
  try {
    const accepted = new Set<number>();
    await burst(
      stack.port,
      Array.from({ length: count }, (_, i) => i),
      accepted,
      CONNECTIONS,
      (i) => acceptedAt.set(i, Date.now()),
      (i) => sendingAt.has(i) || sendingAt.set(i, Date.now()),
      SMTP_REPLY_WAIT_MS,
    );
    // what got no 250 (a timeout, a refused connection) is sent again, as a sending MTA does
    let rounds = 0;
    while (accepted.size < count && rounds++ < 3) {
      await burst(stack.port, Array.from({ length: count }, (_, i) => i).filter((i) => !accepted.has(i)), accepted, CONNECTIONS, (i) => acceptedAt.set(i, Date.now()), undefined, SMTP_REPLY_WAIT_MS);
    }
    const sentSecs = (Date.now() - started) / 1000;
    const drainUntil = Date.now() + DRAIN_LIMIT_MS;
    while (receiptAt.size < accepted.size && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 200));
    polling = false;
    await poller;
    await poll();
    const drainedSecs = (Date.now() - started) / 1000;
    const reports = JSON.parse(await cli(data, 'reports', '--json')) as { id: string; subject: string }[];
    const onReport = new Set(reports.map((r) => Number(/Soak report (\d+)/.exec(r.subject)?.[1])));
    // lost: a message that got its 250 and is on no report (one never accepted is the sender's to retry, counted apart)
    const lost = [...accepted].filter((i) => !onReport.has(i)).length;
    // the local stack runs intake before it answers 250 (so a 250 means recorded): a receipt is often there first
    const latencies = [...receiptAt.entries()].filter(([i]) => acceptedAt.has(i)).map(([i, t]) => Math.max(0, t - acceptedAt.get(i)!)).sort((a, b) => a - b);
    const fromSubmit = [...receiptAt.entries()].filter(([i]) => sendingAt.has(i)).map(([i, t]) => t - sendingAt.get(i)!).sort((a, b) => a - b);
    const before250 = [...receiptAt.entries()].filter(([i, t]) => acceptedAt.has(i) && t <= acceptedAt.get(i)!).length;
    const quantile = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
    const q = (p: number) => quantile(latencies, p);
    const oneReceiptEach = receiptFiles === reports.length && receiptAt.size === reports.length;
    console.log(`\nburst: ${count} messages over ${CONNECTIONS} SMTP connections to node bin/secintake.js start`);
    console.log(
      `  250 for ${accepted.size} in ${sentSecs.toFixed(1)} s, ${rounds} resend round(s) (${(accepted.size / sentSecs).toFixed(1)} msg/s); last receipt after ${drainedSecs.toFixed(1)} s; ` +
        `reports ${reports.length}; receipt files ${receiptFiles}; lost ${lost}`,
    );
    console.log(
      `  SMTP 250 -> receipt in the outbox: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms (0 when the receipt was there before the 250: ${before250} of ${latencies.length}); ` +
        `start of the SMTP submission -> receipt: p50 ${quantile(fromSubmit, 0.5)} ms, p99 ${quantile(fromSubmit, 0.99)} ms (polled every ${POLL_MS} ms)`,
    );
    record('burst', `${lost} lost${accepted.size < count ? ` (${count - accepted.size} never accepted)` : ''}, ${oneReceiptEach ? '1 receipt each' : 'receipts != reports'}, 250->receipt p50 ${q(0.5)} ms, p99 ${q(0.99)} ms`, lost === 0 && accepted.size === count && oneReceiptEach);
  } finally {
    polling = false;
    stack.child.kill('SIGINT');
    await new Promise((r) => (stack.child.exitCode !== null ? r(null) : stack.child.once('exit', r)));
    await rm(data, { recursive: true, force: true });
  }
}
