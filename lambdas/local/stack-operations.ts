/**
 * What the CLI can ask of the local stack. One implementation runs against a stack in this process; the control
 * API (control-server.ts) exposes the same operations to a CLI in another process while `start` runs, since
 * dynalite's LevelDB can be opened by one process only.
 */
import type { Config } from '../core/config';
import { addDuration } from '../core/deadline';
import { InvalidDuration, parseDuration } from '../core/duration';
import type { InboundFacts, Verdicts } from '../core/report';
import type { ReportSummary, ReportView } from '../app/read-operations';
import { normalizeReportId } from '../core/report-id';
import { isFinished } from '../core/timeline';
import type { Deps } from '../app/deps';
import { receiveMail, type IntakeResult } from '../app/receive-mail';
import { promoteHeld, type Promotion } from '../app/held-mail';
import type { ReplayableInboundRecord } from '../adapters/local/smtp-inbound';
import type { OutboxEntry } from '../adapters/local/outbox-folder-list';
import { RawMessageNotFound } from '../ports/raw-mail-store';
import { INBOUND_PREFIX } from '../adapters/aws/ses-inbound-event';
import { headerFields, importMessage, importRecipients, returnPath, sendImportDigests, type ImportOptions, type ImportResult } from './import-mail';
import { expandPaths, readMessages } from './import-sources';

import { UserError } from './user-error';
import { readOperations, summarize } from './read-operations';

export { UserError, summarize };

export type { ReportSummary, ReportView } from '../app/read-operations';

export interface ClockMove {
  from: string;
  to: string;
}

export type OutboxFile = OutboxEntry;

export interface ImportSummary {
  messages: number;
  outcomes: Record<string, number>;
  /** With --send-receipts: the maintainers' digest of still-open imported reports, one per project. */
  digests?: number;
}

export interface StackOperations {
  reports(): Promise<ReportSummary[]>;
  show(id: string): Promise<ReportView>;
  clockNow(): Promise<{ now: string }>;
  clockAdvance(duration: string): Promise<ClockMove>;
  clockSet(iso: string): Promise<ClockMove>;
  replay(sesMessageId: string, force: boolean): Promise<IntakeResult>;
  outbox(): Promise<OutboxFile[]>;
  outboxShow(n: number): Promise<{ file: string; raw: string }>;
  import(paths: string[], opts: ImportOptions, onResult: (r: ImportResult) => void): Promise<ImportSummary>;
  /** Opens a report from held mail (the reference in the held-mail digest), as `Promote:` by mail does. */
  promote(ref: string): Promise<Promotion>;
  /** Open reports whose workflow is not running (after a crash, or a stopped stack). */
  orphans(): Promise<string[]>;
  /** Inbound messages whose intake failed: stored raw, waiting for `replay`. */
  failedInbound(): Promise<{ sesMessageId: string; reason?: string; at: string }[]>;
}

/** The parts of the local stack these operations drive. */
export interface OperableStack {
  deps: Deps;
  /** Moves the local clock forward, firing every timer due on the way once, in order. */
  advanceTo(t: Date): Promise<void>;
  outboxDir: string;
}

export function parseClockDuration(text: string, config: Config, now: Date): Date {
  try {
    parseDuration(text);
  } catch (err) {
    if (err instanceof InvalidDuration) throw new UserError(`${err.message}; e.g. clock advance 72h`, 2);
    throw err;
  }
  // business units count in the first project's calendar; h and m are elapsed time, d the same wall time
  return addDuration(now, text, config.projects[0].calendar);
}

