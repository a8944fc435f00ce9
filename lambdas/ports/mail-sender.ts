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
}
