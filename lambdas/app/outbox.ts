/**
 * Send one message at most once per (report, outbox ID): the outbox (DESIGN section 2).
 *
 * 1. record the outbox item as pending (conditional create); already sent -> stop ("already sent")
 * 2. compose with a Message-ID derived from report and outbox ID (the same on every retry)
 * 3. send
 * 4. one batch: the item marked sent, our Message-ID in the thread index (so replies thread to the report),
 *    the message record (direction out) and a `mail.sent` audit event
 *
 * Two writes per mail. Delivery is at least once at the sender's edge: a crash after 3 and before 4 leaves the
 * item pending, and the caller's retry sends again (with the same Message-ID, so mail clients show one
 * message). After 4 it is never sent again. A reply before 4 is written still threads by its reply address.
 *
 * A pending item cannot tell a crashed attempt from one still running, and the store port has no lease. So
 * two concurrent calls for the same item in one process (a redelivered SES event handled twice at once, the
 * local stack) are joined: the second waits for the first and then sees "already sent". Across two Lambda
 * containers at the same instant the message may go out twice (the same Message-ID): the documented edge.
 */
import { createHash } from 'node:crypto';
import type { Draft } from '../core/drafts';
import type { AttachmentMeta, InboundRecord, MessageRecord, OutboxItem } from '../core/report';
import type { Clock } from '../ports/clock';
import type { MailComposer } from '../ports/mail-composer';
import type { MailSender } from '../ports/mail-sender';
import type { ReportStore } from '../ports/report-store';
import type { Config } from '../core/config';
import type { PgpEngine, ProjectKeyStore } from '../ports/pgp';
import { protectionFor } from './pgp-outbound';

export interface OutboxDeps {
  store: ReportStore;
  sender: MailSender;
  clock: Clock;
  composer: MailComposer;
  /** OpenPGP (issue 17): with these, mail to people whose key we know goes encrypted (app/pgp-outbound.ts). */
  config?: Config;
  pgp?: PgpEngine;
  projectKeys?: ProjectKeyStore;
}

export interface SendRequest {
  reportId: string;
  /** Deterministic per message, e.g. `receipt` or `acknowledge:remind:50%`. */
  outboxId: string;
  draft: Draft;
  /** `messageIdSeed` is the report's origin (its SES message ID): it makes our Message-IDs unguessable. */
  envelope: { from: string; fromName?: string; replyTo: string; messageIdDomain: string; messageIdSeed: string };
}

export interface SendResult {
  sent: boolean;
  reason?: string;
  messageId: string;
}

/** What `show` keeps of our own mail; the whole text is in the draft's outbox copy (or the sink). */
const EXCERPT_CHARS = 4096;

/**
 * `<hash>@<domain>`: the same for the same report and outbox ID, and unguessable from the report ID alone
 * (report IDs become public during an embargo, and one of our Message-IDs in a reply threads it to the
 * report): the report's origin (its SES message ID, never shown to anyone) is hashed in too.
 */
export function outboxMessageId(reportId: string, outboxId: string, origin: string, domain: string): string {
  const hash = createHash('sha256').update(`${reportId}\u0000${outboxId}\u0000${origin}`).digest('hex');
  return `${hash.slice(0, 32)}@${domain}`;
}

/** One mail of one report, as this process joins its sends. */
const joinKey = (req: SendRequest) => `${req.reportId}\u0000${req.outboxId}`;
const inFlight = new Map<string, Promise<SendResult>>();
/** First sends about to happen (joinFirstSends), by key: several may hold one key at once. */
const holds = new Map<string, Set<Promise<void>>>();

export async function sendOnce(deps: OutboxDeps, req: SendRequest): Promise<SendResult> {
  const key = joinKey(req);
  for (;;) {
    const running = inFlight.get(key);
    const held = holds.get(key);
    if (!running && !held) break;
    // the other attempt's failure is its caller's to handle; ours then tries again
    await Promise.all([running?.catch(() => undefined), ...(held ?? [])]);
  }
  const attempt = sendOnceUnjoined(deps, req);
  inFlight.set(key, attempt);
  try {
    return await attempt;
  } finally {
    if (inFlight.get(key) === attempt) inFlight.delete(key);
  }
}

