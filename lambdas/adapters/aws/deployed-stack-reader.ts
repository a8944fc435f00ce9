/**
 * `secintake --aws --config FILE reports|show|raw|attachments|export|outbox`: the same read operations as on the
 * local data folder (app/read-operations.ts), on a deployed stack, through the same adapters the Lambdas use
 * (DynamoReportStore, S3RawStore). The table and the bucket come from the stack's outputs (one DescribeStacks);
 * nothing is written. `replay` (awsReplayParts) gets the failure queue and the intake function the same way.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerProjectKeys } from './secrets-manager-project-keys';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../../core/config';
import { DynamoReportStore } from './dynamo-report-store';
import { S3RawStore } from './s3-raw-store';
import { systemClock } from '../../ports/clock';
import type { RawMailStore } from '../../ports/raw-mail-store';
import { reportReads, type ReportReads } from '../../app/read-operations';
import { UserError } from '../../app/user-error';
import type { FailedIntakeQueue, IntakeInvoker } from '../../ports/failed-intake-queue';

export interface AwsTarget {
  stack: string;
  region?: string;
  profile?: string;
}

export interface AwsReadClients {
  cfn: CloudFormationClient;
  dynamo: DynamoDBClient;
  s3: S3Client;
}

export function awsReadClients(region: string, profile?: string): AwsReadClients {
  const common = { region, ...(profile ? { profile } : {}) };
  return { cfn: new CloudFormationClient(common), dynamo: new DynamoDBClient(common), s3: new S3Client(common) };
}

/** The stack's outputs (infra/stacks/security-intake-stack.ts names them). */
export async function stackOutputs(cfn: CloudFormationClient, stack: string): Promise<Record<string, string>> {
  let outputs;
  try {
    outputs = (await cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks?.[0]?.Outputs;
  } catch (err) {
    if (/does not exist/.test((err as Error).message)) throw new UserError(`no stack ${stack} in this account and region (give --stack NAME and --region R)`);
    throw err;
  }
  return Object.fromEntries((outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
}

function requireOutputs(out: Record<string, string>, stack: string, keys: string[]): void {
  for (const key of keys) {
    if (!out[key]) throw new UserError(`stack ${stack} has no ${key} output: is it a security-intake stack? (redeploy it with this version)`);
  }
}

const regionOf = (config: Config, target: AwsTarget) => target.region ?? config.aws?.region ?? 'us-east-1';

export async function awsReader(config: Config, target: AwsTarget, clients?: AwsReadClients): Promise<{ ops: ReportReads; raw: RawMailStore }> {
  const c = clients ?? awsReadClients(regionOf(config, target), target.profile);
  const out = await stackOutputs(c.cfn, target.stack);
  requireOutputs(out, target.stack, ['ReportTable', 'RawMailBucket']);
  const store = new DynamoReportStore({ client: c.dynamo, tableName: out.ReportTable });
  const raw = new S3RawStore({ client: c.s3, bucket: out.RawMailBucket });
  // on AWS the outbox is the table's outbox items (outboxItems): the local outbox folder does not exist there
  return { ops: reportReads({ config, store, clock: systemClock }), raw };
}

export interface AwsReplayClients {
  cfn: CloudFormationClient;
  sqs: import('@aws-sdk/client-sqs').SQSClient;
  lambda: import('@aws-sdk/client-lambda').LambdaClient;
}

/** The stack's failure queue and intake function (outputs FailedIntakeQueueUrl, IntakeFunctionName). */
export async function awsReplayParts(config: Config, target: AwsTarget, clients?: AwsReplayClients): Promise<{ queue: FailedIntakeQueue; intake: IntakeInvoker }> {
  const [{ SqsFailedIntakeQueue, LambdaIntakeInvoker }, c] = await Promise.all([
    import('./failed-intake-replay'),
    clients ??
      (async () => {
        const common = { region: regionOf(config, target), ...(target.profile ? { profile: target.profile } : {}) };
        const [{ SQSClient }, { LambdaClient }] = await Promise.all([import('@aws-sdk/client-sqs'), import('@aws-sdk/client-lambda')]);
        return { cfn: new CloudFormationClient(common), sqs: new SQSClient(common), lambda: new LambdaClient(common) };
      })(),
  ]);
  const out = await stackOutputs(c.cfn, target.stack);
  requireOutputs(out, target.stack, ['FailedIntakeQueueUrl', 'IntakeFunctionName']);
  return { queue: new SqsFailedIntakeQueue(c.sqs, out.FailedIntakeQueueUrl), intake: new LambdaIntakeInvoker(c.lambda, out.IntakeFunctionName) };
}

/** The deployed stack's project key secrets (output ProjectKeySecrets): `secintake --aws keys ...` (issue 17). */
export async function awsProjectKeys(
  config: Config,
  target: AwsTarget,
  clients?: { cfn: CloudFormationClient; secrets: SecretsManagerClient },
): Promise<{ store: SecretsManagerProjectKeys; secrets: Record<string, string> }> {
  const region = regionOf(config, target);
  const common = { region, ...(target.profile ? { profile: target.profile } : {}) };
  const cfn = clients?.cfn ?? new CloudFormationClient(common);
  const out = await stackOutputs(cfn, target.stack);
  requireOutputs(out, target.stack, ['ProjectKeySecrets']);
  const secrets = JSON.parse(out.ProjectKeySecrets!) as Record<string, string>;
  const client = clients?.secrets ?? new SecretsManagerClient(common);
  return { store: new SecretsManagerProjectKeys({ client, secrets }), secrets };
}
