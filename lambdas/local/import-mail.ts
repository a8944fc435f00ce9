/**
 * `secintake import`: mail saved elsewhere goes through the same intake path as mail received over SMTP:
 * stored in the raw store first under `inbound/<id>`, then receiveMail with UNKNOWN verdicts (nothing was
 * verified at receipt), as history (`InboundFacts.imported`): the arrival is when the message arrived back then
 * (the top Received field's date, else Date, never later than now), so timers count from there, and no mail is
 * sent unless `sendReceipts`.
 *
 * The ID is derived from the recipients and the bytes, so importing the same mailbox twice finds the first run's
 * records ("already processed") instead of opening every report again.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../core/config';
import type { CheckResult, InboundFacts, Outcome, Report, Verdicts } from '../core/report';
import { importDigestDraft } from '../core/drafts';
import { deadlinesOf, isFinished } from '../core/timeline';
import { sendOnce } from '../app/outbox';
import { baseAddress } from '../core/reply-address';
import type { Deps } from '../app/deps';
import { receiveMail } from '../app/receive-mail';
import type { ReplayableInboundRecord } from '../adapters/local/smtp-inbound';
import type { ImportMessage } from './import-sources';

export interface ImportResult {
  file: string;
  sesMessageId: string;
  /** 'failed': intake threw; the raw is stored and the failure recorded, `replay` re-runs it. */
  outcome: Outcome | 'failed';
  reportId?: string;
  checks: CheckResult[];
  reason: string;
  duplicate?: boolean;
}

const UNKNOWN: Verdicts = { spf: 'UNKNOWN', dkim: 'UNKNOWN', dmarc: 'UNKNOWN', spam: 'UNKNOWN', virus: 'UNKNOWN' };
const RECIPIENT_FIELDS = new Set(['to', 'cc', 'delivered-to', 'x-original-to', 'envelope-to']);
// addr-spec without quoted local parts or comments: enough to spot our own addresses among the recipients
const ADDRESS = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+/g;

/** Header fields of the top-level header block, unfolded; names lower-cased. Bounded by `maxBytes`. */
export function headerFields(raw: Buffer, maxBytes: number): Array<[string, string]> {
  const head = raw.subarray(0, maxBytes).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const block = (end >= 0 ? head.slice(0, end) : head).replace(/\r?\n[ \t]+/g, ' ');
  const fields: Array<[string, string]> = [];
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return fields;
}

/**
 * Envelope recipients for an imported message: its To/Cc/Delivered-To addresses that are ours (security or
 * reply addresses), else `fallback` (--to), else the first project's first security address.
 */
export function importRecipients(fields: Array<[string, string]>, config: Config, fallback?: string): string[] {
  const ours = new Set(config.projects.flatMap((p) => p.addresses.map(baseAddress)));
  const found: string[] = [];
  for (const [name, value] of fields) {
    if (!RECIPIENT_FIELDS.has(name)) continue;
    for (const address of value.match(ADDRESS) ?? []) {
      const lower = address.toLowerCase();
      if (ours.has(baseAddress(lower)) && !found.includes(lower)) found.push(lower);
    }
  }
  if (found.length) return found;
  return [(fallback ?? config.projects[0].addresses[0]).toLowerCase()];
}

/** The Return-Path a delivering server recorded: '' for the null path `<>` of bounces, undefined when absent. */
export function returnPath(fields: Array<[string, string]>): string | undefined {
  const value = fields.find(([name]) => name === 'return-path')?.[1];
  if (value === undefined) return undefined;
  const m = /<([^>]*)>/.exec(value);
  return (m ? m[1] : value).trim();
}

export function importMessageId(recipients: string[], raw: Buffer): string {
  return createHash('sha256').update(recipients.join(',')).update('\0').update(raw).digest('hex').slice(0, 40);
}

/**
 * When the message arrived: the date of the topmost Received field (the last hop, RFC 5321 section 4.4: the
 * date follows the last `;`), else the Date field, else now; never after now (a sender's clock can be ahead).
 */
export function arrivalOf(fields: Array<[string, string]>, now: Date): Date {
  const received = fields.find(([name]) => name === 'received')?.[1];
  const candidates = [received === undefined ? undefined : received.slice(received.lastIndexOf(';') + 1), fields.find(([name]) => name === 'date')?.[1]];
  for (const text of candidates) {
    if (text === undefined) continue;
    const t = Date.parse(text.replace(/\([^)]*\)/g, ' ').trim());
    // before 1990 is a broken clock or a parse of something that is no date
    if (Number.isFinite(t) && t > Date.UTC(1990, 0, 1)) return new Date(Math.min(t, now.getTime()));
  }
  return now;
}

export interface ImportOptions {
  to?: string;
  /** Send receipts to the reporters of imported reports (otherwise no mail at all). */
  sendReceipts?: boolean;
}

export async function importMessage(deps: Deps, message: ImportMessage, opts: ImportOptions = {}): Promise<ImportResult> {
  const fields = headerFields(message.raw, deps.config.limits.maxHeaderBytes);
  const recipients = importRecipients(fields, deps.config, opts.to);
  const sesMessageId = importMessageId(recipients, message.raw);
  const rawKey = `inbound/${sesMessageId}`;
  const facts: InboundFacts = {
    sesMessageId,
    recipients,
    verdicts: UNKNOWN,
    receivedAt: arrivalOf(fields, deps.clock.now()).toISOString(),
    rawKey,
    mailFrom: returnPath(fields),
    imported: { sendReceipts: opts.sendReceipts === true },
  };
  try {
    await deps.raw.put(rawKey, message.raw);
    const result = await receiveMail(deps, facts);
    return { file: message.source, ...result, sesMessageId };
  } catch (err) {
    const reason = `${(err as Error).name}: ${(err as Error).message}`;
    deps.log.error('import: intake failed; stored for replay', { sesMessageId, error: reason });
    const record: ReplayableInboundRecord = { sesMessageId, state: 'failed', reason, rawKey, at: deps.clock.now().toISOString(), attempts: 1, facts };
    await deps.store.putInbound(record);
    deps.metrics.count('intakeFailed');
    return { file: message.source, sesMessageId, outcome: 'failed', checks: [], reason };
  }
}

/** One digest per project of the reports an import opened that are still open (instead of a notice each). */
export async function sendImportDigests(deps: Deps, reportIds: string[]): Promise<number> {
  const now = deps.clock.now();
  const reports = (await Promise.all(reportIds.map((id) => deps.store.getReport(id)))).filter((r): r is Report => r !== undefined);
  let sent = 0;
  for (const project of deps.config.projects) {
    const open = reports.filter((r) => r.project === project.id && !r.quarantine && !isFinished(r));
    if (!open.length) continue;
    const runId = createHash('sha256').update(open.map((r) => r.id).join(',')).digest('hex').slice(0, 16);
    const result = await sendOnce(deps, {
      reportId: `import-${project.id}-${runId}`,
      outboxId: 'import-digest',
      draft: importDigestDraft({ project, now, reports: open.map((report) => ({ report, deadlines: deadlinesOf(report, project, now) })) }),
      envelope: { from: project.addresses[0], replyTo: project.addresses[0], messageIdDomain: deps.config.messageIdDomain, messageIdSeed: runId },
    });
    if (result.sent) sent++;
  }
  return sent;
}
