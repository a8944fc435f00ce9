import type { SNSEvent } from 'aws-lambda';
import { deliveryFailuresFromSns, NotSesNotification } from '../../../lambdas/adapters/aws/ses-notification';

const sns = (...messages: unknown[]): SNSEvent =>
  ({
    Records: messages.map((m, i) => ({ Sns: { MessageId: `sns-${i}`, Message: typeof m === 'string' ? m : JSON.stringify(m) } })),
  }) as unknown as SNSEvent;

const mail = { messageId: 'ses-1', commonHeaders: { messageId: '<r1.abc@intake.example.org>' } };

test('a configuration-set bounce event becomes a bounce on our Message-ID with the bounced recipients', () => {
  const failures = deliveryFailuresFromSns(
    sns({ eventType: 'Bounce', mail, bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: 'rep@example.net' }] } }),
  );
  expect(failures).toEqual([
    { messageId: '<r1.abc@intake.example.org>', type: 'bounce', recipients: ['rep@example.net'], detail: 'Permanent/General' },
  ]);
});

test('an identity complaint notification is read the same way', () => {
  const failures = deliveryFailuresFromSns(
    sns({ notificationType: 'Complaint', mail, complaint: { complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: 'rep@example.net' }] } }),
  );
  expect(failures).toEqual([{ messageId: '<r1.abc@intake.example.org>', type: 'complaint', recipients: ['rep@example.net'], detail: 'abuse' }]);
});

test('the Message-ID is found in the raw headers when SES gave no commonHeaders', () => {
  const failures = deliveryFailuresFromSns(
    sns({ eventType: 'Bounce', mail: { headers: [{ name: 'Message-ID', value: '<x@intake.example.org>' }] }, bounce: { bouncedRecipients: [] } }),
  );
  expect(failures[0]!.messageId).toBe('<x@intake.example.org>');
});

test('rejects and deliveries are not failures to record; a non-JSON message is an error', () => {
  expect(deliveryFailuresFromSns(sns({ eventType: 'Reject', mail }, { eventType: 'Delivery', mail }))).toEqual([]);
  expect(() => deliveryFailuresFromSns(sns('not json'))).toThrow(NotSesNotification);
});
