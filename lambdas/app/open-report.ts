/**
 * Opening a report from a human message, or a quarantined one from mail that failed a check.
 *
 * 1. create the report under an ID derived from the SES messageId (a redelivery finds its own report)
 * 2. record the message, its Message-ID in the thread index, the audit event and (when this delivery created the
 *    report) the receipt's and notice's outbox items, pending (one batch)
 * 3. start the report's workflow (named by the report ID: starting twice is harmless)
 * 4. send the receipt to the reporter (rate-limited per sender) and the notice to the maintainers
 *
 * A message nobody has seen (`openFreshReport`) does 1 and 2 in one transaction with the claim on its Message-ID
 * and sender, after one read that found neither report nor claim; everything else (a retry, a copy, a race lost,
 * an import) takes the steps one by one, each idempotent.
 *
 * A quarantined report gets no receipt; its workflow's only timer is the digest of its hour, and only the
 * first quarantined message of a project in an hour is told to the maintainers at once.
 */
import type { Project } from '../core/config';
import type { ParsedMessage } from '../core/parsed-message';
import type { AuditEvent, CheckResult, InboundFacts, InboundRecord, OutboxItem, Report } from '../core/report';
import { mailboxKey } from '../core/address-key';
import { noAutomaticAnswer } from '../core/classify';
import { isOurAddress } from '../core/route';
import { reporterPreferencesOf } from '../core/reporter-preferences';
import { evidenceFor } from './evidence';
import { reportIdCandidate } from '../core/report-id';
import { deadlinesOf, dueActions, quarantineWindowOf } from '../core/timeline';
import { missingInformation, newReportNoticeDraft, quarantineDigestDraft, receiptDraft, versionSupportNote } from '../core/drafts';
import { ReportIdTaken } from '../ports/report-store';
import type { Deps } from './deps';
import { joinFirstSends, pendingOutboxItem, sendFirst, sendOnce, type SendRequest } from './outbox';
import { projectPublicKey } from './pgp-outbound';
import { openEncrypted } from './pgp-intake';
import { QUARANTINE_NOTICE_OUTBOX_ID } from './quarantine-digest';
import { auditEvent, boundedAddress, envelopeFor, messageRecord, patchReport, securityAddressFor } from './report-records';
import { BOUNDS, clip } from '../core/bounded';

/** Collisions of 40-bit IDs are rare; a handful of attempts is plenty, and bounded. */
const MAX_ID_ATTEMPTS = 8;
/** Immediate quarantine notices per project and UTC hour; the others go in the hour's digest (quarantine-digest.ts). */
const QUARANTINE_NOTICES_PER_HOUR = 1;

export async function openReport(
  deps: Deps,
  project: Project,
  facts: InboundFacts,
  msg: ParsedMessage,
  checks: CheckResult[],
  relatesTo: string[],
): Promise<Report> {
  const { report, created } = await createReport(deps, project, facts, msg, firstMessageFields(msg, facts, relatesTo), () => ownerFor(deps, project));
  // A delivery finishing another one's report (a retry under a new ID) writes the records of the report's own
  // arrival: same instant, same keys, so nothing is doubled.
  facts = { ...facts, receivedAt: report.createdAt };
  const arrival = arrivalRecords(project, report, facts, msg, checks, relatesTo);
  if (facts.imported) {
    await deps.store.appendToReport(arrival);
    // history: what fell due before the import is shown missed, never sent now; the maintainers get one digest
    const settled = await settleImportedTimers(deps, project, report);
    await deps.workflow.start(report.id);
    if (facts.imported.sendReceipts) await sendReceipt(deps, project, settled, msg, facts, checks);
    else await suppressReceipt(deps, report, 'imported history: no mail is sent (secintake import --send-receipts sends receipts)');
    return settled;
  }
  if (!created) {
    // a retry, or a copy racing the first delivery: each step below is idempotent on its own
    await deps.store.appendToReport(arrival);
    await deps.workflow.start(report.id);
    await sendReceipt(deps, project, report, msg, facts, checks);
    await sendOnce(deps, await noticeRequest(deps, project, report, msg, facts, checks, false));
    return report;
  }
  // The delivery that created the report: the receipt's and the notice's outbox items go, pending, into the
  // batch of the arrival's records (outbox.ts sendFirst): per mail a batch after its send, where it took a
  // conditional put, a read and that batch. A crash in between is repaired by the retry above.
  const { sends, items } = await firstSends(deps, project, report, msg, facts, checks, arrival);
  const join = joinFirstSends(sends.map((s) => s.req));
  try {
    await deps.store.appendToReport(items);
    await deps.workflow.start(report.id);
    await sendFirst(deps, sends);
  } finally {
    join.release();
  }
  countReceipt(deps, sends);
  return report;
}

