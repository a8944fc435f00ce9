/**
 * The local stack end to end on a frozen clock: mail in over SMTP, a report opened, and after a restart later in
 * time, the timers that fell due while it was stopped fire once, in order (and not again on the next restart).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { submitOverSmtp } from '../../lambdas/adapters/local/smtp-submit';
import { listOutboxFolder } from '../../lambdas/adapters/local/outbox-folder-sender';
import { startLocalStack } from '../../lambdas/local/stack';
import { testTimeout } from '../support/timeouts';

const ROOT = join(__dirname, '../..');
const config = join(ROOT, 'examples/bases.json');
const T0 = new Date('2027-03-09T10:00:00Z'); // a Tuesday, no holiday

describe('local stack', () => {
  let data: string;
  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), 'secintake-stack-'));
  });
  afterAll(async () => {
    await rm(data, { recursive: true, force: true });
  });

  it('opens a report from SMTP mail, and fires what fell due while stopped once, in order', async () => {
    const first = await startLocalStack({ config, data, frozenClock: true, startAt: T0, port: 0 });
    try {
      await submitOverSmtp({
        port: first.smtpPort,
        from: 'jane@reporter.example',
        to: ['security@hashberg.io'],
        raw: await readFile(join(ROOT, 'examples/mail/report.eml')),
      });
      const [report] = await first.deps.store.listReports();
      expect(report).toMatchObject({ createdAt: T0.toISOString(), status: 'received' });
      expect(await first.deps.workflow.isRunning(report.id)).toBe(true);
    } finally {
      await first.close();
    }
    const beforeRestart = (await listOutboxFolder(join(data, 'outbox'))).map((e) => e.kind);

    const later = new Date(T0.getTime() + 30 * 3600_000); // past the 24h acknowledgment
    const second = await startLocalStack({ config, data, frozenClock: true, startAt: later, port: 0 });
    await second.runner.idle();
    await second.close();
    const fired = (await listOutboxFolder(join(data, 'outbox'))).map((e) => e.kind).slice(beforeRestart.length);
    expect(fired.length).toBeGreaterThan(0);
    expect(fired.join(' ')).toMatch(/escalat/);
    expect(new Set(fired).size).toBe(fired.length);
    // in firing order: the reminder (12h) before the escalation (24h)
    // in firing order; a reminder of the acknowledgment is dropped, its deadline having passed while stopped
    expect(fired.findIndex((k) => /escalat/.test(k))).toBeLessThan(fired.findIndex((k) => /late/.test(k)));
    expect(fired.some((k) => /remind.*acknowledge/.test(k))).toBe(false);

    const third = await startLocalStack({ config, data, frozenClock: true, startAt: later, port: 0 });
    await third.runner.idle();
    await third.close();
    expect((await listOutboxFolder(join(data, 'outbox'))).length).toBe(beforeRestart.length + fired.length);
  }, testTimeout(120_000));
});