/** The outbox item of a send, pending; undefined when it has no recipients (nothing is sent then). */
export function pendingOutboxItem(deps: Pick<OutboxDeps, 'clock'>, req: SendRequest): OutboxItem | undefined {
  const { reportId, outboxId, draft } = req;
  if (draft.to.length === 0) return undefined;
  return {
    id: outboxId,
    reportId,
    kind: draft.kind,
    to: [...draft.to, ...(draft.cc ?? [])],
    state: 'pending',
    createdAt: deps.clock.now().toISOString(),
    messageId: outboxMessageId(reportId, outboxId, req.envelope.messageIdSeed, req.envelope.messageIdDomain),
    subject: draft.subject,
  };
}

/**
 * The first sends of a report just created, whose pending items (`pendingOutboxItem`) the caller wrote in the
 * same transaction as the report: only the delivery whose conditional create made the report does this, so
 * neither a conditional put nor a read per mail is needed. Each is composed, sent, then recorded (sent mark,
 * record, thread index, event: one write) before the next is sent, so a crash resends at most the one mail in
 * flight, as with `sendOnce`: the retry finds the report and goes through `sendOnce`, which sends what is still
 * pending again with the same Message-ID. With `finish`, the last mail's records and the inbound message's
 * record (the intake's last write) are one transaction: all or nothing, so a redelivery stops only once the last
 * mail is on record. The caller holds `joinFirstSends` from before it wrote the pending items until this returns.
 */
export async function sendFirst(
  deps: OutboxDeps,
  sends: Array<{ req: SendRequest; pending: OutboxItem }>,
  finish?: () => InboundRecord,
): Promise<{ results: SendResult[]; finished: boolean }> {
  const results: SendResult[] = [];
  let finished = false;
  for (const [i, { req, pending }] of sends.entries()) {
    const { raw, encrypted } = await composeProtected(deps, req, pending.messageId);
    const { providerId } = await deps.sender.send(raw, { from: req.envelope.from, to: pending.to }, req.outboxId);
    const sentAt = deps.clock.now().toISOString();
    const records = sentRecords(req, pending.messageId, sentAt, providerId, { ...pending, state: 'sent', sentAt, providerId }, encrypted);
    if (finish && i === sends.length - 1) {
      await deps.store.appendAndRecordInbound(records, finish());
      finished = true;
    } else {
      await deps.store.appendToReport(records);
    }
    results.push({ sent: true, messageId: pending.messageId });
  }
  return { results, finished };
}

/**
 * Joins `sendOnce` calls of this process for these mails (a concurrent copy of the message finishing the same
 * report) to the first sends until `release`: taken before the pending items are written, so no copy can find
 * them pending and send them while the first delivery is about to. Two deliveries may hold the same mails (the
 * same SES message twice at once: only one of them creates the report); a `sendOnce` waits for both.
 */
export function joinFirstSends(reqs: SendRequest[]): { release(): void } {
  let release!: () => void;
  const hold = new Promise<void>((resolve) => (release = resolve));
  const keys = reqs.map(joinKey);
  for (const key of keys) {
    const set = holds.get(key) ?? new Set<Promise<void>>();
    set.add(hold);
    holds.set(key, set);
  }
  return {
    release: () => {
      for (const key of keys) {
        const set = holds.get(key);
        set?.delete(hold);
        if (set?.size === 0) holds.delete(key);
      }
      release();
    },
  };
}