export function localOperations(stack: OperableStack): StackOperations {
  const { deps } = stack;

  const move = async (to: Date): Promise<ClockMove> => {
    const from = deps.clock.now();
    if (Number.isNaN(to.getTime())) throw new UserError('not a date: use ISO 8601, e.g. 2027-03-15T09:00:00Z', 2);
    if (to.getTime() < from.getTime()) {
      throw new UserError(`the local clock only moves forward: it is ${from.toISOString()}, ${to.toISOString()} is earlier`);
    }
    await stack.advanceTo(to);
    return { from: from.toISOString(), to: deps.clock.now().toISOString() };
  };

  const reads = readOperations({ config: deps.config, store: deps.store, clock: deps.clock, outboxDir: stack.outboxDir });

  return {
    ...reads,
    clockAdvance: (duration) => move(parseClockDuration(duration, deps.config, deps.clock.now())),
    clockSet: (iso) => move(new Date(iso)),

    async replay(sesMessageId, force) {
      const record = (await deps.store.getInbound(sesMessageId)) as ReplayableInboundRecord | undefined;
      if (record?.state === 'done' && !force) {
        throw new UserError(
          `${sesMessageId} was already processed (${record.outcome ?? 'done'}${record.reportId ? ` on ${record.reportId}` : ''}); use --force to run it again`,
        );
      }
      const rawKey = record?.rawKey ?? `inbound/${sesMessageId}`;
      let raw: Buffer;
      try {
        raw = await streamToBuffer(await deps.raw.get(rawKey));
      } catch (err) {
        if (err instanceof RawMessageNotFound) throw new UserError(`no stored message ${sesMessageId} (looked for ${rawKey})`);
        throw err;
      }
      const facts = record?.facts ?? factsFromHeaders(deps, sesMessageId, rawKey, raw);
      // receiveMail returns the recorded outcome of a 'done' message: mark it failed to run it again (--force)
      if (record?.state === 'done') await deps.store.putInbound({ ...record, state: 'failed', reason: 'replay --force' });
      try {
        return await receiveMail(deps, facts);
      } catch (err) {
        const reason = `${(err as Error).name}: ${(err as Error).message}`;
        const failed: ReplayableInboundRecord = {
          sesMessageId,
          state: 'failed',
          reason,
          rawKey,
          at: deps.clock.now().toISOString(),
          attempts: (record?.attempts ?? 0) + 1,
          facts,
        };
        await deps.store.putInbound(failed);
        throw new UserError(`replay of ${sesMessageId} failed again: ${reason}`);
      }
    },

    async import(paths, opts, onResult) {
      const files = await expandPaths(paths);
      const summary: ImportSummary = { messages: 0, outcomes: {} };
      const opened: string[] = [];
      for (const file of files) {
        for (const message of await readMessages(file)) {
          const result = await importMessage(deps, message, opts);
          summary.messages++;
          summary.outcomes[result.outcome] = (summary.outcomes[result.outcome] ?? 0) + 1;
          if (result.outcome === 'report' && result.reportId && !result.duplicate) opened.push(result.reportId);
          onResult(result);
        }
      }
      if (opts.sendReceipts && opened.length) summary.digests = await sendImportDigests(deps, opened);
      return summary;
    },

    async promote(ref) {
      const id = normalizeReportId(ref);
      if (!id) throw new UserError(`${JSON.stringify(ref)} is not a held-mail reference (they look like K7QM-2XPD)`, 2);
      const result = await promoteHeld(deps, id, 'the local operator (secintake promote)', `cli-promote:${id}`);
      if (!result.ok) throw new UserError(`${result.reason} (the held-mail digest lists the references)`);
      return result;
    },

    async failedInbound() {
      const failed = (await deps.store.listFailedInbound()).map(({ sesMessageId, reason, at }) => ({ sesMessageId, reason, at }));
      // A message stored and then cut off (kill -9, power loss) before intake recorded anything has no failure
      // record: every stored raw message without a finished record is listed too, so none is forgotten.
      const known = new Set(failed.map((f) => f.sesMessageId));
      for await (const key of deps.raw.list(INBOUND_PREFIX)) {
        const id = key.slice(INBOUND_PREFIX.length);
        if (known.has(id)) continue;
        const record = await deps.store.getInbound(id);
        if (record?.state === 'done') continue;
        failed.push({ sesMessageId: id, reason: record?.reason ?? 'intake never finished: cut off before it recorded anything', at: record?.at ?? '' });
      }
      return failed;
    },

    async orphans() {
      const open = (await deps.store.listReports()).filter((r) => !isFinished(r));
      const orphaned: string[] = [];
      for (const r of open) if (!(await deps.workflow.isRunning(r.id, r.generation ?? 0))) orphaned.push(r.id);
      return orphaned;
    },
  };
}

/** A message stored without a failure record (a crash before intake recorded anything): facts from its headers. */
function factsFromHeaders(deps: Deps, sesMessageId: string, rawKey: string, raw: Buffer): InboundFacts {
  const fields = headerFields(raw, deps.config.limits.maxHeaderBytes);
  const verdicts: Verdicts = { spf: 'UNKNOWN', dkim: 'UNKNOWN', dmarc: 'UNKNOWN', spam: 'UNKNOWN', virus: 'UNKNOWN' };
  return {
    sesMessageId,
    recipients: importRecipients(fields, deps.config),
    verdicts,
    receivedAt: deps.clock.now().toISOString(),
    rawKey,
    mailFrom: returnPath(fields),
  };
}

async function streamToBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}