/**
 * A new report from a message that neither this delivery nor any other has opened yet (one read: no report
 * under its first candidate ID, no claim on its Message-ID and sender). The round-robin turn and the receipt's
 * rate count are taken first (their counters answer with the new value, which a transaction cannot), then ONE
 * transaction writes the claim, the report, the arrival's records and the receipt's and notice's outbox items,
 * pending. Then the workflow starts and the mails go out (outbox.ts sendFirst), the last one recorded together
 * with the inbound message's record when the caller passes `finish` (a single project).
 *
 * Undefined when the read or the transaction finds the message taken: a retry of this delivery, a copy under
 * another delivery ID, a report ID taken, or a concurrent copy that won the claim; nothing is written then but
 * the round-robin turn (the receipt's count is taken back). The caller then takes the step-by-step path, which
 * finishes whatever is there.
 */
export async function openFreshReport(
  deps: Deps,
  project: Project,
  facts: InboundFacts,
  msg: ParsedMessage,
  checks: CheckResult[],
  relatesTo: string[],
  opts: { claimKey?: string; finish?: (report: Report) => InboundRecord },
): Promise<{ report: Report; finished: boolean } | undefined> {
  if (facts.imported) return undefined;
  const seen = await deps.store.getReportAndClaim(reportIdCandidate(facts.sesMessageId, 0), opts.claimKey);
  if (seen.report || seen.claimOwner !== undefined) return undefined;
  const owner = await ownerFor(deps, project);
  const report = newReport(project, facts, msg, 0, { ...firstMessageFields(msg, facts, relatesTo), ...(owner ? { owner } : {}) });
  const arrival = arrivalRecords(project, report, facts, msg, checks, relatesTo);
  const { receipt, sends, items } = await firstSends(deps, project, report, msg, facts, checks, arrival);
  const join = joinFirstSends(sends.map((s) => s.req));
  try {
    let created: Awaited<ReturnType<typeof deps.store.createReportWith>>;
    try {
      created = await deps.store.createReportWith(report, {
        ...(opts.claimKey ? { claim: { key: opts.claimKey, owner: facts.sesMessageId } } : {}),
        items,
      });
    } catch (err) {
      if (err instanceof ReportIdTaken) return undefined;
      throw err;
    }
    if (created !== 'created') {
      // the receipt this delivery counted is the winner's to send (the round-robin turn stays taken: giving it
      // back could hand the next report the same maintainer as one opened meanwhile)
      if (receipt.counted) await deps.store.incrementCounter(...receiptCounter(report), -1);
      return undefined;
    }
    await deps.workflow.start(report.id);
    const finish = opts.finish;
    const { finished } = await sendFirst(deps, sends, finish && (() => finish(report)));
    countReceipt(deps, sends);
    return { report, finished };
  } finally {
    join.release();
  }
}

/** What a new report takes from its first message: the reports it relates to, the reporter's stated wishes, how it was encrypted. */
function firstMessageFields(msg: ParsedMessage, facts: InboundFacts, relatesTo: string[]): Partial<Report> {
  const wishes = reporterPreferencesOf(msg.text);
  return {
    relatesTo: relatesTo.length ? relatesTo : undefined,
    ...(Object.keys(wishes).length ? { reporterPreferences: { ...wishes, from: facts.sesMessageId } } : {}),
    ...encryptionOf(msg, facts),
  };
}

type FirstSend = { req: SendRequest; pending: OutboxItem };

/**
 * The first mails of a report this delivery creates: the receipt (or the event saying why none goes) and the
 * notice, their outbox items pending, and the items to write with the report: the arrival's records, that event,
 * those outbox items.
 */
async function firstSends(
  deps: Deps,
  project: Project,
  report: Report,
  msg: ParsedMessage,
  facts: InboundFacts,
  checks: CheckResult[],
  arrival: ReturnType<typeof arrivalRecords>,
) {
  const receipt = await receiptPlan(deps, project, report, msg, facts, checks, true);
  const sends = [...('req' in receipt ? [receipt.req] : []), await noticeRequest(deps, project, report, msg, facts, checks, true)]
    .map((req) => ({ req, pending: pendingOutboxItem(deps, req) }))
    .filter((s): s is FirstSend => s.pending !== undefined);
  const items = { ...arrival, events: [...arrival.events, ...('event' in receipt ? [receipt.event] : [])], outbox: sends.map((s) => s.pending) };
  return { receipt, sends, items };
}

