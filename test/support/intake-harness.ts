/**
 * The intake use case wired to real local parts: dynalite through the real SDK, the file raw store, the real
 * mailparser adapter, and a sender that keeps what it sends. Only the workflow is a recording fake (its real
 * local runner is tested on its own and end to end).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Config } from '../../lambdas/core/config';
import { replyAddress } from '../../lambdas/core/reply-address';
import { parseConfig } from '../../lambdas/core/config-errors';
import type { InboundFacts, Report, Verdicts } from '../../lambdas/core/report';
import type { Deps } from '../../lambdas/app/deps';
import { receiveMail } from '../../lambdas/app/receive-mail';
import { DynamoReportStore, ensureTable } from '../../lambdas/adapters/aws/dynamo-report-store';
import { startDynalite, localDynamoClient, type DynaliteHandle } from '../../lambdas/adapters/local/dynalite-server';
import { FsRawStore } from '../../lambdas/adapters/local/fs-raw-store';
import { mimeComposer } from '../../lambdas/adapters/mime-composer';
import { MailparserParser } from '../../lambdas/adapters/mailparser-parser';
import { MailauthDkimVerifier } from '../../lambdas/adapters/mailauth-dkim';
import { LocalMailAuth, type DnsRecords } from '../../lambdas/adapters/local/mail-auth';
import { dkimDns, signMessage } from './dkim-keys';
import { MAX_OUTBOUND_MESSAGE_BYTES, MailRejected, type MailSender, type OutboundEnvelope } from '../../lambdas/ports/mail-sender';
import { executionName, type Workflow } from '../../lambdas/ports/workflow';
import type { SecretKeySource } from '../../lambdas/ports/secret-key';
import { silentLogger, noMetrics } from '../../lambdas/ports/logger';
import { readFileSync } from 'node:fs';

export interface SentMail {
  raw: Buffer;
  envelope: OutboundEnvelope;
  outboxId: string;
  parsed: ParsedMail;
}

export class CapturingSender implements MailSender {
  readonly sent: SentMail[] = [];
  async send(raw: Buffer, envelope: OutboundEnvelope, outboxId: string) {
    // the limit every real sender enforces (SES, the local outbox)
    if (raw.length > MAX_OUTBOUND_MESSAGE_BYTES) throw new MailRejected(outboxId, `${raw.length} bytes is over the sending limit`);
    this.sent.push({ raw, envelope, outboxId, parsed: await simpleParser(raw) });
    return { providerId: `local-${this.sent.length}` };
  }
  to(address: string): SentMail[] {
    return this.sent.filter((m) => m.envelope.to.map((a) => a.toLowerCase()).includes(address.toLowerCase()));
  }
}

export class RecordingWorkflow implements Workflow {
  /** Execution names: the report ID for generation 0, `<id>-g<n>` after a reopen or release. */
  readonly started: string[] = [];
  readonly woken: string[] = [];
  readonly finished: string[] = [];
  async start(reportId: string, generation = 0) {
    const name = executionName(reportId, generation);
    if (!this.started.includes(name)) this.started.push(name);
  }
  async wake(token: string) {
    this.woken.push(token);
  }
  async finish(token: string) {
    this.finished.push(token);
  }
  async isRunning(reportId: string) {
    return this.started.includes(reportId);
  }
}

export class MovableClock {
  constructor(private t: Date) {}
  now() {
    return new Date(this.t);
  }
  set(t: Date | string) {
    this.t = new Date(t);
  }
  advance(ms: number) {
    this.t = new Date(this.t.getTime() + ms);
  }
}

export const fixedKey: SecretKeySource = { replyAddressKey: async () => Buffer.alloc(32, 7) };

export const UNKNOWN_VERDICTS: Verdicts = { spf: 'UNKNOWN', dkim: 'UNKNOWN', dmarc: 'UNKNOWN', spam: 'UNKNOWN', virus: 'UNKNOWN' };
export const PASS_VERDICTS: Verdicts = { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'PASS', virus: 'PASS' };

export function loadExample(name: string): Config {
  return parseConfig(JSON.parse(readFileSync(join(__dirname, '../../examples', `${name}.json`), 'utf8')));
}

export interface Harness {
  deps: Deps;
  sender: CapturingSender;
  workflow: RecordingWorkflow;
  clock: MovableClock;
  store: DynamoReportStore;
  raw: FsRawStore;
  /** Stores the raw message, then runs intake on it, as SES (S3 action, then Lambda action) would. */
  deliver(raw: string | Buffer, opts?: Partial<InboundFacts>): ReturnType<typeof receiveMail>;
  /** Like `deliver`, with the verdicts computed from the bytes by mailauth on the harness's DNS, as the local
   *  SMTP server computes them (the DMARC verdict and the From it judged). */
  deliverVerified(raw: string | Buffer, opts?: Partial<InboundFacts>): ReturnType<typeof receiveMail>;
  /** A maintainer's mail as their provider sends it: DKIM-signed for the From domain, then `deliverVerified`. */
  deliverSigned(raw: string, opts?: Partial<InboundFacts>): ReturnType<typeof receiveMail>;
  /** The DNS the harness verifies against (keys for every maintainer domain of the config, DMARC p=reject). */
  dns: DnsRecords;
  close(): Promise<void>;
}

