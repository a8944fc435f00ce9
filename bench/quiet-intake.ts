/**
 * The intake path with nothing but our own code in it, for the CPU figure of issue 16's budget row "our own code
 * per small message (parse + classify + plan, store excluded)" (bench/own-cpu.ts) and its profile
 * (bench/own-code-profile.ts): no server of any kind in the process (no dynalite, no SMTP sink), the report store
 * and the raw store in memory, the workflow and the sender no-ops.
 *
 * The edges, like the store, are left out of the budget figure:
 * - the store: every call of the in-memory report store and raw store is noted and replayed afterwards (their
 *   bodies are synchronous), and the replay's CPU subtracted; it is still printed on its own row;
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
import { edges } from './bench-edges';
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

/** CPU microseconds (user + system) spent inside a timed call since the last `take()`. */
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

interface StoreCall { store: 'report' | 'raw'; method: string; args: unknown[] }

/**
 * `target` with every method call noted (which store, which method, the arguments), nothing else: a note costs
 * a push. The calls are replayed later, outside the measurement (`QuietIntake.storeCost`).
 */
function recorded<T extends object>(target: T, store: StoreCall['store'], log: StoreCall[] | undefined): T {
  if (!log) return target;
  return new Proxy(target, {
    get(t, prop, receiver) {
      const value = Reflect.get(t, prop, receiver) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        log.push({ store, method: prop, args });
        return (value as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}

const COMPOSED = Buffer.from('(not composed: MIME composing is measured on its own row)\r\n');

export interface QuietIntake {
  deps: Deps;
  /**
   * The CPU of the store calls since the last call of this (a recording run only): the same calls, with the same
   * arguments in the same order, replayed on a fresh in-memory store (the measured run's store is fresh for each
   * report too, see `resetStore`) and on the raw store, timed as one block. No timing inside the measured call;
   * the replay runs with warm caches, so if anything it finds the store cheaper than it was (the figure higher).
   */
  storeCost(): number;
  /** CPU inside the parser's calls, from the call until its promise settles (nothing else runs meanwhile: the
   *  intake awaits it, and the process runs one intake at a time); metered runs only. */
  parseMeter: StoreMeter;
  /** Mails sent so far (two per new report: the receipt and the notice). */
  sent(): number;
  /** A fresh report store (the Lambda holds no reports between invocations; a store of thousands would only
   *  make the garbage collector's work grow with the run's length). */
  resetStore(): void;
}

export function quietIntake(config: Config, options: { compose: boolean; recordStore?: boolean }): QuietIntake {
  const log: StoreCall[] | undefined = options.recordStore ? [] : undefined;
  const parseMeter = new StoreMeter();
  const parser = new MailparserParser();
  const rawStore = new MemoryRawStore();
  const raw = recorded(rawStore, 'raw', log);
  let sent = 0;
  const deps: Deps = {
    config,
    store: recorded<ReportStore>(new MemoryReportStore(), 'report', log),
    raw,
    parser: options.recordStore
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
    ...edges(options.compose ? mimeComposer : { compose: async () => COMPOSED }, () => ++sent),
  };
  return {
    deps,
    parseMeter,
    storeCost() {
      const calls = log ? log.splice(0) : [];
      const replay = new MemoryReportStore();
      const pending: unknown[] = [];
      const before = process.cpuUsage();
      for (const { store, method, args } of calls) {
        const target = (store === 'raw' ? rawStore : replay) as unknown as Record<string, (...a: unknown[]) => unknown>;
        try {
          pending.push(target[method]!(...args));
        } catch {
          // a call that threw in the run throws here too: its cost is counted all the same
        }
      }
      const used = process.cpuUsage(before);
      for (const p of pending) if (p instanceof Promise) p.catch(() => undefined);
      return used.user + used.system;
    },
    sent: () => sent,
    resetStore() {
      deps.store = recorded<ReportStore>(new MemoryReportStore(), 'report', log);
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
