/**
 * The dependency set of every Lambda handler on AWS, built once per container (module scope survives between
 * invocations of a warm container). The config is the JSON text that esbuild compiled into the bundle as
 * process.env.SECINTAKE_CONFIG (infra/constructs/service-function.ts: Lambda's 4 KB environment would not hold
 * it); the resource names come from the function's environment.
 *
 * A bundle holds only what its handler reaches: the mail parser and the DKIM verifier (mailparser, html-to-text,
 * mailauth: most of the weight) are given by the intake handler alone; in any other function they are stand-ins
 * that say so if ever called.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESClient } from '@aws-sdk/client-ses';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Deps } from '../../app/deps';
import type { Config } from '../../core/config';
import { parseConfig } from '../../core/config-errors';
import { systemClock } from '../../ports/clock';
import { mimeComposer } from '../mime-composer';
import { DynamoReportStore } from './dynamo-report-store';
import { PowertoolsLoggerAdapter, PowertoolsMetricsAdapter } from './powertools';
import { S3RawStore } from './s3-raw-store';
import { SecretsManagerProjectKeys } from './secrets-manager-project-keys';
import { OpenPgpEngine } from '../openpgp-engine';
import { SecretsManagerKey } from './secrets-manager-key';
import { SesSender } from './ses-sender';
import { SfnWorkflow } from './sfn-workflow';

export class DeploymentMisconfigured extends Error {
  override readonly name = 'DeploymentMisconfigured';
  constructor(what: string) {
    super(`${what}: this function was not deployed by the security-intake CDK stack (or its bundle is stale); redeploy it`);
  }
}

export const REQUIRED_ENV = ['TABLE_NAME', 'BUCKET_NAME', 'STATE_MACHINE_ARN', 'REPLY_KEY_SECRET_ARN'] as const;

function env(name: (typeof REQUIRED_ENV)[number]): string {
  const value = process.env[name];
  if (!value) throw new DeploymentMisconfigured(`environment variable ${name} is not set`);
  return value;
}

/** The deployment config compiled into the bundle; parsed and validated like the local config file. */
export function deploymentConfig(): Config {
  const text = process.env.SECINTAKE_CONFIG;
  if (!text) throw new DeploymentMisconfigured('no deployment config (process.env.SECINTAKE_CONFIG)');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DeploymentMisconfigured('the deployment config is not JSON');
  }
  return parseConfig(json, 'deployment config');
}

/** The parts only the intake function needs, passed in by its handler. */
export type MailParts = Pick<Deps, 'parser' | 'dkim'>;

function notInThisFunction(what: string): never {
  throw new DeploymentMisconfigured(`${what} is only bundled in the intake function`);
}
const NO_MAIL_PARTS: MailParts = {
  parser: { parse: () => notInThisFunction('the mail parser') },
  dkim: { verify: () => notInThisFunction('the DKIM verifier') },
};

function build(mail: MailParts): Deps {
  const config = deploymentConfig();
  const region = process.env.AWS_REGION ?? config.aws?.region;
  return {
    config,
    store: new DynamoReportStore({ client: new DynamoDBClient({ region }), tableName: env('TABLE_NAME') }),
    raw: new S3RawStore({ client: new S3Client({ region }), bucket: env('BUCKET_NAME') }),
    ...mail,
    composer: mimeComposer,
    sender: new SesSender({ client: new SESClient({ region }), configurationSetName: process.env.SES_CONFIGURATION_SET ?? config.aws?.sesConfigurationSet }),
    workflow: new SfnWorkflow({ client: new SFNClient({ region }), stateMachineArn: env('STATE_MACHINE_ARN') }),
    clock: systemClock,
    keys: new SecretsManagerKey({ client: new SecretsManagerClient({ region }), secretId: env('REPLY_KEY_SECRET_ARN') }),
    log: new PowertoolsLoggerAdapter(),
    metrics: new PowertoolsMetricsAdapter(),
    // mail names the commands that work on this stack (secintake --aws --stack NAME ...)
    place: { stack: process.env.STACK_NAME ?? 'SecurityIntake' },
    // issue 17: only intake and tick are given the project key secrets (and may read them)
    ...(process.env.PROJECT_KEY_SECRETS
      ? {
          pgp: new OpenPgpEngine(),
          projectKeys: new SecretsManagerProjectKeys({ client: new SecretsManagerClient({ region }), secrets: JSON.parse(process.env.PROJECT_KEY_SECRETS) as Record<string, string> }),
        }
      : {}),
  };
}

let deps: Deps | undefined;

/** Memoized per container; a failed build is not memoized, so a fixed environment recovers on the next call. */
export function awsDeployment(mail: MailParts = NO_MAIL_PARTS): Deps {
  deps ??= build(mail);
  return deps;
}

/** Tests only: forget the memoized dependency set. */
export function resetAwsDeployment(): void {
  deps = undefined;
}
