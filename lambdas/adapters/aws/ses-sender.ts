/**
 * MailSender on SES v1 SendRawEmail: the bytes are already composed (headers by MailComposer); SES only
 * carries them. Source is the security address (the envelope sender, which SES uses for bounces); the
 * Destinations are the envelope recipients, so no header is ever read to decide where mail goes.
 */
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { MAX_OUTBOUND_MESSAGE_BYTES, MailRejected, type MailSender, type OutboundEnvelope } from '../../ports/mail-sender';

/** SES v1 limits (SendRawEmail): 10 MB per message, 50 recipients per message. */
export const SES_MAX_MESSAGE_BYTES = MAX_OUTBOUND_MESSAGE_BYTES;
export const SES_MAX_RECIPIENTS = 50;

export { MailRejected };

export interface SesSenderOptions {
  client: SESClient;
  /** SES configuration set for sending events (bounces, complaints) and dedicated IPs. */
  configurationSetName?: string;
}

export class SesSender implements MailSender {
  constructor(private readonly options: SesSenderOptions) {}

  async send(raw: Buffer, envelope: OutboundEnvelope, outboxId: string): Promise<{ providerId: string }> {
    if (raw.length > SES_MAX_MESSAGE_BYTES) {
      throw new MailRejected(
        outboxId,
        `${raw.length} bytes is over the SES limit of ${SES_MAX_MESSAGE_BYTES} bytes (drop or link large attachments)`,
      );
    }
    if (envelope.to.length === 0 || envelope.to.length > SES_MAX_RECIPIENTS) {
      throw new MailRejected(outboxId, `${envelope.to.length} recipients (SES takes 1 to ${SES_MAX_RECIPIENTS})`);
    }
    try {
      const out = await this.options.client.send(
        new SendRawEmailCommand({
          RawMessage: { Data: raw },
          Source: envelope.from,
          Destinations: envelope.to,
          ...(this.options.configurationSetName ? { ConfigurationSetName: this.options.configurationSetName } : {}),
        }),
      );
      if (!out.MessageId) throw new Error(`SES accepted outbound mail ${outboxId} but returned no MessageId`);
      return { providerId: out.MessageId };
    } catch (err) {
      // MessageRejected: e.g. an unverified address in the SES sandbox, or a virus; the caller should not retry
      const name = (err as { name?: string }).name;
      if (name === 'MessageRejected' || name === 'MailFromDomainNotVerifiedException') {
        throw new MailRejected(outboxId, (err as Error).message);
      }
      throw err;
    }
  }
}