const countReceipt = (deps: Deps, sends: FirstSend[]) => {
  if (sends.some((s) => s.req.outboxId === 'receipt')) deps.metrics.count('receiptsSent');
};

/** The records of a new report's first message: the message, its Message-ID in the thread index, `report.opened`. */
function arrivalRecords(project: Project, report: Report, facts: InboundFacts, msg: ParsedMessage, checks: CheckResult[], relatesTo: string[]) {
  return {
    messages: [messageRecord(report.id, facts, msg, 'reporter', checks, 'report')],
    threadIndex: msg.messageId ? [{ messageId: msg.messageId, reportId: report.id }] : [],
    events: [
      auditEvent(report.id, facts.receivedAt, facts.sesMessageId, 'report.opened', report.reporter.address, {
        project: project.id,
        relatesTo,
      }),
    ],
  };
}

/** The maintainers' notice of a new report; the reporter's files go with it (what fits under the sending limit). */
async function noticeRequest(
  deps: Deps,
  project: Project,
  report: Report,
  msg: ParsedMessage,
  facts: InboundFacts,
  checks: CheckResult[],
  first: boolean,
): Promise<SendRequest> {
  const envelope = await envelopeFor(deps, report);
  // a retry whose notice is on record already needs no evidence (its mail is not composed again)
  const evidence = msg.attachments.length && (first || !(await deps.store.getOutbox(report.id, 'notice'))) ? await evidenceFor(deps, facts, msg) : undefined;
  return {
    reportId: report.id,
    outboxId: 'notice',
    draft: newReportNoticeDraft({
      report,
      project,
      deadlines: deadlinesOf(report, project),
      message: msg,
      checks,
      verdicts: facts.verdicts,
      now: deps.clock.now(),
      ...(evidence ? { attachments: evidence.attached, place: deps.place, ...(evidence.location ? { attachmentsAt: evidence.location } : {}) } : {}),
    }),
    envelope,
  };
}

export async function quarantineMessage(
  deps: Deps,
  project: Project,
  facts: InboundFacts,
  msg: ParsedMessage | undefined,
  checks: CheckResult[],
  reason: string,
): Promise<Report> {
  const { report } = await createReport(deps, project, facts, msg, { quarantine: { reason: clip(reason, BOUNDS.reason * 4) } });
  await deps.store.appendToReport({
    messages: [messageRecord(report.id, facts, msg, 'stranger', checks, 'quarantined')],
    events: [auditEvent(report.id, facts.receivedAt, facts.sesMessageId, 'report.quarantined', 'intake', { reason })],
  });
  if (facts.imported) {
    // history: no notice and no digest now (`secintake import` lists it)
    await settleImportedTimers(deps, project, report);
    await deps.workflow.start(report.id);
    return report;
  }
  // Its only timer is the digest at the end of its hour: what gets no notice now is listed there.
  await deps.workflow.start(report.id);
  // A retry finishes its own notice; only first attempts count, keyed by the same UTC hour the digest covers.
  const hour = quarantineWindowOf(report.createdAt).start.toISOString().slice(0, 13);
  const retry = (await deps.store.getOutbox(report.id, QUARANTINE_NOTICE_OUTBOX_ID)) !== undefined;
  if (retry || (await deps.store.incrementCounter(`quarantine-notice:${project.id}`, hour)) <= QUARANTINE_NOTICES_PER_HOUR) {
    await sendOnce(deps, {
      reportId: report.id,
      outboxId: QUARANTINE_NOTICE_OUTBOX_ID,
      draft: quarantineDigestDraft({ project, items: [{ report, reason }], now: deps.clock.now(), place: deps.place }),
      envelope: await envelopeFor(deps, report),
    });
  }
  return report;
}

/** The audit event saying why the reporter gets no receipt. */
const suppressionEvent = (deps: Deps, report: Report, reason: string): AuditEvent =>
  auditEvent(report.id, deps.clock.now().toISOString(), 'receipt', 'receipt.suppressed', 'intake', { reason });

async function suppressReceipt(deps: Deps, report: Report, reason: string): Promise<void> {
  await deps.store.appendToReport({ events: [suppressionEvent(deps, report, reason)] });
}

/** An imported report's timer actions already due (its deadlines count from when the mail arrived) are marked
 *  fired before its workflow starts: they show as missed, and nobody is reminded of a weeks-old date now. */
