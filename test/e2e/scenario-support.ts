/**
 * Seed scenarios on the local stack: a stack in a temporary data folder, on a frozen clock, with SMTP on a free
 * port, and the maintainers authenticated the honest way: their mail is DKIM-signed by nodemailer with a key
 * generated here, and the stack's offline DNS (`dns` option, mailauth) publishes that key and a DMARC record for
 * each maintainer domain, so DMARC PASS is computed, not assumed (trustLocalSenders stays off).
 *
 * What went out is read back from the outbox folder (.eml files, parsed with mailparser): when (Date header),
 * what (X-Security-Intake-Kind), to whom (To, Cc), and the Reply-To a maintainer answers.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import nodemailer from 'nodemailer';
import { startLocalStack, type LocalStack } from '../../lambdas/local/stack';

export const ROOT = join(__dirname, '../..');
export const example = (name: string) => join(ROOT, 'examples', `${name}.json`);
export const exampleMail = (name: string) => readFile(join(ROOT, 'examples/mail', `${name}.eml`), 'utf8');

const SELECTOR = 'seed';

export interface SentMail {
  /** File name in the outbox folder. */
  file: string;
  kind: string;
  /** The Date header, ISO 8601 without milliseconds: `2026-10-20T21:00:00Z`. */
  date: string;
  to: string[];
  cc: string[];
  from: string;
  replyTo: string;
  subject: string;
  text: string;
  autoSubmitted?: string;
}

export interface FiredTimer {
  key: string;
  dueAt: string;
  firedAt: string;
}

export interface Scenario {
  stack: LocalStack;
  /** Moves the clock to an instant (ISO), firing every timer due on the way, in order. */
  advanceTo(iso: string): Promise<void>;
  /** Delivers raw mail over SMTP, DKIM-signed for the From domain when `sign` is set. Returns the SES-like ID. */
  deliver(raw: string, envelope: { from: string; to: string }, sign?: boolean): Promise<string>;
  /** Every mail in the outbox folder, oldest first. */
  outbox(): Promise<SentMail[]>;
  /** `timer.fired` audit events of a report, in firing order. */
  fired(reportId: string): Promise<FiredTimer[]>;
  close(): Promise<void>;
}

const isoSeconds = (d: Date) => d.toISOString().replace(/\.000Z$/, 'Z');

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return list.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
}

/** Starts the stack for one example config at `startAt`, with DKIM keys published for the maintainer domains. */
export async function startScenario(opts: { config: string; startAt: string; maintainerDomains: string[] }): Promise<Scenario> {
  const data = await mkdtemp(join(tmpdir(), 'secintake-seed-'));
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const dkimKey = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const txt: Record<string, string[]> = {};
  for (const domain of opts.maintainerDomains) {
    txt[`${SELECTOR}._domainkey.${domain}`] = [`v=DKIM1; k=rsa; p=${p}`];
    txt[`_dmarc.${domain}`] = ['v=DMARC1; p=reject'];
  }
  const dns = join(data, 'dns.json');
  await writeFile(dns, JSON.stringify({ TXT: txt }));
  const stack = await startLocalStack({
    config: opts.config,
    data: join(data, 'stack'),
    frozenClock: true,
    startAt: new Date(opts.startAt),
    port: 0,
    controlPort: 0,
    dns,
  });

  return {
    stack,
    advanceTo: (iso) => stack.runner.advanceTo(new Date(iso)),
    async deliver(raw, envelope, sign = false) {
      const domain = envelope.from.slice(envelope.from.indexOf('@') + 1);
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: stack.smtpPort,
        secure: false,
        ignoreTLS: true,
        ...(sign ? { dkim: { domainName: domain, keySelector: SELECTOR, privateKey: dkimKey } } : {}),
      });
      try {
        const info = await transport.sendMail({ envelope: { from: envelope.from, to: [envelope.to] }, raw });
        await stack.runner.idle();
        const id = /queued as ([0-9a-f]+)/.exec(String(info.response))?.[1];
        if (!id) throw new Error(`unexpected SMTP response: ${info.response}`);
        return id;
      } finally {
        transport.close();
      }
    },
    async outbox() {
      const files = (await readdir(stack.outboxDir).catch(() => [] as string[])).filter((f) => f.endsWith('.eml')).sort();
      const mails: SentMail[] = [];
      for (const file of files) {
        const parsed = await simpleParser(await readFile(join(stack.outboxDir, file)));
        mails.push({
          file,
          kind: String(parsed.headers.get('x-security-intake-kind') ?? ''),
          date: isoSeconds(parsed.date!),
          to: addresses(parsed.to),
          cc: addresses(parsed.cc),
          from: addresses(parsed.from)[0] ?? '',
          replyTo: addresses(parsed.replyTo)[0] ?? '',
          subject: parsed.subject ?? '',
          text: parsed.text ?? '',
          autoSubmitted: parsed.headers.get('auto-submitted') as string | undefined,
        });
      }
      return mails;
    },
    async fired(reportId) {
      const events = await stack.deps.store.listEvents(reportId);
      return events
        .filter((e) => e.type === 'timer.fired')
        .map((e) => ({ key: e.key, dueAt: isoSeconds(new Date(e.detail['dueAt'] as string)), firedAt: isoSeconds(new Date(e.detail['firedAt'] as string)) }));
    },
    async close() {
      await stack.close();
      await rm(data, { recursive: true, force: true });
    },
  };
}

/** A plain-text message with the headers a mail client writes; `date` is the instant it was written. */
export function plainMail(m: {
  from: string;
  to: string;
  subject: string;
  date: string;
  messageId: string;
  inReplyTo?: string;
  body: string;
}): string {
  return [
    `From: ${m.from}`,
    `To: ${m.to}`,
    `Subject: ${m.subject}`,
    `Date: ${new Date(m.date).toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${m.messageId}>`,
    ...(m.inReplyTo ? [`In-Reply-To: ${m.inReplyTo}`, `References: ${m.inReplyTo}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    m.body.replace(/\r?\n/g, '\r\n'),
    '',
  ].join('\r\n');
}

/** An example .eml with its Date header moved to the instant it is sent (and optionally another To). */
export function redated(raw: string, iso: string, to?: string): string {
  let out = raw.replace(/^Date: .*$/m, `Date: ${new Date(iso).toUTCString().replace('GMT', '+0000')}`);
  if (to) out = out.replace(/^To: .*$/m, `To: ${to}`);
  return out.replace(/\r?\n/g, '\r\n');
}

/** The outbox as `date kind -> recipients` lines: one readable expectation per scenario. */
export function timelineOf(mails: SentMail[]): string[] {
  return mails.map((m) => `${m.date} ${m.kind} -> ${[...m.to, ...m.cc.map((c) => `cc:${c}`)].join(' ')}`);
}
