/**
 * Sends one composed message. Composition (headers, MIME) happens before, with a MIME library; a sender only
 * moves bytes. SES SendRawEmail on AWS; an outbox folder (and optionally SMTP) locally.
 */
export interface OutboundEnvelope {
  from: string;
  to: string[];
}

export interface MailSender {
  send(raw: Buffer, envelope: OutboundEnvelope, outboxId: string): Promise<{ providerId: string }>;
  /**
   * Redaction (issue 19): removes the text of every copy this sender keeps of the mail of one report, keeping
   * the header block, and returns how many copies it changed. Only a sender that keeps copies has it (the local
   * outbox folder); SES keeps none we could reach: what it delivered is in the recipients' mailboxes.
   */
  redactCopies?(reportId: string, at: Date, note: string): Promise<number>;
}

/** The message itself was refused (over the size limit, a rejected address, content the provider will not
 *  carry): retrying the same bytes will not help. Anything else a sender throws is taken as transient. */
export class MailRejected extends Error {
  override readonly name = 'MailRejected';
  constructor(readonly outboxId: string, readonly reason: string) {
    super(`outbound mail ${outboxId} was rejected: ${reason}`);
  }
}

/** SES v1 SendRawEmail's limit; the local outbox enforces it too, so a relay that fails on AWS fails here. */
export const MAX_OUTBOUND_MESSAGE_BYTES = 10 * 1024 * 1024;
