/**
 * Deps for the timer use cases (tick, arm) on in-memory ports: the memory report store, a sender that keeps
 * what it was given, a settable clock and a workflow that records calls. Shared by the tick and runner tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Deps } from '../../lambdas/app/deps';
import { configSchema, type Config } from '../../lambdas/core/config';
import type { Report } from '../../lambdas/core/report';
import type { Clock } from '../../lambdas/ports/clock';
import { noMetrics, silentLogger } from '../../lambdas/ports/logger';
import type { MailSender, OutboundEnvelope } from '../../lambdas/ports/mail-sender';
import type { Workflow } from '../../lambdas/ports/workflow';
import { MemoryReportStore } from '../fakes/memory-report-store';
import { mimeComposer } from '../../lambdas/adapters/mime-composer';

export function exampleConfig(name: string): Config {
  return configSchema.parse(JSON.parse(readFileSync(join(__dirname, '../../examples', `${name}.json`), 'utf8')));
}

export interface SentMail {
  outboxId: string;
  to: string[];
  text: string;
}

export class RecordingSender implements MailSender {
  readonly sent: SentMail[] = [];
  /** Throw on the n-th send from now (1 = the next one), to play a crash in the middle of a tick. */
  failOnSend?: number;
  async send(raw: Buffer, envelope: OutboundEnvelope, outboxId: string) {
    if (this.failOnSend !== undefined && --this.failOnSend === 0) {
      this.failOnSend = undefined;
      throw new Error('SES is having a bad day');
    }
    this.sent.push({ outboxId, to: envelope.to, text: raw.toString('utf8') });
    return { providerId: `p-${this.sent.length}` };
  }
}

export class SettableClock implements Clock {
  constructor(public current: Date) {}
  now() {
    return new Date(this.current);
  }
}

export class RecordingWorkflow implements Workflow {
  readonly calls: string[] = [];
  async start(reportId: string, generation?: number) {
    this.calls.push(`start ${reportId}${generation ? ` ${generation}` : ''}`);
  }
  async wake(token: string) {
    this.calls.push(`wake ${token}`);
  }
  async finish(token: string) {
    this.calls.push(`finish ${token}`);
  }
  async isRunning() {
    return true;
  }
}

export function timerDeps(config: Config, clock: Clock, overrides: Partial<Deps> = {}) {
  const store = new MemoryReportStore();
  const sender = new RecordingSender();
  const workflow = new RecordingWorkflow();
  const counted: string[] = [];
  const deps: Deps = {
    config,
    store,
    raw: undefined as never,
    parser: undefined as never,
    dkim: undefined as never,
    sender,
    composer: mimeComposer,
    workflow,
    clock,
    keys: { replyAddressKey: async () => Buffer.alloc(32, 7) },
    log: silentLogger,
    metrics: { ...noMetrics, count: (name) => void counted.push(name) },
    ...overrides,
  };
  return { deps, store, sender, workflow, counted };
}

export function basesReport(overrides: Partial<Report> = {}): Report {
  return {
    id: 'K7QM-2XPD',
    project: 'bases',
    status: 'received',
    reporter: { address: 'rita@example.org' },
    subject: 'Heap overflow in decode()',
    createdAt: '2027-03-12T21:02:00.000Z',
    origin: 'ses-origin-1',
    securityAddress: 'security@hashberg.io',
    fired: [],
    version: 1,
    ...overrides,
  } as Report;
}
