/**
 * Fuzzing intake (trust boundary 1): real messages from ../shared/corpus, mutated the ways broken and hostile
 * mail is broken (truncation, byte flips, duplicated and reordered headers, garbled boundaries, garbage
 * Content-Type/charset/encoding, CR-only and mixed line endings, NUL bytes, very long lines, deep nesting),
 * each run through the real intake use case with the real parser. Property: exactly one outcome, the raw kept,
 * no exception escapes, no hang. A failing mutant is written to test/fixtures/mail/ as a named regression.
 *
 * Used by test/app/intake-fuzz.test.ts (fixed seed, bounded count) and `npm run fuzz -- --runs N --seed S`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { receiveMail } from '../../lambdas/app/receive-mail';
import type { Deps } from '../../lambdas/app/deps';
import type { Config } from '../../lambdas/core/config';
import { FsRawStore } from '../../lambdas/adapters/local/fs-raw-store';
import { MailparserParser } from '../../lambdas/adapters/mailparser-parser';
import { MailauthDkimVerifier } from '../../lambdas/adapters/mailauth-dkim';
import { offlineResolver } from '../../lambdas/adapters/local/mail-auth';
import { mimeComposer } from '../../lambdas/adapters/mime-composer';
import { noMetrics, silentLogger } from '../../lambdas/ports/logger';
import { MemoryReportStore } from '../fakes/memory-report-store';
import { CapturingSender, MovableClock, RecordingWorkflow, fixedKey, loadExample } from './intake-harness';

export const CORPUS = join(__dirname, '../../../shared/corpus');
export const FIXTURES = join(__dirname, '../fixtures/mail');
const OUTCOMES = new Set(['report', 'followup', 'maintainer', 'ignored', 'quarantined']);

export function corpusMessages(limit = Infinity): { file: string; bytes: Buffer }[] {
  const rows = readFileSync(join(CORPUS, 'INDEX.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[0]!);
  return rows.slice(0, limit).map((file) => ({ file, bytes: readFileSync(join(CORPUS, file)) }));
}

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'duplicateHeader'; line: number }
  | { kind: 'swapHeaders'; a: number; b: number }
  | { kind: 'garbleBoundary'; junk: string }
  | { kind: 'garbageValue'; field: 'content-type' | 'charset' | 'content-transfer-encoding'; value: string }
  | { kind: 'lineEndings'; style: 'cr' | 'mixed' | 'lf' }
  | { kind: 'nul'; at: number }
  | { kind: 'longLine'; at: number; length: number }
  | { kind: 'nest'; depth: number };

const GARBAGE = ['', ';', '; name="x.jpg"', '/', 'text/', '"', 'multipart/mixed', 'multipart/mixed; boundary=', 'x'.repeat(300), '=?utf-8?B?AAAA?=', '\u0000', 'base64; charset=unknown-8bit'];

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) as unknown as fc.Arbitrary<number> }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(1_000_000), byte: fc.nat(255) }),
  fc.record({ kind: fc.constant('duplicateHeader' as const), line: fc.nat(40) }),
  fc.record({ kind: fc.constant('swapHeaders' as const), a: fc.nat(40), b: fc.nat(40) }),
  fc.record({ kind: fc.constant('garbleBoundary' as const), junk: fc.constantFrom('', '--', 'x', '"', '--b--', '\r\n') }),
  fc.record({
    kind: fc.constant('garbageValue' as const),
    field: fc.constantFrom('content-type' as const, 'charset' as const, 'content-transfer-encoding' as const),
    value: fc.constantFrom(...GARBAGE),
  }),
  fc.record({ kind: fc.constant('lineEndings' as const), style: fc.constantFrom('cr' as const, 'mixed' as const, 'lf' as const) }),
  fc.record({ kind: fc.constant('nul' as const), at: fc.nat(1_000_000) }),
  fc.record({ kind: fc.constant('longLine' as const), at: fc.nat(1_000_000), length: fc.integer({ min: 1000, max: 200_000 }) }),
  fc.record({ kind: fc.constant('nest' as const), depth: fc.integer({ min: 1, max: 40 }) }),
);

function headerEnd(b: Buffer): number {
  const crlf = b.indexOf('\r\n\r\n');
  const lf = b.indexOf('\n\n');
  const ends = [crlf, lf].filter((i) => i >= 0);
  return ends.length ? Math.min(...ends) : b.length;
}

export function mutate(input: Buffer, m: Mutation): Buffer {
  const b = Buffer.from(input);
  const at = (n: number) => (b.length ? n % b.length : 0);
  switch (m.kind) {
    case 'truncate':
      return b.subarray(0, Math.floor(b.length * m.at));
    case 'flip':
      if (b.length) b[at(m.at)] = m.byte;
      return b;
    case 'duplicateHeader':
    case 'swapHeaders': {
      const end = headerEnd(b);
      const lines = b.subarray(0, end).toString('latin1').split(/(?<=\n)/);
      if (!lines.length) return b;
      if (m.kind === 'duplicateHeader') lines.splice(m.line % lines.length, 0, lines[m.line % lines.length]!);
      else {
        const i = m.a % lines.length;
        const j = m.b % lines.length;
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      }
      return Buffer.concat([Buffer.from(lines.join(''), 'latin1'), b.subarray(end)]);
    }
    case 'garbleBoundary': {
      const text = b.toString('latin1');
      const match = /boundary="?([^";\r\n]+)"?/i.exec(text);
      if (!match) return b;
      return Buffer.from(text.split(`--${match[1]}`).join(`--${m.junk}`), 'latin1');
    }
    case 'garbageValue': {
      const text = b.toString('latin1');
      const re =
        m.field === 'charset' ? /charset="?[^";\r\n]*"?/gi : m.field === 'content-type' ? /^content-type:[^\r\n]*/gim : /^content-transfer-encoding:[^\r\n]*/gim;
      const replacement = m.field === 'charset' ? `charset=${m.value}` : `${m.field === 'content-type' ? 'Content-Type' : 'Content-Transfer-Encoding'}: ${m.value}`;
      return Buffer.from(text.replace(re, replacement), 'latin1');
    }
    case 'lineEndings': {
      const text = b.toString('latin1').replace(/\r\n/g, '\n');
      if (m.style === 'lf') return Buffer.from(text, 'latin1');
      if (m.style === 'cr') return Buffer.from(text.replace(/\n/g, '\r'), 'latin1');
      let n = 0;
      return Buffer.from(text.replace(/\n/g, () => (n++ % 3 === 0 ? '\r' : n % 3 === 1 ? '\n' : '\r\n')), 'latin1');
    }
    case 'nul':
      return Buffer.concat([b.subarray(0, at(m.at)), Buffer.from([0]), b.subarray(at(m.at))]);
    case 'longLine':
      return Buffer.concat([b.subarray(0, at(m.at)), Buffer.alloc(m.length, 0x41), b.subarray(at(m.at))]);
    case 'nest': {
      let body = b;
      for (let i = 0; i < m.depth; i++) {
        body = Buffer.concat([
          Buffer.from(`Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}\r\nContent-Type: message/rfc822\r\n\r\n`),
          body,
          Buffer.from(`\r\n--n${i}--\r\n`),
        ]);
      }
      return Buffer.concat([Buffer.from('From: nest@fuzz.example\r\nTo: security@hashberg.io\r\nMIME-Version: 1.0\r\n'), body]);
    }
  }
}

