/**
 * Custom resource (CDK Provider framework) that activates our own SES receipt rule set, for config
 * `aws.ruleSet.mode = 'create'`. The physical ID is the rule set name, so renaming the set makes CloudFormation
 * activate the new one and then "delete" the old one, which is a no-op because it is no longer active.
 */
import { SESClient } from '@aws-sdk/client-ses';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { activateRuleSet, deactivateIfActive } from '../adapters/aws/active-rule-set';

const ses = new SESClient({});

export async function handler(event: CloudFormationCustomResourceEvent): Promise<{ PhysicalResourceId: string; Data?: Record<string, string> }> {
  const name = String(event.ResourceProperties.RuleSetName ?? '');
  if (!name) throw new Error('RuleSetName property is missing: the construct must pass the rule set name');
  if (event.RequestType === 'Delete') {
    const outcome = await deactivateIfActive(ses, event.PhysicalResourceId);
    console.log(JSON.stringify({ message: 'rule set delete', ruleSet: event.PhysicalResourceId, outcome }));
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const previous = await activateRuleSet(ses, name);
  console.log(JSON.stringify({ message: 'rule set activated', ruleSet: name, previouslyActive: previous ?? null }));
  return { PhysicalResourceId: name, Data: { PreviouslyActive: previous ?? '' } };
}
