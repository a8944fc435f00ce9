/**
 * `npm run asl`: writes the report workflow's Amazon States Language, exactly as CDK synthesizes it, to
 * lambdas/local/report-workflow.asl.json, which the local runner executes. test/infra/asl-drift.test.ts fails
 * when the committed file is not what CDK would synthesize now.
 *
 * The DefinitionString is a CloudFormation expression (Fn::Join of strings, Refs of pseudo parameters,
 * Fn::GetAtt of the Lambda ARNs); it is resolved with a fake account and region, and each Lambda ARN carries
 * the state-independent logical ID of its function (`...:function:TickFunction`), which the local runner ignores:
 * it maps Task states to handlers by state name.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ReportWorkflow } from './constructs/report-workflow';

export const ASL_PATH = join(__dirname, '..', 'lambdas', 'local', 'report-workflow.asl.json');

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com',
};

export class UnresolvableDefinition extends Error {
  override readonly name = 'UnresolvableDefinition';
}

function resolve(expr: unknown): string {
  if (typeof expr === 'string') return expr;
  const e = expr as Record<string, unknown>;
  if (Array.isArray(e['Fn::Join'])) {
    const [sep, parts] = e['Fn::Join'] as [string, unknown[]];
    return parts.map(resolve).join(sep);
  }
  if (typeof e['Ref'] === 'string') {
    const value = PSEUDO[e['Ref']];
    if (value === undefined) throw new UnresolvableDefinition(`cannot resolve Ref ${e['Ref']} in the workflow definition`);
    return value;
  }
  if (Array.isArray(e['Fn::GetAtt'])) {
    const [logicalId, attr] = e['Fn::GetAtt'] as [string, string];
    if (attr !== 'Arn') throw new UnresolvableDefinition(`cannot resolve Fn::GetAtt ${logicalId}.${attr}`);
    return `arn:aws:lambda:${PSEUDO['AWS::Region']}:${PSEUDO['AWS::AccountId']}:function:${logicalId}`;
  }
  throw new UnresolvableDefinition(`cannot resolve ${JSON.stringify(expr)} in the workflow definition`);
}

/** Synthesizes a minimal stack holding only the workflow and returns its definition as JSON text. */
export function synthesizeWorkflowAsl(): string {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  } as ConstructorParameters<typeof App>[0]);
  const stack = new Stack(app, 'AslStack');
  const fn = (id: string) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({});'),
    });
  const workflow = new ReportWorkflow(stack, 'Workflow', { tickFunction: fn('TickFunction'), armFunction: fn('ArmFunction') });
  const template = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const logicalId = stack.getLogicalId(workflow.stateMachine.node.defaultChild as never);
  const definition = JSON.parse(resolve(template.Resources[logicalId]!.Properties['DefinitionString']));
  return `${JSON.stringify(definition, null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(ASL_PATH, synthesizeWorkflowAsl());
  console.log(`wrote ${ASL_PATH}`);
}
