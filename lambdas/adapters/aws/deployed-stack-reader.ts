/**
 * `secintake --aws --config FILE reports|show|raw|attachments|export`: the same read operations as on the local
 * data folder, on a deployed stack, through the same adapters the Lambdas use (DynamoReportStore, S3RawStore).
 * The table and the bucket come from the stack's outputs (one DescribeStacks); nothing is written.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../../core/config';
import { DynamoReportStore } from './dynamo-report-store';
import { S3RawStore } from './s3-raw-store';
import { systemClock } from '../../ports/clock';
import type { RawMailStore } from '../../ports/raw-mail-store';
import { readOperations, type ReadOperations } from '../../local/read-operations';
import { UserError } from '../../local/user-error';

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

export async function awsReader(config: Config, target: AwsTarget, clients?: AwsReadClients): Promise<{ ops: ReadOperations; raw: RawMailStore }> {
  const c = clients ?? awsReadClients(target.region ?? config.aws?.region ?? 'us-east-1', target.profile);
  const out = await stackOutputs(c.cfn, target.stack);
  for (const key of ['ReportTable', 'RawMailBucket']) {
    if (!out[key]) throw new UserError(`stack ${target.stack} has no ${key} output: is it a security-intake stack? (redeploy it with this version)`);
  }
  const store = new DynamoReportStore({ client: c.dynamo, tableName: out.ReportTable });
  const raw = new S3RawStore({ client: c.s3, bucket: out.RawMailBucket });
  // on AWS the outbox is the table's: the local outbox folder does not exist there
  const ops = readOperations({ config, store, clock: systemClock, outboxDir: '' });
  return { ops, raw };
}
