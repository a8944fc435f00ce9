/**
 * Small builders for the records intake writes, so every path records a message and its audit event alike.
 */
import { BOUNDS, clip, firstOf } from '../core/bounded';
import type { Project } from '../core/config';
import type { ParsedMessage } from '../core/parsed-message';
import type { AuditEvent, CheckResult, InboundFacts, MessageRecord, Outcome, Report, Role } from '../core/report';
import { replyAddress } from '../core/reply-address';
import { VersionConflict } from '../ports/report-store';
import type { Deps } from './deps';

/** One inbound message on its way through intake: where it goes, what it is, what the checks said. */
export interface Arrival {
  project: Project;
  facts: InboundFacts;
  msg: ParsedMessage;
  checks: CheckResult[];
  /** Sent to a report's internal reply address (an answer to an internal note): internal unless it says not. */
  internalThread?: boolean;
}

export function messageRecord(
  reportId: string,
  facts: InboundFacts,
  msg: ParsedMessage | undefined,
  role: Role,
  checks: CheckResult[],
  outcome: Outcome,
): MessageRecord {
  const attachments = msg?.attachments ?? [];
  return {
    reportId,
    at: facts.receivedAt,
    id: facts.sesMessageId,
    direction: 'in',
    from: boundedAddress(msg?.from),
    to: firstOf(facts.recipients, BOUNDS.list).map((a) => clip(a, BOUNDS.address)),
    role,
    subject: clip(msg?.subject ?? '', BOUNDS.subject),
    messageId: msg?.messageId === undefined ? undefined : clip(msg.messageId, BOUNDS.messageId),
    inReplyTo: msg?.inReplyTo === undefined ? undefined : clip(msg.inReplyTo, BOUNDS.messageId),
    outcome,
    checks: boundedChecks(checks),
    verdicts: facts.verdicts.evaluatedFrom
      ? { ...facts.verdicts, evaluatedFrom: firstOf(facts.verdicts.evaluatedFrom, BOUNDS.list).map((a) => clip(a, BOUNDS.address)) }
      : facts.verdicts,
    rawKey: facts.rawKey,
    // enough text for `show` and the maintainers' notice; the whole message stays in the raw store
    excerpt: clip(msg?.text ?? '', BOUNDS.excerpt),
    attachments: firstOf(attachments, BOUNDS.attachments).map(({ filename, contentType, size, sha256, flag }) => ({
      filename: filename === undefined ? undefined : clip(filename, BOUNDS.fileName),
      contentType: clip(contentType, BOUNDS.contentType),
      size,
      sha256,
      flag,
    })),
    ...(attachments.length > BOUNDS.attachments ? { attachmentsOmitted: attachments.length - BOUNDS.attachments } : {}),
  };
}

export function boundedAddress<A extends { address: string; name?: string }>(a: A | undefined): A | undefined {
  if (!a) return undefined;
  return { ...a, address: clip(a.address, BOUNDS.address), ...(a.name !== undefined ? { name: clip(a.name, BOUNDS.name) } : {}) };
}

export function boundedChecks(checks: CheckResult[]): CheckResult[] {
  return firstOf(checks, BOUNDS.list).map((c) => ({ ...c, name: clip(c.name, 40), reason: clip(c.reason, BOUNDS.reason) }));
}

/** An audit event whose key is derived from what caused it, so a retried write overwrites itself. */
export function auditEvent(
  reportId: string,
  at: string,
  cause: string,
  type: string,
  actor: string,
  detail: Record<string, unknown> = {},
): AuditEvent {
  return { reportId, at, key: `${cause}:${type}`, type, actor, detail };
}

/** From, Reply-To, and what our Message-IDs are made of, for mail about a report. Internal notes get the
 *  internal reply address, so that answers to them stay among the maintainers. */
export async function envelopeFor(deps: Deps, report: Report, fromName?: string, opts: { internal?: boolean } = {}) {
  const key = await deps.keys.replyAddressKey();
  return {
    from: report.securityAddress,
    fromName,
    replyTo: replyAddress(report.securityAddress, report.id, key, opts),
    messageIdDomain: deps.config.messageIdDomain,
    messageIdSeed: report.origin,
  };
}

/** The project's security address this message was sent to (the first listed one if only a reply address). */
export function securityAddressFor(project: Project, recipients: string[]): string {
  const bases = recipients.map((r) => r.toLowerCase().replace(/\+[^@]*@/, '@'));
  return project.addresses.find((a) => bases.includes(a.toLowerCase())) ?? project.addresses[0];
}

/** Conflicting updates a report write retries before giving up (the caller's retry takes over then). */
const MAX_CONFLICT_RETRIES = 5;

/**
 * Optimistic update that re-reads on a version conflict and recomputes the patch (undefined: nothing to do,
 * e.g. a concurrent retry already recorded it).
 */
export async function patchReport(
  deps: Pick<Deps, 'store'>,
  report: Report,
  patchOf: (current: Report) => Partial<Report> | undefined,
): Promise<Report> {
  let current = report;
  for (let attempt = 1; ; attempt++) {
    const patch = patchOf(current);
    if (!patch) return current;
    try {
      return await deps.store.updateReport(current.id, current.version, patch);
    } catch (e) {
      if (!(e instanceof VersionConflict) || attempt >= MAX_CONFLICT_RETRIES) throw e;
      const fresh = await deps.store.getReport(current.id);
      if (!fresh) throw e;
      current = fresh;
    }
  }
}
