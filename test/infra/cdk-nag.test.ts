/**
 * Every example config synthesizes a stack that passes cdk-nag's AwsSolutions checks with only the
 * acknowledgments the constructs give reasons for; and synth refuses a region where SES does not receive mail.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configFromContext } from '../../infra/config/deployment-config';
import { checkReceivingRegion, UnsupportedReceivingRegion } from '../../infra/config/receiving-region';
import { PROJECT_ROOT } from '../../infra/constructs/service-function';
import { SecurityIntakeStack } from '../../infra/stacks/security-intake-stack';
import { buildStack, testConfig } from './stack-fixture';

const EXAMPLES = readdirSync(path.join(PROJECT_ROOT, 'examples')).filter((f) => f.endsWith('.json') && !f.includes('schema'));

function nagFindings(app: App): string[] {
  return new AwsSolutionsChecks().validateScope(app).violations.map(
    (v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
  );
}

test('the seven example configs are all there', () => {
  expect(EXAMPLES).toHaveLength(7);
});

test.each(EXAMPLES)('examples/%s synthesizes a stack with no unexplained cdk-nag finding', (file) => {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], config: `examples/${file}` },
    builtinCloudFormationValidation: false,
  } as ConstructorParameters<typeof App>[0]);
  const config = configFromContext(app.node, PROJECT_ROOT);
  new SecurityIntakeStack(app, 'SecurityIntake', { config, env: { region: config.aws.region } });
  expect(nagFindings(app)).toEqual([]);
});

test('the opt-in own rule set (activation custom resource) passes cdk-nag too', () => {
  const { app } = buildStack(testConfig({ ruleSet: { mode: 'create', name: 'security-intake' } }));
  expect(nagFindings(app)).toEqual([]);
});

test('an unexplained wildcard would be reported', () => {
  const { app, stack } = buildStack();
  stack.tick.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
  expect(nagFindings(app).join('\n')).toContain('AwsSolutions-IAM5[Action::s3:*]');
});

test('a region where SES does not receive mail is refused with the list and the way out', () => {
  expect(() => checkReceivingRegion('eu-south-1')).toThrow(UnsupportedReceivingRegion);
  expect(() => checkReceivingRegion('eu-south-1')).toThrow(/us-east-1, .*eu-west-1.*-c allowReceivingRegion=eu-south-1/);
  expect(() => checkReceivingRegion('eu-south-1', 'eu-south-1')).not.toThrow();
  expect(() => buildStack(testConfig({ region: 'sa-east-1' }))).toThrow(/SES does not receive email in sa-east-1/);
});