async function sendOnceUnjoined(deps: OutboxDeps, req: SendRequest): Promise<SendResult> {
  const { store } = deps;
  const { reportId, outboxId, draft } = req;
  const pending = pendingOutboxItem(deps, req);
  if (!pending) {
    return { sent: false, reason: 'no recipients', messageId: outboxMessageId(reportId, outboxId, req.envelope.messageIdSeed, req.envelope.messageIdDomain) };
  }
  const { messageId } = pending;
  if ((await store.putOutbox(pending)) === 'exists') {
    const existing = await store.getOutbox(reportId, outboxId);
    if (existing?.state === 'sent') {
      await recordSent(store, req, existing.messageId, existing.sentAt ?? existing.createdAt, existing.providerId);
      return { sent: false, reason: 'already sent', messageId: existing.messageId };
    }
  }
  const { raw, encrypted } = await composeProtected(deps, req, messageId);
  const { providerId } = await deps.sender.send(raw, { from: req.envelope.from, to: pending.to }, outboxId);
  const sentAt = deps.clock.now().toISOString();
  await recordSent(store, req, messageId, sentAt, providerId, { ...pending, state: 'sent', sentAt, providerId }, encrypted);
  return { sent: true, messageId };
}

/** The message as it goes out: encrypted and signed to recipients whose OpenPGP key we know (issue 17), with our
 *  Autocrypt header where the project has a key; as composed otherwise. */
async function composeProtected(deps: OutboxDeps, req: SendRequest, messageId: string): Promise<{ raw: Buffer; encrypted: boolean }> {
  const protection = deps.config && deps.pgp && deps.projectKeys
    ? await protectionFor({ config: deps.config, store: deps.store, pgp: deps.pgp, projectKeys: deps.projectKeys }, req.reportId, req.draft, req.envelope.from)
    : undefined;
  const raw = await deps.composer.compose(req.draft, {
    from: req.envelope.from,
    fromName: req.envelope.fromName,
    replyTo: req.envelope.replyTo,
    messageId,
    date: deps.clock.now(),
    stamp: req.reportId,
    ...(protection?.autocrypt ? { autocrypt: protection.autocrypt } : {}),
    ...(protection?.encrypt ? { encrypt: { outerSubject: protection.encrypt.outerSubject, seal: protection.encrypt.seal } } : {}),
  });
  return { raw, encrypted: protection?.encrypt !== undefined };
}

function attachmentMeta(draft: Draft): AttachmentMeta[] {
  return (draft.attachments ?? []).map((a) => ({
    ...(a.filename ? { filename: a.filename } : {}),
    contentType: a.contentType,
    size: a.content.length,
    sha256: a.sha256 ?? createHash('sha256').update(a.content).digest('hex'),
  }));
}

/** The message record and audit event, keyed by the send time so a repeat overwrites them. */
async function recordSent(
  store: ReportStore,
  req: SendRequest,
  messageId: string,
  sentAt: string,
  providerId?: string,
  sentItem?: OutboxItem,
  encrypted = false,
): Promise<void> {
  await store.appendToReport(sentRecords(req, messageId, sentAt, providerId, sentItem, encrypted));
}

function sentRecords(req: SendRequest, messageId: string, sentAt: string, providerId?: string, sentItem?: OutboxItem, encrypted = false) {
  const { draft, reportId, outboxId } = req;
  const message: MessageRecord = {
    reportId,
    at: sentAt,
    id: outboxId,
    direction: 'out',
    from: { address: req.envelope.from, ...(draft.fromDisplayName ? { name: draft.fromDisplayName } : {}) },
    to: [...draft.to, ...(draft.cc ?? [])],
    role: 'system',
    subject: draft.subject,
    messageId,
    ...(draft.inReplyTo ? { inReplyTo: draft.inReplyTo } : {}),
    checks: [],
    excerpt: draft.text.slice(0, EXCERPT_CHARS),
    attachments: attachmentMeta(draft),
    kind: draft.kind,
  };
  return {
    ...(sentItem ? { outbox: [sentItem] } : {}),
    threadIndex: [{ messageId, reportId }],
    messages: [message],
    events: [
      {
        reportId,
        at: sentAt,
        key: `mail.sent:${outboxId}`,
        type: 'mail.sent',
        actor: 'system',
        detail: { outboxId, kind: draft.kind, messageId, ...(providerId ? { providerId } : {}), ...(encrypted ? { encrypted: 'OpenPGP' } : {}) },
      },
    ],
  };
}
