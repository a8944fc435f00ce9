/**
 * Everything the product keeps (DESIGN section 8): one customer-managed KMS key, the raw-mail bucket (with its
 * access-log bucket), the report table and the reply-address HMAC key. All of it outlives the stack
 * (RemovalPolicy.RETAIN): deleting the stack must never delete reports or the mail they came from.
 */
import { ArnFormat, Duration, RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { EXPIRES_AT, GSI_BY_PROJECT } from '../../lambdas/adapters/aws/dynamo-table';

/** Raw mail is kept this long when no project's config says otherwise. */
export const DEFAULT_RAW_RETENTION_DAYS = 730;

/** The bucket's expiry: the longest `retention.rawDays` of all projects (a project without one keeps the default). */
export function rawRetentionDays(projects: { retention?: { rawDays?: number } }[]): number {
  return Math.max(...projects.map((p) => p.retention?.rawDays ?? DEFAULT_RAW_RETENTION_DAYS));
}

export interface DataStoresProps {
  /** Days a raw message is kept before S3 deletes it (and noncurrent versions after a further 30 days). */
  rawRetentionDays?: number;
  /** The projects: each gets a secret for its OpenPGP key. */
  projectIds?: string[];
}

export class DataStores extends Construct {
  readonly key: kms.Key;
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  readonly table: dynamodb.Table;
  readonly replyKeySecret: secretsmanager.Secret;
  readonly githubSecret: secretsmanager.Secret;
  /** One secret per project for its OpenPGP private key (issue 17): a random placeholder (no key) until
   *  `secintake keys create|import --aws` puts the armored key in it. */
  readonly projectKeySecrets: Record<string, secretsmanager.Secret> = {};

  constructor(scope: Construct, id: string, props: DataStoresProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);

    this.key = new kms.Key(this, 'Key', {
      description: 'security-intake: raw mail, reports, queues, logs, topics and the reply-address key',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts our log groups with this key (it is not an IAM principal of ours).
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          },
        },
      }),
    );

    // Server access logs cannot go to an SSE-KMS bucket with a customer key: S3-managed encryption here.
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the raw-mail bucket; logging it to itself would loop.',
    });

    this.bucket = new s3.Bucket(this, 'RawMail', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true, // one KMS call per object prefix and hour instead of one per request
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'raw-mail/',
      lifecycleRules: [
        {
          id: 'expire-raw-mail',
          // Raw mail is evidence for a report's whole life (embargoes can run 90+ days): two years unless the
          // config says otherwise (`retention.rawDays`, the longest of all projects: one bucket holds them all).
          expiration: Duration.days(props.rawRetentionDays ?? DEFAULT_RAW_RETENTION_DAYS),
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Key names are the ones the DynamoDB adapter uses (lambdas/adapters/aws/dynamo-table.ts).
    this.table = new dynamodb.Table(this, 'Reports', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // retention (config `retention.closedReportDays`): items carrying a passed expiresAt are deleted by DynamoDB
      timeToLiveAttribute: EXPIRES_AT,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: GSI_BY_PROJECT,
      partitionKey: { name: 'gsi1pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    this.replyKeySecret = new secretsmanager.Secret(this, 'ReplyAddressKey', {
      description: 'HMAC key of the per-report reply addresses (security+<id>.<mac>@domain)',
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // GitHub credentials for the disclosure steps (issue 14): created empty ("{}"); an operator puts a token or a
    // GitHub App in it (README: GitHub). Never in the config, the logs or the workflow's input.
    this.githubSecret = new secretsmanager.Secret(this, 'GitHubCredentials', {
      description: 'GitHub credentials of the disclosure steps: {"token": "..."} or {"appId", "privateKey", "installationId"}; empty: none',
      encryptionKey: this.key,
      secretStringValue: SecretValue.unsafePlainText('{}'),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.githubSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'A GitHub token or App key is rotated on GitHub by its owner, then put here by hand.',
    });
    Validations.of(this.replyKeySecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the reply-address HMAC key would invalidate the reply address of every open report; replies ' +
        'still thread by Message-ID and subject tag, but rotation is a deliberate manual step, not a schedule.',
    });
    for (const projectId of props.projectIds ?? []) {
      const secret = new secretsmanager.Secret(this, `ProjectKey-${projectId}`, {
        description: `OpenPGP private key of project ${projectId} (secintake keys create|import --aws); a placeholder until then`,
        encryptionKey: this.key,
        // not a key: a random placeholder, so no value is ever written into the template
        generateSecretString: { passwordLength: 32, excludePunctuation: true, includeSpace: false },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: "An OpenPGP key is not rotated on a schedule: its fingerprint is published (security.txt, reporters' keyrings); a new key is a deliberate `secintake keys` step.",
      });
      this.projectKeySecrets[projectId] = secret;
    }
  }
}