async function settleImportedTimers(deps: Deps, project: Project, report: Report): Promise<Report> {
  const due = dueActions(report, project, deps.clock.now()).map((a) => a.key);
  return patchReport(deps, report, (current) => {
    const fired = [...new Set([...current.fired, ...due])];
    return fired.length === current.fired.length ? undefined : { fired };
  });
}

/**
 * A quarantined report released by a maintainer: the sender gets the receipt it would have had, built from the
 * original raw message, with the deadlines counted from the release. Returns what happened, in words for the
 * maintainers' confirmation.
 */
export async function sendReceiptOnRelease(deps: Deps, project: Project, report: Report): Promise<string> {
  const first = (await deps.store.listMessages(report.id)).find((m) => m.direction === 'in' && m.id === report.origin);
  if (!first?.rawKey) return 'no receipt: the original message is not on record';
  let msg: ParsedMessage;
  try {
    msg = await deps.parser.parse(await deps.raw.get(first.rawKey), { limits: deps.config.limits });
  } catch {
    return 'no receipt: the original message cannot be parsed (it is kept as it came)';
  }
  // an encrypted original is read as at intake (issue 17): the receipt asks only for what the clear text lacks
  msg = (await openEncrypted(deps, project, first.rawKey, msg, report.reporterKey ? [report.reporterKey.armored] : [])).msg;
  const facts: InboundFacts = {
    sesMessageId: report.origin,
    recipients: first.to,
    verdicts: first.verdicts ?? { spf: 'UNKNOWN', dkim: 'UNKNOWN', dmarc: 'UNKNOWN', spam: 'UNKNOWN', virus: 'UNKNOWN' },
    receivedAt: first.at,
    rawKey: first.rawKey,
  };
  // the checks that quarantined it were overruled by the maintainer; those that say "do not answer" still hold
  const checks = first.checks.filter((c) => c.result !== 'fail');
  const sent = await sendReceipt(deps, project, report, msg, facts, checks);
  return sent ? 'the receipt, with the deadlines counted from now' : 'no receipt (suppressed: `secintake show` gives the reason)';
}

/** What a report keeps of how its first message came (issue 17): never the key's secret, only a public key. */
function encryptionOf(msg: ParsedMessage, facts: InboundFacts): Partial<Report> {
  const out: Partial<Report> = {};
  if (msg.encryption) {
    const { kind, decrypted, reason } = msg.encryption;
    out.encryption = { kind, decrypted, ...(reason ? { reason: clip(reason, BOUNDS.reason) } : {}) };
  }
  // a key in a message whose From failed DMARC is nobody's we know
  if (msg.senderKey && facts.verdicts.dmarc !== 'FAIL') out.reporterKey = { ...msg.senderKey, from: facts.sesMessageId };
  return out;
}

