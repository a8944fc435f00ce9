/**
 * The intake Lambda, invoked by the SES receipt rule (Event) after the S3 action stored the raw message.
 * Throwing lets Lambda's async retries run; after them the event goes to the on-failure queue (`replay`).
 */
import type { SESEvent } from 'aws-lambda';
import { awsDeployment } from '../adapters/aws/deployment';
import { MailparserParser } from '../adapters/mailparser-parser';
import { MailauthDkimVerifier } from '../adapters/mailauth-dkim';
import { factsFromSesEvent } from '../adapters/aws/ses-inbound-event';
import type { Deps } from '../app/deps';
import { receiveMail, recordIntakeFailure, type IntakeResult } from '../app/receive-mail';

/** Only this function bundles mail parsing and DKIM (Node's resolver for the keys: public DNS, as SES uses). */
const MAIL_PARTS = { parser: new MailparserParser(), dkim: new MailauthDkimVerifier() };

export const handler = async (event: SESEvent): Promise<IntakeResult[]> => takeIn(awsDeployment(MAIL_PARTS), event);

/** What the handler does with its parts: also what `secintake --aws replay` re-drives (through Lambda's Invoke). */
export async function takeIn(deps: Deps, event: SESEvent): Promise<IntakeResult[]> {
  const results: IntakeResult[] = [];
  for (const facts of factsFromSesEvent(event, process.env.INBOUND_PREFIX)) {
    try {
      results.push(await receiveMail(deps, facts));
    } catch (err) {
      // Recorded so the failure and its reason are visible next to the raw message; the throw lets Lambda retry.
      await recordIntakeFailure(deps, facts, err);
      throw err;
    }
  }
  return results;
}