/** Every domain of a maintainer or escalation contact in the config. */
export function maintainerDomains(config: Config): string[] {
  const domains = config.projects.flatMap((p) => [...p.maintainers.map((m) => m.address), ...p.escalation]);
  return [...new Set(domains.map((a) => a.slice(a.lastIndexOf('@') + 1).toLowerCase()))];
}

export const crlf = (body: string | Buffer) => (Buffer.isBuffer(body) ? body : Buffer.from(body.replace(/\r?\n/g, '\r\n')));

export async function startHarness(
  config: Config,
  start = new Date('2027-03-12T21:02:00Z'),
  dns: DnsRecords = dkimDns(maintainerDomains(config)),
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'secintake-test-'));
  const dynamo: DynaliteHandle = await startDynalite();
  const client = localDynamoClient(dynamo.endpoint);
  await ensureTable(client, 'reports');
  const store = new DynamoReportStore({ client, tableName: 'reports' });
  const raw = new FsRawStore(join(dir, 'raw'));
  const sender = new CapturingSender();
  const workflow = new RecordingWorkflow();
  const clock = new MovableClock(start);
  const auth = new LocalMailAuth({ dns });
  const deps: Deps = {
    config,
    store,
    raw,
    parser: new MailparserParser(),
    dkim: new MailauthDkimVerifier(auth.dkimResolver),
    composer: mimeComposer,
    sender,
    workflow,
    clock,
    keys: fixedKey,
    log: silentLogger,
    metrics: noMetrics,
  };
  const harness: Harness = {
    deps,
    sender,
    workflow,
    clock,
    store,
    raw,
    dns,
    async deliverVerified(body, opts = {}) {
      const mailFrom = opts.mailFrom ?? 'someone@example.org';
      const verdicts = await auth.verdicts(crlf(body), { mailFrom, clientIp: '192.0.2.1' });
      return harness.deliver(body, { ...opts, mailFrom, verdicts });
    },
    async deliverSigned(body, opts = {}) {
      const from = /^From:.*?([^\s<>@]+@[^\s<>]+)/im.exec(body)?.[1] ?? '';
      const domain = from.slice(from.lastIndexOf('@') + 1).replace(/>.*$/, '');
      return harness.deliverVerified(await signMessage(crlf(body), domain), opts);
    },
    async deliver(body, opts = {}) {
      const sesMessageId = opts.sesMessageId ?? randomBytes(10).toString('hex');
      const rawKey = `inbound/${sesMessageId}`;
      await raw.put(rawKey, crlf(body));
      return receiveMail(deps, {
        sesMessageId,
        recipients: opts.recipients ?? [config.projects[0].addresses[0]],
        verdicts: opts.verdicts ?? UNKNOWN_VERDICTS,
        receivedAt: opts.receivedAt ?? clock.now().toISOString(),
        rawKey,
        mailFrom: opts.mailFrom ?? 'someone@example.org',
      });
    },
    async close() {
      client.destroy();
      await dynamo.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** A plain message as a mail client would write it. */
export function mail(h: {
  from: string;
  to: string;
  subject: string;
  body: string;
  messageId?: string;
  inReplyTo?: string;
  headers?: Record<string, string>;
  date?: string;
}): string {
  const lines = [
    `From: ${h.from}`,
    `To: ${h.to}`,
    `Subject: ${h.subject}`,
    `Date: ${h.date ?? 'Fri, 12 Mar 2027 21:01:00 +0000'}`,
    `Message-ID: <${h.messageId ?? randomBytes(6).toString('hex') + '@mail.example.org'}>`,
    ...(h.inReplyTo ? [`In-Reply-To: <${h.inReplyTo}>`, `References: <${h.inReplyTo}>`] : []),
    ...Object.entries(h.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    h.body,
  ];
  return lines.join('\r\n') + '\r\n';
}

/** A delivery status notification (RFC 3464) saying that mail to `failed` could not be delivered. */
export function dsnMail(h: { from: string; to: string; subject: string; failed: string; messageId?: string }): string {
  return [
    `From: ${h.from}`,
    `To: ${h.to}`,
    `Subject: ${h.subject}`,
    `Message-ID: <${h.messageId ?? 'dsn-1@mx.reporter.example'}>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain',
    '',
    `<${h.failed}>: mailbox unavailable`,
    '--b',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.reporter.example',
    '',
    `Final-Recipient: rfc822; ${h.failed}`,
    'Action: failed',
    'Status: 5.1.1',
    '--b--',
    '',
  ].join('\r\n');
}

/** What a report looks like to an observer: everything but the bookkeeping of applied messages. */
export function observableState(r: Report | undefined) {
  const { version: _v, appliedMessages: _a, ...rest } = r ?? ({} as Report);
  return rest;
}

/** A reporter's new report, as most tests start: the report and the reply address a maintainer answers to. */
export async function openReport(h: Harness, opts: { to?: string; from?: string; subject?: string; body?: string } = {}) {
  const to = opts.to ?? h.deps.config.projects[0].addresses[0];
  const r = await h.deliver(
    mail({ from: opts.from ?? 'Jane Reporter <jane@reporter.example>', to, subject: opts.subject ?? 'Heap overflow in decode()', body: opts.body ?? 'decode() overflows in 0.3.0.' }),
    { recipients: [to] },
  );
  expect(r.outcome).toBe('report');
  const report = (await h.store.getReport(r.reportId!))!;
  return { report, id: report.id, replyTo: replyAddress(to, report.id, await fixedKey.replyAddressKey()) };
}
