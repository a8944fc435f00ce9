/**
 * The intake path with nothing but our own code in it, for the CPU figure of issue 16's budget row "our own code
 * per small message (parse + classify + plan, store excluded)" (bench/own-cpu.ts) and its profile
 * (bench/own-code-profile.ts): no server of any kind in the process (no dynalite, no SMTP sink), the report store
 * and the raw store in memory, the workflow and the sender no-ops.
 *
 * The edges, like the store, are left out of the budget figure:
 * - the store: every call of the in-memory report store and raw store is timed (their bodies are synchronous)
 *   and its CPU subtracted; it is still printed on its own row;
 * - MIME composing and sending: with `compose: false` the composer returns a fixed buffer (the drafts, i.e. the
 *   text, recipients and attachments of the receipt and the notice, are still built by our code: that is the
 *   plan); with `compose: true` nodemailer composes both mails as in the Lambda.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Deps } from '../lambdas/app/deps';
import type { Config } from '../lambdas/core/config';
import type { RawMailStore } from '../lambdas/ports/raw-mail-store';
import type { ReportStore } from '../lambdas/ports/report-store';
import { mimeComposer } from '../lambdas/adapters/mime-composer';
import { MailparserParser } from '../lambdas/adapters/mailparser-parser';
import { MailauthDkimVerifier } from '../lambdas/adapters/mailauth-dkim';
import { noMetrics, silentLogger } from '../lambdas/ports/logger';
import { MemoryReportStore } from '../test/fakes/memory-report-store';
import { messageOfSize } from './generate-mail';

/** Raw messages held in memory. */
export class MemoryRawStore implements RawMailStore {
  private readonly bodies = new Map<string, Buffer>();
  async put(key: string, body: Buffer | Readable) {
    this.bodies.set(key, Buffer.isBuffer(body) ? body : Buffer.concat(await body.toArray()));
  }
  async get(key: string) {
    const body = this.bodies.get(key);
    if (!body) throw new Error(`no raw message ${key}`);
    return Readable.from([body]);
  }
  async size(key: string) {
    return this.bodies.get(key)?.length ?? 0;
  }
  async *list(prefix: string) {
    for (const key of this.bodies.keys()) if (key.startsWith(prefix)) yield key;
  }
  async delete(key: string) {
    this.bodies.delete(key);
  }
}

/** CPU microseconds (user + system) spent inside the metered stores' calls since the last `take()` (0 unmetered). */
export class StoreMeter {
  private micros = 0;
  add(before: NodeJS.CpuUsage): void {
    const d = process.cpuUsage(before);
    this.micros += d.user + d.system;
  }
  take(): number {
    const m = this.micros;
    this.micros = 0;
    return m;
  }
}

/**
 * `target` with every method timed: the synchronous body of each call (the in-memory stores never await inside),
 * i.e. all the CPU the store spends; the promise it returns resolves later at no cost of its own.
 */
function metered<T extends object>(target: T, meter: StoreMeter): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      const value = Reflect.get(t, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const before = process.cpuUsage();
        try {
          return (value as (...a: unknown[]) => unknown).apply(t, args);
        } finally {
          meter.add(before);
        }
      };
    },
  });
}

const COMPOSED = Buffer.from('(not composed: MIME composing is measured on its own row)\r\n');

export interface QuietIntake {
  deps: Deps;
  meter: StoreMeter;
  /** CPU inside the parser's calls, from the call until its promise settles (nothing else runs meanwhile: the
   *  intake awaits it, and the process runs one intake at a time); metered runs only. */
  parseMeter: StoreMeter;
  /** Mails sent so far (two per new report: the receipt and the notice). */
  sent(): number;
  /** A fresh report store (the Lambda holds no reports between invocations; a store of thousands would only
   *  make the garbage collector's work grow with the run's length). */
  resetStore(): void;
}

export function quietIntake(config: Config, options: { compose: boolean; meterStore?: boolean }): QuietIntake {
  const meter = new StoreMeter();
  const parseMeter = new StoreMeter();
  const parser = new MailparserParser();
  const wrap = <T extends object>(store: T): T => (options.meterStore ? metered(store, meter) : store);
  const raw = wrap(new MemoryRawStore());
  let sent = 0;
  const deps: Deps = {
    config,
    store: wrap<ReportStore>(new MemoryReportStore()),
    raw,
    parser: options.meterStore
      ? {
          parse: async (...args: Parameters<MailparserParser['parse']>) => {
            const before = process.cpuUsage();
            try {
              return await parser.parse(...args);
            } finally {
              parseMeter.add(before);
            }
          },
        }
      : parser,
    // no DNS: the bench's mail is nobody's maintainer mail, so the verifier is never even loaded
    dkim: new MailauthDkimVerifier(async (name) => {
      throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    }),
    composer: options.compose ? mimeComposer : { compose: async () => COMPOSED },
    sender: { send: async () => ({ providerId: `bench-${++sent}` }) },
    workflow: { start: async () => {}, wake: async () => {}, finish: async () => {}, isRunning: async () => true },
    clock: { now: () => new Date() },
    keys: { replyAddressKey: async () => Buffer.alloc(32, 1) },
    log: silentLogger,
    metrics: noMetrics,
  };
  return {
    deps,
    meter,
    parseMeter,
    sent: () => sent,
    resetStore() {
      deps.store = wrap<ReportStore>(new MemoryReportStore());
    },
  };
}

/**
 * The bench's 5 KB report (generate-mail.ts: a short text and a base64 attachment) from a sender of its own, so
 * that every report gets its receipt (3 per sender and hour) as well as the maintainers' notice.
 */
export function smallReport(i: number, to: string): Buffer {
  const m = messageOfSize(5 * 1024, i, to).toString('latin1');
  return Buffer.from(m.replace(/^From: Bench Reporter <bench\d+@/m, `From: Bench Reporter <reporter-${i}@`), 'latin1');
}

export function newDeliveryId(): string {
  return randomBytes(10).toString('hex');
}
