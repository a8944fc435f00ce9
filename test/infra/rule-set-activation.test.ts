/**
 * The opt-in own rule set: the stack creates it and activates it through a custom resource that runs after our
 * rule exists; the handler deactivates on delete only a set that is still ours.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { DescribeActiveReceiptRuleSetCommand, SetActiveReceiptRuleSetCommand } from '@aws-sdk/client-ses';
import { activateRuleSet, deactivateIfActive, type SesRuleSetClient } from '../../lambdas/adapters/aws/active-rule-set';
import { buildStack, testConfig } from './stack-fixture';

const { stack } = buildStack(testConfig({ ruleSet: { mode: 'create', name: 'security-intake' } }));
const template = Template.fromStack(stack);

test('creates the named rule set, puts our rule in it, and activates it after the rule exists', () => {
  template.hasResourceProperties('AWS::SES::ReceiptRuleSet', { RuleSetName: 'security-intake' });
  const [rule] = Object.entries(template.findResources('AWS::SES::ReceiptRule'));
  expect(rule![1].Properties.RuleSetName).toEqual({ Ref: expect.stringMatching(/RuleSet/) });
  const [activation] = Object.values(template.findResources('Custom::SesActiveReceiptRuleSet'));
  expect(activation!.Properties.RuleSetName).toBe('security-intake');
  expect(activation!.DependsOn).toEqual(expect.arrayContaining([rule![0]]));
});

test('the activation function may only describe and set the active rule set', () => {
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[] }[],
  );
  const ses = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('ses:') && a.includes('ReceiptRuleSet')));
  expect(ses).toHaveLength(1);
  expect(ses[0]!.Action).toEqual(['ses:DescribeActiveReceiptRuleSet', 'ses:SetActiveReceiptRuleSet']);
});

/** A stand-in SES: one active set (or none), and the SetActive calls it received. */
function fakeSes(active: string | undefined) {
  const sets: (string | undefined)[] = [];
  const client: SesRuleSetClient = {
    send: (async (cmd: unknown) => {
      if (cmd instanceof DescribeActiveReceiptRuleSetCommand) return active ? { Metadata: { Name: active } } : {};
      if (cmd instanceof SetActiveReceiptRuleSetCommand) {
        sets.push(cmd.input.RuleSetName);
        active = cmd.input.RuleSetName;
        return {};
      }
      throw new Error('unexpected command');
    }) as SesRuleSetClient['send'],
  };
  return { client, sets, active: () => active };
}

test('activation makes ours active and reports the set it replaced', async () => {
  const ses = fakeSes('someone-elses');
  await expect(activateRuleSet(ses.client, 'security-intake')).resolves.toBe('someone-elses');
  expect(ses.active()).toBe('security-intake');
});

test('activating the set that is already active changes nothing', async () => {
  const ses = fakeSes('security-intake');
  await activateRuleSet(ses.client, 'security-intake');
  expect(ses.sets).toEqual([]);
});

test('delete deactivates our set while it is still the active one', async () => {
  const ses = fakeSes('security-intake');
  await expect(deactivateIfActive(ses.client, 'security-intake')).resolves.toBe('deactivated');
  expect(ses.sets).toEqual([undefined]);
  expect(ses.active()).toBeUndefined();
});

test('delete leaves a set someone activated since alone', async () => {
  const ses = fakeSes('someone-elses');
  await expect(deactivateIfActive(ses.client, 'security-intake')).resolves.toEqual({ left: 'someone-elses' });
  expect(ses.sets).toEqual([]);
  expect(ses.active()).toBe('someone-elses');
});
