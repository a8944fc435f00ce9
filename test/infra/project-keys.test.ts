/**
 * Issue 17 on AWS: one Secrets Manager secret per project for its OpenPGP key, created without a value in the
 * template, readable by the intake and tick functions only (and by them, only these secrets and the reply key).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { Stack } from 'aws-cdk-lib';
import { buildStack } from './stack-fixture';

const { stack } = buildStack();
const template = Template.fromStack(stack);
const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
/** Every IAM statement attached to a function's role (inline policies of the role). */
function statementsOf(roleLogicalId: string): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } } }[];
  return policies.filter((p) => p.Properties.Roles.some((r) => r.Ref === roleLogicalId)).flatMap((p) => p.Properties.PolicyDocument.Statement);
}
const roleOf = (fn: { function: { role?: unknown } }) => logicalId(fn.function.role as never);
const secretsRead = (roleId: string) =>
  statementsOf(roleId)
    .filter((s) => ([] as string[]).concat(s.Action).includes('secretsmanager:GetSecretValue'))
    .map((s) => JSON.stringify(s.Resource));

test('one secret per project, with no key value in the template', () => {
  const secrets = Object.entries(template.findResources('AWS::SecretsManager::Secret')) as [string, { Properties: Record<string, unknown> }][];
  const projectSecrets = secrets.filter(([, s]) => String(s.Properties.Description).startsWith('OpenPGP private key of project'));
  expect(projectSecrets.map(([, s]) => s.Properties.Description)).toEqual([
    expect.stringContaining('project bases'),
    expect.stringContaining('project falconpy'),
  ]);
  for (const [, s] of projectSecrets) {
    expect(s.Properties.SecretString).toBeUndefined();
    expect(s.Properties.GenerateSecretString).toBeDefined();
  }
});

test('only intake and tick may read the project key secrets, and nothing but them, the reply key and (tick) the GitHub credentials', () => {
  const keyIds = Object.values(stack.data.projectKeySecrets).map((s) => logicalId(s));
  const replyKeyId = logicalId(stack.data.replyKeySecret);
  const githubId = logicalId(stack.data.githubSecret);
  for (const fn of [stack.intake, stack.tick]) {
    const read = secretsRead(roleOf(fn));
    for (const id of keyIds) expect(read.some((r) => r.includes(id))).toBe(true);
    // every secret this function may read is one of the project keys or the reply key (the tick also the
    // GitHub credentials of issue 14): no wildcard
    const allowed = [...keyIds, replyKeyId, ...(fn === stack.tick ? [githubId] : [])];
    for (const r of read) expect(allowed.some((id) => r.includes(id))).toBe(true);
    expect(read.join()).not.toContain('*');
  }
  for (const fn of [stack.arm, stack.sesEvents]) {
    const read = secretsRead(roleOf(fn)).join();
    for (const id of keyIds) expect(read).not.toContain(id);
  }
  // where the keys are is told to intake and tick only
  const env = (fn: { function: unknown }) => JSON.stringify(Stack.of(stack).resolve((fn.function as { node: { defaultChild: { environment: unknown } } }).node.defaultChild.environment));
  expect(env(stack.intake)).toContain('PROJECT_KEY_SECRETS');
  expect(env(stack.tick)).toContain('PROJECT_KEY_SECRETS');
  expect(env(stack.arm)).not.toContain('PROJECT_KEY_SECRETS');
});

test('the stack names each project key secret in its ProjectKeySecrets output (ARNs, no values): secintake --aws keys finds it there', () => {
  const outputs = template.findOutputs('ProjectKeySecrets');
  expect(Object.keys(outputs)).toEqual(['ProjectKeySecrets']);
  const value = JSON.stringify(Stack.of(stack).resolve(outputs.ProjectKeySecrets!.Value));
  for (const s of Object.values(stack.data.projectKeySecrets)) expect(value).toContain(logicalId(s));
  expect(value).not.toContain('PRIVATE KEY');
});