/** A plain address we can write to; malformed or empty From fields get no receipt (the maintainers still see it). */
const PLAIN_ADDRESS = /^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+\.[^\s@<>()",;:\\[\]]+$/;

async function sendReceipt(
  deps: Deps,
  project: Project,
  report: Report,
  msg: ParsedMessage,
  facts: InboundFacts,
  checks: CheckResult[],
): Promise<boolean> {
  const plan = await receiptPlan(deps, project, report, msg, facts, checks, false);
  if ('event' in plan) {
    await deps.store.appendToReport({ events: [plan.event] });
    return false;
  }
  const result = await sendOnce(deps, plan.req);
  if (result.sent) deps.metrics.count('receiptsSent');
  return true;
}

/**
 * The receipt to send, or the audit event saying why none is sent. `first`: the caller just created the report,
 * so no receipt can be on record (no read); otherwise a receipt on record is a retry's, which the sender's
 * hourly allowance counted already.
 */
async function receiptPlan(
  deps: Deps,
  project: Project,
  report: Report,
  msg: ParsedMessage,
  facts: InboundFacts,
  checks: CheckResult[],
  first: boolean,
): Promise<({ req: SendRequest } | { event: AuditEvent }) & { counted?: true }> {
  const noAnswer = noAutomaticAnswer(checks);
  const suppressed = !PLAIN_ADDRESS.test(report.reporter.address)
    ? 'no usable From address (empty, missing or malformed): no receipt is sent, and never to the envelope sender, which anyone can forge'
    : isOurAddress(deps.config, report.reporter.address)
      ? 'the From is one of our own addresses: a receipt would loop'
      : facts.verdicts.dmarc === 'FAIL'
        ? 'DMARC FAIL: the From address is probably forged, and a receipt would go to someone who did not write (backscatter)'
        : noAnswer;
  const suppression = (reason: string) => ({ event: suppressionEvent(deps, report, reason) });
  if (suppressed) return suppression(suppressed);
  const already = first ? undefined : await deps.store.getOutbox(report.id, 'receipt');
  let counted: { counted?: true } = {};
  if (!already) {
    // Count only first attempts: a retry of the same report must not eat into the sender's allowance.
    const count = await deps.store.incrementCounter(...receiptCounter(report));
    counted = { counted: true };
    const limit = deps.config.limits.receiptsPerSenderPerHour;
    if (count > limit) return { ...suppression(`rate limit: ${count} reports from this sender this hour (limit ${limit})`), ...counted };
  }
  // encrypted mail (issue 17): what we could not read is not asked for again; their key, if we lack it, is
  const encrypted = msg.encryption?.kind === 'pgp-mime' || msg.encryption?.kind === 'inline-pgp' ? msg.encryption : undefined;
  const undecryptable = encrypted && !encrypted.decrypted ? (encrypted.reason ?? 'not readable') : undefined;
  const projectKey = encrypted ? await projectPublicKey(deps, project.id) : undefined;
  const encryption = encrypted && (undecryptable || !report.reporterKey)
    ? { ...(undecryptable ? { undecryptable } : {}), askForKey: !report.reporterKey, ...(projectKey ? { projectKey } : {}) }
    : undefined;
  return {
    ...counted,
    req: {
      reportId: report.id,
      outboxId: 'receipt',
      draft: receiptDraft({
        report,
        project,
        deadlines: deadlinesOf(report, project),
        ...(encryption ? { encryption } : {}),
        missing: undecryptable ? [] : missingInformation(msg.text, project),
        unsupportedVersionNote: versionSupportNote(msg.text, project),
        now: deps.clock.now(),
      }),
      envelope: await envelopeFor(deps, report),
    },
  };
}

/** The receipt rate counter of a report's sender: per mailbox and UTC hour of the report. */
function receiptCounter(report: Report): [string, string] {
  return [`receipt:${mailboxKey(report.reporter.address)}`, report.createdAt.slice(0, 13)];
}

/** The owner of a new report: round-robin over the maintainers (a per-project counter), a fixed one, or none. */
async function ownerFor(deps: Deps, project: Project): Promise<string | undefined> {
  const a = project.assignment;
  if (a === 'none') return undefined;
  if (typeof a === 'object') return a.fixed.toLowerCase();
  const n = await deps.store.incrementCounter(`assign:${project.id}`, 'round-robin');
  return project.maintainers[(n - 1) % project.maintainers.length]!.address.toLowerCase();
}

async function createReport(
  deps: Deps,
  project: Project,
  facts: InboundFacts,
  msg: ParsedMessage | undefined,
  extra: Partial<Report>,
  owner?: () => Promise<string | undefined>,
): Promise<{ report: Report; created: boolean }> {
  // a retried delivery finds its report and takes no new turn of the round-robin
  const existing = await deps.store.getReport(reportIdCandidate(facts.sesMessageId, 0));
  if (existing && existing.origin === facts.sesMessageId) return { report: existing, created: false };
  const assigned = owner ? await owner() : undefined;
  if (assigned) extra = { ...extra, owner: assigned };
  for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
    const report = newReport(project, facts, msg, attempt, extra);
    try {
      if ((await deps.store.createReport(report)) === 'created') return { report, created: true };
      return { report: (await deps.store.getReport(report.id)) ?? report, created: false };
    } catch (err) {
      if (!(err instanceof ReportIdTaken)) throw err;
    }
  }
  throw new Error(`could not find a free report ID for ${facts.sesMessageId} after ${MAX_ID_ATTEMPTS} attempts`);
}

/** A report as its first message opens it, under the `attempt`th candidate ID of its origin. */
function newReport(project: Project, facts: InboundFacts, msg: ParsedMessage | undefined, attempt: number, extra: Partial<Report>): Report {
  return {
    id: reportIdCandidate(facts.sesMessageId, attempt),
    project: project.id,
    status: 'received',
    // the From header only: the envelope sender of a message without From is unauthenticated (SPF at best)
    reporter: boundedAddress({ address: (msg?.from?.address ?? '').toLowerCase(), name: msg?.from?.name })!,
    subject: clip(msg?.subject ?? '', BOUNDS.subject),
    createdAt: facts.receivedAt,
    origin: facts.sesMessageId,
    securityAddress: securityAddressFor(project, facts.recipients),
    rootMessageId: msg?.messageId === undefined ? undefined : clip(msg.messageId, BOUNDS.messageId),
    fired: [],
    version: 1,
    ...extra,
  };
}