export interface FuzzHarness {
  deps: Deps;
  raw: FsRawStore;
  close(): Promise<void>;
}

export async function fuzzHarness(config: Config = loadExample('bases')): Promise<FuzzHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'secintake-fuzz-'));
  const raw = new FsRawStore(join(dir, 'raw'));
  const deps: Deps = {
    config,
    store: new MemoryReportStore(),
    raw,
    // a hang is a failure too: the parse guard is short here, and the property fails on the timeout reason
    parser: new MailparserParser({ timeoutMs: 20_000 }),
    dkim: new MailauthDkimVerifier(offlineResolver({})),
    composer: mimeComposer,
    sender: new CapturingSender(),
    workflow: new RecordingWorkflow(),
    clock: new MovableClock(new Date('2027-03-12T21:02:00Z')),
    keys: fixedKey,
    log: silentLogger,
    metrics: noMetrics,
  };
  return { deps, raw, close: () => rm(dir, { recursive: true, force: true }) };
}

let counter = 0;
/** One mutant through intake: the property's assertions; throws (with the reason) when it does not hold. */
export async function checkOne(h: FuzzHarness, bytes: Buffer, recipients = ['security@hashberg.io']): Promise<string> {
  const sesMessageId = `fuzz-${process.pid}-${++counter}`;
  const rawKey = `inbound/${sesMessageId}`;
  await h.raw.put(rawKey, bytes);
  const result = await receiveMail(h.deps, {
    sesMessageId,
    recipients,
    verdicts: { spf: 'GRAY', dkim: 'GRAY', dmarc: 'GRAY', spam: 'PASS', virus: 'PASS' },
    receivedAt: h.deps.clock.now().toISOString(),
    rawKey,
    mailFrom: 'fuzz@fuzz.example',
  });
  if (!OUTCOMES.has(result.outcome)) throw new Error(`unknown outcome ${result.outcome}`);
  if (/did not finish within/.test(result.reason)) throw new Error(`parse hang: ${result.reason}`);
  const inbound = await h.deps.store.getInbound(sesMessageId);
  if (inbound?.state !== 'done') throw new Error('no finished inbound record');
  if ((await h.raw.size(rawKey)) !== bytes.length) throw new Error('raw message not kept whole');
  return result.outcome;
}

