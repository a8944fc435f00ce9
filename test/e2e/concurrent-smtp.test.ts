/**
 * 200 messages delivered over SMTP at once (50 connections at a time) to the local stack: every raw message is
 * stored, every one gets exactly one recorded outcome, and no report gets a receipt twice. Some reporters send
 * more than one report at the same time.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { startLocalStack, type LocalStack } from '../../lambdas/local/stack';
import { testTimeout } from '../support/timeouts';

const ROOT = join(__dirname, '../..');
const CONFIG = join(ROOT, 'examples/bases.json');
const TOTAL = 200;
const SENDERS = 160; // reporters 0..39 send two reports each
const CONNECTIONS = 50;

function report(i: number): { from: string; raw: string } {
  const from = `reporter${i % SENDERS}@researcher${i % 7}.example`;
  const raw = [
    `From: Reporter ${i % SENDERS} <${from}>`,
    'To: security@hashberg.io',
    `Subject: Finding ${i}: out-of-bounds read in base32 decode`,
    'Date: Tue, 09 Mar 2027 10:00:00 +0000',
    `Message-ID: <finding-${i}@researcher${i % 7}.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Finding ${i}: decoding a crafted base32 string reads past the end of the buffer.`,
    'Affected versions: bases 0.3.0. Steps to reproduce: base32.decode("=" * 9).',
    '',
  ].join('\r\n');
  return { from, raw };
}

async function deliverAll(stack: LocalStack): Promise<string[]> {
  const ids: string[] = new Array(TOTAL);
  let next = 0;
  const worker = async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: stack.smtpPort, secure: false, ignoreTLS: true });
    try {
      for (let n = next++; n < TOTAL; n = next++) {
        const { from, raw } = report(n);
        const info = await transport.sendMail({ envelope: { from, to: ['security@hashberg.io'] }, raw });
        ids[n] = /queued as (\S+)/.exec(String(info.response))![1];
      }
    } finally {
      transport.close();
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return ids;
}

describe('SMTP inbound under concurrent delivery', () => {
  let data: string;
  let stack: LocalStack;
  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), 'secintake-concurrent-'));
    stack = await startLocalStack({ config: CONFIG, data, frozenClock: true, startAt: new Date('2027-03-09T10:00:00Z'), port: 0 });
  });
  afterAll(async () => {
    await stack?.close();
    await rm(data, { recursive: true, force: true });
  });

  it('stores 200 messages, records one outcome each, and sends no receipt twice', async () => {
    const started = process.hrtime.bigint();
    const ids = await deliverAll(stack);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await stack.runner.idle();
    console.log(`concurrent SMTP: ${TOTAL} messages over ${CONNECTIONS} connections in ${seconds.toFixed(2)} s (${(TOTAL / seconds).toFixed(0)} msgs/s, accepted and processed)`);

    expect(new Set(ids).size).toBe(TOTAL);
    const stored = await readdir(join(data, 'raw/inbound'));
    expect(stored.sort()).toEqual([...ids].sort());

    const records = await Promise.all(ids.map((id) => stack.deps.store.getInbound(id)));
    expect(records.filter((r) => r?.state !== 'done').map((r) => r?.reason ?? 'no record')).toEqual([]);
    const outcomes = records.map((r) => r!.outcome);
    expect(outcomes.every((o) => typeof o === 'string')).toBe(true);

    const reports = await stack.deps.store.listReports();
    expect(outcomes.filter((o) => o === 'report')).toHaveLength(TOTAL);
    expect(reports).toHaveLength(TOTAL);
    expect(new Set(reports.map((r) => r.rootMessageId)).size).toBe(TOTAL);

    const outbox = await stack.deps.store.listOutbox();
    const receipts = new Map<string, number>();
    for (const item of outbox.filter((o) => o.kind === 'receipt')) receipts.set(item.reportId, (receipts.get(item.reportId) ?? 0) + 1);
    expect([...receipts.values()].filter((n) => n > 1)).toEqual([]);
    expect(receipts.size).toBe(TOTAL);
    // and the folder agrees with the records: one receipt file per report
    const files = (await readdir(stack.outboxDir)).filter((f) => /-receipt\.eml$/.test(f));
    expect(files).toHaveLength(TOTAL);
  }, testTimeout(360_000));
});
