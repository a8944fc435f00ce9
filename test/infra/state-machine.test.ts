/**
 * The workflow the stack deploys is the very one the local stack runs: the definition in the synthesized
 * template, resolved, equals the committed lambdas/local/report-workflow.asl.json (written by `npm run asl`,
 * whose fake ARNs name the functions TickFunction and ArmFunction).
 */
import { readFileSync } from 'node:fs';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ASL_PATH } from '../../infra/write-asl';
import { buildStack } from './stack-fixture';

const { stack } = buildStack();
const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Properties: Record<string, unknown> }> };

function resolver(functionNames: Record<string, string>) {
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '123456789012', 'AWS::URLSuffix': 'amazonaws.com' };
  const resolve = (expr: unknown): string => {
    if (typeof expr === 'string') return expr;
    const e = expr as Record<string, unknown>;
    if (Array.isArray(e['Fn::Join'])) {
      const [sep, parts] = e['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(sep);
    }
    if (typeof e['Ref'] === 'string' && pseudo[e['Ref']]) return pseudo[e['Ref']]!;
    if (Array.isArray(e['Fn::GetAtt'])) {
      const [id, attr] = e['Fn::GetAtt'] as [string, string];
      if (attr === 'Arn' && functionNames[id]) return `arn:aws:lambda:us-east-1:123456789012:function:${functionNames[id]}`;
    }
    throw new Error(`unresolvable in the definition: ${JSON.stringify(expr)}`);
  };
  return resolve;
}

/** write-asl's fake ARNs carry its own stack's logical IDs (`ArmFunction74350E25`): only the role matters. */
const normalizeFunctionNames = (text: string) => text.replace(/function:(Tick|Arm)Function[A-F0-9]{8}\b/g, 'function:$1Function');

test('the deployed state machine definition equals the committed ASL the local stack runs', () => {
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as CfnElement);
  const resolve = resolver({ [id(stack.tick.function)]: 'TickFunction', [id(stack.arm.function)]: 'ArmFunction' });
  const machine = template.Resources[id(stack.workflow.stateMachine)];
  const deployed = JSON.parse(resolve(machine!.Properties.DefinitionString));
  const committed = JSON.parse(normalizeFunctionNames(readFileSync(ASL_PATH, 'utf8')));
  expect(deployed).toEqual(committed);
});

test('no Choice state: a finished report ends by arm failing its own sleep with ReportFinished, caught to Closed', () => {
  type State = { Type: string; Retry?: Array<{ ErrorEquals: string[]; MaxAttempts?: number }>; Catch?: Array<{ ErrorEquals: string[]; Next: string }>; Next?: string };
  const asl = JSON.parse(readFileSync(ASL_PATH, 'utf8')) as { States: Record<string, State> };
  expect(Object.values(asl.States).map((s) => s.Type).sort()).toEqual(['Succeed', 'Task', 'Task']);
  expect(asl.States['Tick']!.Next).toBe('Sleep');
  const sleep = asl.States['Sleep']!;
  expect(sleep.Next).toBe('Tick');
  expect(sleep.Catch!.find((c) => c.ErrorEquals.includes('ReportFinished'))!.Next).toBe('Closed');
  expect(asl.States['Closed']!.Type).toBe('Succeed');
  // never retried, and matched before States.TaskFailed (which matches every error but States.Timeout)
  const retriers = sleep.Retry!;
  const finished = retriers.findIndex((r) => r.ErrorEquals.includes('ReportFinished'));
  expect(retriers[finished]!.MaxAttempts).toBe(0);
  expect(finished).toBeLessThan(retriers.findIndex((r) => r.ErrorEquals.includes('States.TaskFailed')));
});

test('arm may fail a sleep of this state machine (SendTaskFailure), and only arm', () => {
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as CfnElement);
  const policies = Object.values(template.Resources).filter((r) => (r as unknown as { Type: string }).Type === 'AWS::IAM::Policy');
  const rolesWith = policies
    .filter((p) => JSON.stringify(p.Properties['PolicyDocument']).includes('states:SendTaskFailure'))
    .flatMap((p) => (p.Properties['Roles'] as Array<{ Ref: string }>).map((r) => r.Ref));
  expect(rolesWith).toEqual([id(stack.arm.role as never)]);
});
