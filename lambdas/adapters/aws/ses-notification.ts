/**
 * Decodes SES sending events (bounce, complaint) delivered through SNS: configuration-set event publishing
 * (`eventType`) and identity notifications (`notificationType`) carry the same `mail`, `bounce` and `complaint`
 * objects. https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html
 */
import type { SNSEvent } from 'aws-lambda';
import type { DeliveryFailure } from '../../app/delivery-failure';

interface SesSendingEvent {
  eventType?: string;
  notificationType?: string;
  mail?: { messageId?: string; commonHeaders?: { messageId?: string }; headers?: { name: string; value: string }[] };
  bounce?: { bounceType?: string; bounceSubType?: string; bouncedRecipients?: { emailAddress: string }[] };
  complaint?: { complaintFeedbackType?: string; complainedRecipients?: { emailAddress: string }[] };
}

export class NotSesNotification extends Error {
  override readonly name = 'NotSesNotification';
}

/** Our Message-ID of the sent message: commonHeaders when SES parsed it, else the raw header list. */
function ourMessageId(mail: SesSendingEvent['mail']): string | undefined {
  const common = mail?.commonHeaders?.messageId;
  if (common) return common;
  return mail?.headers?.find((h) => h.name.toLowerCase() === 'message-id')?.value;
}

/** Delivery failures in the event; other event types (Reject, Delivery...) yield nothing. */
export function deliveryFailuresFromSns(event: SNSEvent): DeliveryFailure[] {
  const failures: DeliveryFailure[] = [];
  for (const record of event.Records ?? []) {
    let body: SesSendingEvent;
    try {
      body = JSON.parse(record.Sns.Message) as SesSendingEvent;
    } catch {
      throw new NotSesNotification(`SNS message ${record.Sns.MessageId} is not JSON`);
    }
    const type = (body.eventType ?? body.notificationType ?? '').toLowerCase();
    const messageId = ourMessageId(body.mail);
    if (!messageId) continue; // nothing to thread it to: not one of our messages
    if (type === 'bounce' && body.bounce) {
      failures.push({
        messageId,
        type: 'bounce',
        recipients: (body.bounce.bouncedRecipients ?? []).map((r) => r.emailAddress),
        detail: [body.bounce.bounceType, body.bounce.bounceSubType].filter(Boolean).join('/'),
      });
    } else if (type === 'complaint' && body.complaint) {
      failures.push({
        messageId,
        type: 'complaint',
        recipients: (body.complaint.complainedRecipients ?? []).map((r) => r.emailAddress),
        detail: body.complaint.complaintFeedbackType,
      });
    }
  }
  return failures;
}
