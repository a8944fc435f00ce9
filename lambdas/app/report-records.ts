/**
 * Small builders for the records intake writes, so every path records a message and its audit event alike.
 */
import type { Project } from '../core/config';
import type { ParsedMessage } from '../core/parsed-message';
import type { AuditEvent, CheckResult, InboundFacts, MessageRecord, Outcome, Report, Role } from '../core/report';
import { replyAddress } from '../core/reply-address';
import type { Deps } from './deps';

/** One inbound message on its way through intake: where it goes, what it is, what the checks said. */
export interface Arrival {
  project: Project;
  facts: InboundFacts;
  msg: ParsedMessage;
  checks: CheckResult[];
}

/** Enough text for `show` and the maintainers' notice; the whole message stays in the raw store. */
const EXCERPT_CHARS = 4000;

export function messageRecord(
  reportId: string,
  facts: InboundFacts,
  msg: ParsedMessage | undefined,
  role: Role,
  checks: CheckResult[],
  outcome: Outcome,
): MessageRecord {
  return {
    reportId,
    at: facts.receivedAt,
    id: facts.sesMessageId,
    direction: 'in',
    from: msg?.from,
    to: facts.recipients,
    role,
    subject: msg?.subject ?? '',
    messageId: msg?.messageId,
    inReplyTo: msg?.inReplyTo,
    outcome,
    checks,
    verdicts: facts.verdicts,
    rawKey: facts.rawKey,
    excerpt: (msg?.text ?? '').slice(0, EXCERPT_CHARS),
    attachments: (msg?.attachments ?? []).map(({ filename, contentType, size, sha256, flag }) => ({
      filename,
      contentType,
      size,
      sha256,
      flag,
    })),
  };
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

/** From, Reply-To, and what our Message-IDs are made of, for mail about a report. */
export async function envelopeFor(deps: Deps, report: Report, fromName?: string) {
  const key = await deps.keys.replyAddressKey();
  return {
    from: report.securityAddress,
    fromName,
    replyTo: replyAddress(report.securityAddress, report.id, key),
    messageIdDomain: deps.config.messageIdDomain,
    messageIdSeed: report.origin,
  };
}

/** The project's security address this message was sent to (the first listed one if only a reply address). */
export function securityAddressFor(project: Project, recipients: string[]): string {
  const bases = recipients.map((r) => r.toLowerCase().replace(/\+[^@]*@/, '@'));
  return project.addresses.find((a) => bases.includes(a.toLowerCase())) ?? project.addresses[0];
}