/** Runs `runs` mutants of the corpus; on a failure writes the mutant as a fixture and rethrows. */
export async function fuzzIntake(opts: { runs: number; seed: number; onProgress?: (n: number) => void }): Promise<Record<string, number>> {
  const seeds = corpusMessages();
  const h = await fuzzHarness();
  const outcomes: Record<string, number> = {};
  let n = 0;
  let current: { name: string; bytes: Buffer } | undefined;
  // an exception escaping inside a stream event kills the process: keep the mutant that did it
  const onCrash = (err: Error) => {
    if (current) writeFileSync(join(FIXTURES, current.name), current.bytes);
    process.stderr.write(`fuzz: the process crashed on ${current?.name ?? 'an unknown mutant'} (written to test/fixtures/mail/): ${err.stack}\n`);
    process.exit(1);
  };
  process.on('uncaughtException', onCrash);
  try {
    await fc.assert(
      fc.asyncProperty(fc.nat(seeds.length - 1), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), async (which, mutations) => {
        const bytes = mutations.reduce((b, m) => mutate(b, m), seeds[which]!.bytes);
        current = { name: `fuzz-crash-${opts.seed}-${n}-${seeds[which]!.file.replace(/[^A-Za-z0-9]+/g, '_')}.eml`, bytes };
        try {
          const outcome = await checkOne(h, bytes);
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        } catch (err) {
          const name = `fuzz-${opts.seed}-${seeds[which]!.file.replace(/[^A-Za-z0-9]+/g, '_')}.eml`;
          await writeFile(join(FIXTURES, name), bytes);
          throw new Error(`${(err as Error).message} (mutant of ${seeds[which]!.file} by ${JSON.stringify(mutations).slice(0, 300)}; written to test/fixtures/mail/${name})`);
        }
        opts.onProgress?.(++n);
      }),
      { numRuns: opts.runs, seed: opts.seed, endOnFailure: true },
    );
  } finally {
    process.off('uncaughtException', onCrash);
    await h.close();
  }
  return outcomes;
}

export function fixtureFiles(): string[] {
  return readdirSync(FIXTURES).filter((f) => f.endsWith('.eml'));
}
