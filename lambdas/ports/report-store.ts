import type { HeldMessage } from '../core/held';
import type {
  AuditEvent,
  InboundRecord,
  MessageRecord,
  OutboxItem,
  Report,
  ReportStatus,
} from '../core/report';

/**
 * Everything about reports, in one table (DESIGN section 5). Each write is idempotent on its own (deterministic
 * keys, conditional puts), and the use cases order them so that a retry after a crash between any two writes
 * repairs the state. Two writes of a new report's first path are transactions (`createReportWith`,
 * `appendAndRecordInbound`): all or nothing, which lets a few writes be one request without a new crash state.
 *
 * Layout (DynamoDB adapter):
 *   pk REPORT#<id>   sk META                      the Report
 *   pk REPORT#<id>   sk MSG#<at>#<id>             a MessageRecord
 *   pk REPORT#<id>   sk EVENT#<at>#<key>          an AuditEvent
 *   pk REPORT#<id>   sk OUTBOX#<outboxId>         an OutboxItem
 *   pk MSGID#<Message-ID>  sk MSGID               threading index -> reportId
 *   pk INBOUND#<sesMessageId> sk INBOUND           idempotency / failure record
 *   pk RATE#<address>#<hour> sk RATE              receipt rate-limit counter
 *   pk CLAIM#<key>   sk CLAIM                     what must happen once per key (claimOnce): its owner
 *   pk HELD#<ref>    sk HELD                       held mail (core/held.ts), by reference
 *   pk HELDHOUR#<project>#<hour> sk <ref>          the same, listed by project and UTC hour (the digest)
 *   GSI byProject: gsi1pk PROJECT#<project>#<status>, gsi1sk <nextDueAt or createdAt>#<id>
 */
export interface ReportStore {
  getInbound(sesMessageId: string): Promise<InboundRecord | undefined>;
  /** The last write for an inbound message: after it, a redelivery returns the recorded outcome. */
  putInbound(record: InboundRecord): Promise<void>;
  listFailedInbound(): Promise<InboundRecord[]>;

  /** Conditional create: 'exists' when a report with this ID exists from the same origin (a retry). Throws
   *  ReportIdTaken when the ID belongs to a different origin (the caller picks the next candidate ID). */
  createReport(report: Report): Promise<'created' | 'exists'>;
  getReport(id: string): Promise<Report | undefined>;
  /** Optimistic update: applies `patch`, bumps version; throws VersionConflict if the stored version differs. */
  updateReport(id: string, expectedVersion: number, patch: Partial<Report>): Promise<Report>;
  listReports(filter?: { project?: string; status?: ReportStatus[] }): Promise<Report[]>;

  /** One request (BatchWrite) for the items a message adds: its record, its thread index entries, events, and
   *  outbox items written whole (the `sent` state after a send: no condition needed, the sender owns the item). */
  appendToReport(items: ReportItems): Promise<void>;

  /** One read for a new report: the report under `reportId`, and the owner of the claim on `claimKey` if any. */
  getReportAndClaim(reportId: string, claimKey?: string): Promise<{ report?: Report; claimOwner?: string }>;
  /**
   * One atomic write (a transaction): the report created (conditional, as createReport), the claim on
   * `claim.key` taken for `claim.owner` (conditional, as claimOnce) and `items` put (as appendToReport), or none
   * of them. 'created'; 'exists' when a report with this ID exists from the same origin; `{ claimedBy }` when
   * another owner holds the claim; throws ReportIdTaken when the ID belongs to another origin.
   */
  createReportWith(report: Report, opts: { claim?: { key: string; owner: string }; items: ReportItems }): Promise<'created' | 'exists' | { claimedBy: string }>;
  /** One atomic write (a transaction): `items` (as appendToReport) and the inbound record (as putInbound). */
  appendAndRecordInbound(items: ReportItems, record: InboundRecord): Promise<void>;
  listMessages(reportId: string): Promise<MessageRecord[]>;
  listEvents(reportId: string): Promise<AuditEvent[]>;
  /** Report IDs that any of these Message-IDs belong to, first match in the given order. */
  findReportByMessageIds(messageIds: string[]): Promise<string | undefined>;

  /** Conditional create of an outbox item: 'exists' when already recorded (then check its state). */
  putOutbox(item: OutboxItem): Promise<'created' | 'exists'>;
  getOutbox(reportId: string, id: string): Promise<OutboxItem | undefined>;
  markOutboxSent(reportId: string, id: string, providerId: string, sentAt: string): Promise<void>;
  listOutbox(reportId?: string): Promise<OutboxItem[]>;

  /** One conditional write: the owner holding the claim on `key` afterwards, `owner` itself when it took it now
   *  or held it already, else whoever took it first. What must happen once per key, whatever delivers it,
   *  claims first. */
  claimOnce(key: string, owner: string): Promise<string>;

  /** Retention: sets (or, with `undefined`, removes) the TTL of every item of a report, in epoch seconds: the
   *  report record and its audit events get `audit`, its messages, outbox items and thread index `records`. */
  setExpiry(reportId: string, expiry: { records: number; audit: number } | undefined): Promise<void>;
  /** Held mail: neither a report, a follow-up nor a maintainer's message (core/held.ts). Idempotent puts. */
  putHeld(held: HeldMessage): Promise<void>;
  getHeld(ref: string): Promise<HeldMessage | undefined>;
  /** The held mail of one project and UTC hour (`heldHour`), oldest first. */
  listHeld(project: string, hour: string): Promise<HeldMessage[]>;

  /** Atomically count `by` (default 1) more events for a key in a window (ADD); returns the new count. A
   *  negative `by` takes back a count whose event did not happen after all. */
  incrementCounter(key: string, window: string, by?: number): Promise<number>;
}

/** What appendToReport writes: a message's record, its thread index entries, events, outbox items. */
export interface ReportItems {
  messages?: MessageRecord[];
  threadIndex?: { messageId: string; reportId: string }[];
  events?: AuditEvent[];
  outbox?: OutboxItem[];
}

export class VersionConflict extends Error {
  override readonly name = 'VersionConflict';
  constructor(readonly reportId: string) {
    super(`report ${reportId} changed while it was being updated`);
  }
}

export class ReportIdTaken extends Error {
  override readonly name = 'ReportIdTaken';
  constructor(readonly reportId: string) {
    super(`report ID ${reportId} is already used by another message`);
  }
}

export class ReportNotFound extends Error {
  override readonly name = 'ReportNotFound';
  constructor(readonly reportId: string) {
    super(`no report ${reportId}`);
  }
}
