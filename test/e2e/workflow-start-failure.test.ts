/**
 * A report whose workflow fails to start is never left without one: intake throws (SMTP still answers 250, the
 * raw is stored and the failure recorded for replay), the doctor's orphan check names the report, and the retry
 * (`secintake replay`, the local stand-in for Lambda's async retry) starts the workflow and sends the receipt
 * and notice once. Driven through the control API the CLI uses; template policy (UTC, 24 h acknowledgment).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { submitOverSmtp } from '../../lambdas/adapters/local/smtp-submit';
import { controlClient } from '../../lambdas/local/control-server';
import { startLocalStack } from '../../lambdas/local/stack';
import type { Workflow } from '../../lambdas/ports/workflow';
import { example, plainMail, startScenario, timelineOf, type Scenario } from './scenario-support';
import { testTimeout } from '../support/timeouts';

const REPORTER = 'sam@finder.example';
const SECURITY = 'security@yourdomain.com';
const ARRIVAL = '2027-02-01T08:30:00Z';

let s: Scenario;
beforeAll(async () => {
  s = await startScenario({ config: example('template'), startAt: ARRIVAL, maintainerDomains: ['yourdomain.com'] });
});
afterAll(() => s.close());

/** The stack's workflow port, failing its next `failures` starts the way an SFN outage would. */
function failingStarts(real: Workflow, failures: number): Workflow {
  let left = failures;
  return {
    start: async (reportId, generation) => {
      if (left-- > 0) throw Object.assign(new Error('Step Functions is unavailable'), { name: 'ServiceUnavailable' });
      return real.start(reportId, generation);
    },
    wake: (token) => real.wake(token),
    finish: (token) => real.finish(token),
    isRunning: (reportId) => real.isRunning(reportId),
  };
}

test('a failed workflow start: intake fails and is recorded, the orphan check finds it, the retry starts it', async () => {
  const real = s.stack.deps.workflow;
  s.stack.deps.workflow = failingStarts(real, 1);
  const control = controlClient(s.stack.controlPort, s.stack.controlToken);

  const sesMessageId = await s.deliver(
    plainMail({
      from: `Sam Finder <${REPORTER}>`,
      to: SECURITY,
      subject: 'SQL injection in the search endpoint',
      date: ARRIVAL,
      messageId: 'r1@mail.finder.example',
      body: 'The search endpoint is vulnerable to SQL injection in 1.2.0; steps to reproduce: search for a quote.\n',
    }),
    { from: REPORTER, to: SECURITY },
  );
  const [report] = await s.stack.deps.store.listReports();
  expect(report).toMatchObject({ status: 'received', createdAt: '2027-02-01T08:30:00.000Z' });
  expect(await s.stack.deps.store.getInbound(sesMessageId)).toMatchObject({
    state: 'failed',
    reason: 'ServiceUnavailable: Step Functions is unavailable',
  });
  expect(await real.isRunning(report.id)).toBe(false);
  expect(await control.orphans()).toEqual([report.id]);
  expect((await control.failedInbound()).map((f) => f.sesMessageId)).toEqual([sesMessageId]);
  // no receipt promises deadlines that no workflow enforces
  expect(await s.outbox()).toEqual([]);

  await s.advanceTo('2027-02-01T09:00:00Z');
  const retried = await control.replay(sesMessageId, false);
  expect(retried).toMatchObject({ outcome: 'report', reportId: report.id });
  expect(await real.isRunning(report.id)).toBe(true);
  expect(await control.orphans()).toEqual([]);
  expect(await control.failedInbound()).toEqual([]);
  expect(await s.stack.deps.store.listReports()).toHaveLength(1);
  expect(await s.stack.deps.store.getInbound(sesMessageId)).toMatchObject({ state: 'done', reportId: report.id });
  await expect(control.replay(sesMessageId, false)).rejects.toThrow(/already processed/);

  // the workflow runs from the report's arrival, not from the retry: the reminder comes at 12 h after 08:30
  await s.advanceTo('2027-02-01T21:00:00Z');
  expect(timelineOf(await s.outbox())).toEqual([
    `2027-02-01T09:00:00Z receipt -> ${REPORTER}`,
    '2027-02-01T09:00:00Z notice -> alice@yourdomain.com bob@yourdomain.com',
    '2027-02-01T20:30:00Z reminder:acknowledge -> alice@yourdomain.com', // the owner (round-robin)
  ]);
  const receipt = (await s.outbox())[0];
  expect(receipt.text).toContain('We received your report on Mon 2027-02-01 08:30 UTC');
  expect(receipt.text).toContain('acknowledges it by Tue 2027-02-02 08:30 UTC');
  console.log(`transitions workflow-start-retry: ${s.stack.runner.transitions(report.id)}`);
}, testTimeout(120_000));

test('the doctor\'s other advice, a restart, also gives the orphan its workflow; the receipt still needs the replay', async () => {
  const data = await mkdtemp(join(tmpdir(), 'secintake-orphan-'));
  try {
    const first = await startLocalStack({ config: example('template'), data, frozenClock: true, startAt: new Date(ARRIVAL) });
    let sesMessageId: string;
    let reportId: string;
    try {
      first.deps.workflow = failingStarts(first.deps.workflow, 1);
      const response = await submitOverSmtp({
        port: first.smtpPort,
        from: REPORTER,
        to: [SECURITY],
        raw: Buffer.from(plainMail({ from: REPORTER, to: SECURITY, subject: 'XSS in the admin page', date: ARRIVAL, messageId: 'r2@mail.finder.example', body: 'Stored XSS in 1.3.0, steps: post <script> as a title.\n' })),
      });
      sesMessageId = /queued as ([0-9a-f]+)/.exec(response)![1];
      [{ id: reportId }] = await first.deps.store.listReports();
      expect(await controlClient(first.controlPort, first.controlToken).orphans()).toEqual([reportId]);
    } finally {
      await first.close();
    }
    const second = await startLocalStack({ config: example('template'), data, frozenClock: true, startAt: new Date('2027-02-01T10:00:00Z') });
    try {
      const control = controlClient(second.controlPort, second.controlToken);
      expect(await control.orphans()).toEqual([]);
      await second.runner.advanceTo(new Date('2027-02-01T21:00:00Z'));
      expect((await control.outbox()).map((m) => m.kind)).toEqual(['reminder:acknowledge']);
      // intake never finished: no receipt and no notice until the stored message is replayed
      expect(await second.deps.store.getInbound(sesMessageId)).toMatchObject({ state: 'failed' });
      await control.replay(sesMessageId, false);
      expect((await control.outbox()).map((m) => m.kind)).toEqual(['reminder:acknowledge', 'receipt', 'notice']);
    } finally {
      await second.close();
    }
  } finally {
    await rm(data, { recursive: true, force: true });
  }
}, testTimeout(120_000));
