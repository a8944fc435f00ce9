/**
 * Only one SES receipt rule set is active per account and region, and CloudFormation cannot activate one
 * (DESIGN section 2). These two steps back the opt-in `ruleSet.mode = 'create'`: activate ours on create, and on
 * delete deactivate it only if it is still the active one, so a set someone activated since is never switched off.
 */
import {
  DescribeActiveReceiptRuleSetCommand,
  SetActiveReceiptRuleSetCommand,
  type SESClient,
} from '@aws-sdk/client-ses';

export type SesRuleSetClient = Pick<SESClient, 'send'>;

/** Makes `name` the active rule set; returns the name of the set that was active before (if any). */
export async function activateRuleSet(ses: SesRuleSetClient, name: string): Promise<string | undefined> {
  const before = await ses.send(new DescribeActiveReceiptRuleSetCommand({}));
  const previous = before.Metadata?.Name;
  if (previous !== name) await ses.send(new SetActiveReceiptRuleSetCommand({ RuleSetName: name }));
  return previous;
}

/** Deactivates `name` if it is still the active set. Returns what it did, for the log. */
export async function deactivateIfActive(
  ses: SesRuleSetClient,
  name: string,
): Promise<'deactivated' | { left: string | undefined }> {
  const active = await ses.send(new DescribeActiveReceiptRuleSetCommand({}));
  const current = active.Metadata?.Name;
  if (current !== name) return { left: current };
  // SetActiveReceiptRuleSet without a name deactivates every set (SES API reference).
  await ses.send(new SetActiveReceiptRuleSetCommand({}));
  return 'deactivated';
}
