/**
 * Decodes the SES receipt-rule Lambda action event. It carries headers and verdicts, never the body (hence the
 * S3 action first: the raw message is at `<prefix><messageId>`).
 * https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-lambda-event.html
 */
import type { SESEvent, SESEventRecord } from 'aws-lambda';
import { headerAddresses } from '../header-values';
import type { InboundFacts, Verdict, Verdicts } from '../../core/report';

export const INBOUND_PREFIX = 'inbound/';

const KNOWN: Verdict[] = ['PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED', 'DISABLED'];

function verdict(v: { status?: string } | undefined): Verdict {
  const status = (v?.status ?? '').toUpperCase() as Verdict;
  return KNOWN.includes(status) ? status : 'UNKNOWN';
}

/** SES's parse of a header (commonHeaders.from is a list of strings), as addresses. */
function addressesOf(values: unknown): string[] {
  return Array.isArray(values) ? values.flatMap((v) => (typeof v === 'string' ? headerAddresses(v) : [])) : [];
}

export function factsFromSesRecord(record: SESEventRecord, prefix = INBOUND_PREFIX): InboundFacts {
  const { mail, receipt } = record.ses;
  if (!mail?.messageId) throw new Error('not an SES receipt event: no mail.messageId');
  const verdicts: Verdicts = {
    spf: verdict(receipt.spfVerdict),
    dkim: verdict(receipt.dkimVerdict),
    dmarc: verdict(receipt.dmarcVerdict),
    spam: verdict(receipt.spamVerdict),
    virus: verdict(receipt.virusVerdict),
    // the From SES judged DMARC on; intake requires it to be the From it parses (one view of the bytes)
    evaluatedFrom: addressesOf(mail.commonHeaders?.from),
  };
  return {
    sesMessageId: mail.messageId,
    // receipt.recipients are the envelope recipients this rule matched (BCC included); mail.destination is
    // every envelope recipient of the message.
    recipients: (receipt.recipients?.length ? receipt.recipients : mail.destination).map((r) => r.toLowerCase()),
    verdicts,
    receivedAt: new Date(receipt.timestamp ?? mail.timestamp).toISOString(),
    rawKey: `${prefix}${mail.messageId}`,
    mailFrom: mail.source,
  };
}

export function factsFromSesEvent(event: SESEvent, prefix = INBOUND_PREFIX): InboundFacts[] {
  if (!Array.isArray(event?.Records)) throw new Error('not an SES receipt event: no Records');
  return event.Records.map((r) => factsFromSesRecord(r, prefix));
}
