/**
 * The wildcards that CDK's grant methods produce, acknowledged one finding at a time (cdk-nag AwsSolutions-IAM5
 * names each finding by its action or by the flattened resource, e.g. `Resource::<DataReportsDF118707.Arn>/index/*`),
 * each with the reason it is as narrow as it can be. A new wildcard anywhere else still fails synth.
 */
import { Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { INBOUND_PREFIX } from '../../lambdas/adapters/aws/ses-inbound-event';
import type { ReportWorkflow } from './report-workflow';
import type { ServiceFunction } from './service-function';

/** cdk-nag's rendering of a CloudFormation value inside a finding id. */
export function flattenForNag(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (Array.isArray(v['Fn::Join'])) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(flattenForNag).join(sep);
  }
  if (typeof v['Ref'] === 'string') return `<${v['Ref']}>`;
  if (Array.isArray(v['Fn::GetAtt'])) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  return JSON.stringify(value);
}

function resourceFinding(scope: IConstruct, value: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenForNag(Stack.of(scope).resolve(value))}]`;
}

export interface GrantWildcards {
  functions: ServiceFunction[];
  bucket: s3.IBucket;
  table: dynamodb.ITable;
  stateMachineArn: string;
  workflow: ReportWorkflow;
}

export function acknowledgeGrantWildcards(stack: Stack, g: GrantWildcards): void {
  const kms = [
    {
      id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      reason: 'From grantReadWriteData/grantRead on resources encrypted with our one key: scoped to that key ARN.',
    },
    {
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'From grantReadWriteData/grantRead on resources encrypted with our one key: scoped to that key ARN.',
    },
    {
      id: resourceFinding(stack, `${g.table.tableArn}/index/*`),
      reason: 'The table has one GSI (byProject); CDK grants its indexes by this pattern, within our table only.',
    },
    {
      id: resourceFinding(stack, `${g.stateMachineArn.replace(':stateMachine:', ':execution:')}:*`),
      reason: "DescribeExecution on executions of our state machine only (one per report, named by report ID).",
    },
  ];
  for (const fn of g.functions) Validations.of(fn.role).acknowledge(...kms);

  const intake = g.functions.find((f) => f.node.id === 'Intake');
  if (intake) {
    const s3Reason = `bucket.grantRead(intake, '${INBOUND_PREFIX}*'): read raw messages under ${INBOUND_PREFIX} only.`;
    Validations.of(intake.role).acknowledge(
      { id: 'AwsSolutions-IAM5[Action::s3:GetObject*]', reason: s3Reason },
      { id: 'AwsSolutions-IAM5[Action::s3:GetBucket*]', reason: s3Reason },
      { id: 'AwsSolutions-IAM5[Action::s3:List*]', reason: s3Reason },
      { id: resourceFinding(stack, g.bucket.arnForObjects(`${INBOUND_PREFIX}*`)), reason: s3Reason },
    );
  }

  const machine = g.workflow.stateMachine;
  const role = machine.role.node.defaultChild ? machine.role : machine;
  const versions = g.functions
    .filter((f) => f.node.id === 'Tick' || f.node.id === 'Arm')
    .map((f) => ({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(f.function.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason: 'The state machine invokes our Tick and Arm functions, any version (CDK LambdaInvoke grants Arn:*).',
    }));
  Validations.of(role).acknowledge(...versions, {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSampling*) and CloudWatch Logs vended ' +
      'delivery (logs:CreateLogDelivery and friends) support no resource-level permissions.',
  });
}
