/**
 * The whole deployment, wired in the order mail flows through it. Each construct owns one concern; this file
 * only connects them and says why each connection exists.
 */
import { ArnFormat, CfnOutput, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { INBOUND_PREFIX } from '../../lambdas/adapters/aws/ses-inbound-event';
import { INTAKE_ATTEMPTS } from '../../lambdas/app/intake-attempts';
import type { DeployableConfig } from '../config/deployment-config';
import { Alarms } from '../constructs/alarms';
import { Dashboard, promisesOf } from '../constructs/dashboard';
import { DataStores, rawRetentionDays } from '../constructs/data-stores';
import { MailIdentities } from '../constructs/mail-identities';
import { MailReceiving } from '../constructs/mail-receiving';
import { OutboundMail } from '../constructs/outbound-mail';
import { ReportWorkflow } from '../constructs/report-workflow';
import { ServiceFunction } from '../constructs/service-function';
import { acknowledgeGrantWildcards, flattenForNag } from '../constructs/grant-acknowledgments';

export interface SecurityIntakeStackProps extends StackProps {
  config: DeployableConfig;
}

export class SecurityIntakeStack extends Stack {
  readonly data: DataStores;
  readonly intake: ServiceFunction;
  readonly tick: ServiceFunction;
  readonly arm: ServiceFunction;
  readonly sesEvents: ServiceFunction;
  /** Only when a project has `retention`: applies it once a day. */
  readonly retention?: ServiceFunction;
  /** Only when a project has `digest`: sends the weekly digests, checked every hour. */
  readonly weeklyDigest?: ServiceFunction;
  readonly failedIntake: sqs.Queue;
  readonly workflow: ReportWorkflow;
  readonly receiving: MailReceiving;
  readonly outbound: OutboundMail;
  /** Only with config `aws.identities`; otherwise the identities are verified outside the stack. */
  readonly identities?: MailIdentities;
  readonly alarms: Alarms;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: SecurityIntakeStackProps) {
    super(scope, id, props);
    const { config } = props;
    const securityAddresses = config.projects.flatMap((p) => p.addresses);

    // 1. What we keep: raw mail is the source of truth, stored (encrypted, retained) before anything parses it;
    //    for as long as the config's retention says.
    this.data = new DataStores(this, 'Data', { rawRetentionDays: rawRetentionDays(config.projects), projectIds: config.projects.map((p) => p.id) });
    const { key, bucket, table, replyKeySecret, projectKeySecrets } = this.data;

    // 2. Where a message goes when intake fails after Lambda's async retries: kept for `replay`, and alarmed.
    this.failedIntake = new sqs.Queue(this, 'FailedIntake', {
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14), // the SQS maximum: two weeks to notice the alarm and replay
    });
    Validations.of(this.failedIntake).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter destination of the intake function (Lambda on-failure destination).',
    });

    // 3. The functions. The state machine's ARN is built from its fixed name: tick and arm are inside its
    //    definition, so referencing the resource from their environment or policies would be a dependency cycle.
    const stateMachineName = `${this.stackName}-reports`;
    const stateMachineArn = this.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const configurationSetName = config.aws.sesConfigurationSet ?? `${this.stackName}-outbound`;
    const environment = {
      SES_CONFIGURATION_SET: configurationSetName,
      TABLE_NAME: table.tableName,
      BUCKET_NAME: bucket.bucketName,
      STATE_MACHINE_ARN: stateMachineArn,
      REPLY_KEY_SECRET_ARN: replyKeySecret.secretArn,
      INBOUND_PREFIX,
      // mail names `secintake --aws --stack <this>` commands (core/cli-hint.ts)
      STACK_NAME: this.stackName,
    };
    // the project OpenPGP keys: only the functions that read or write mail (intake, tick) know where they are
    const withProjectKeys = {
      ...environment,
      PROJECT_KEY_SECRETS: Stack.of(this).toJsonString(Object.fromEntries(Object.entries(projectKeySecrets).map(([id, s]) => [id, s.secretArn]))),
    };
    this.intake = new ServiceFunction(this, 'Intake', {
      entry: 'lambdas/handlers/intake.ts',
      description: 'security-intake: takes in one received message (SES -> S3 -> here)',
      config,
      key,
      environment: withProjectKeys,
      // Parsing a 40 MB message streams at ~100 MB/s; the rest is a few DynamoDB writes and one SES send.
      timeout: Duration.minutes(2),
      memorySize: 1024,
      retryAttempts: INTAKE_ATTEMPTS - 1,
      onFailure: this.failedIntake,
      // what lambdas/adapters/mailauth-dkim.ts, core/facts.ts and core/maintainer.ts require on first use: only a
      // maintainer's mail needs them (the DKIM verifier, CVSS scoring, the public suffix list)
      // and OpenPGP.js (adapters/openpgp-engine.ts): only encrypted mail, a sender's key, or a project key needs it
      lazyModules: ['mailauth/lib/dkim/verify', 'ae-cvss-calculator', 'tldts', 'openpgp'],
    });
    this.tick = new ServiceFunction(this, 'Tick', {
      entry: 'lambdas/handlers/tick.ts',
      description: "security-intake: acts on a report's due timers and plans the next wake-up",
      config,
      key,
      // only the tick talks to GitHub (issue 14): the secret is created empty; README: GitHub
      environment: { ...withProjectKeys, GITHUB_SECRET_ARN: this.data.githubSecret.secretArn },
      timeout: Duration.minutes(1),
      lazyModules: ['openpgp'],
    });
    this.arm = new ServiceFunction(this, 'Arm', {
      entry: 'lambdas/handlers/arm.ts',
      description: "security-intake: stores the workflow's wake-up token on the report",
      config,
      key,
      environment,
      timeout: Duration.seconds(30),
      memorySize: 256,
    });
    this.sesEvents = new ServiceFunction(this, 'SesEvents', {
      entry: 'lambdas/handlers/ses-events.ts',
      description: 'security-intake: records SES bounces and complaints of our mail on the report',
      config,
      key,
      environment,
      timeout: Duration.seconds(30),
      memorySize: 256,
    });
    const functions = [this.intake, this.tick, this.arm, this.sesEvents];

    // 4. One workflow execution per report holds the policy's timers; its history never holds report content.
    const workflowLogs = new logs.LogGroup(this, 'WorkflowLogs', {
      encryptionKey: key,
      retention: logs.RetentionDays.THREE_MONTHS,
    });
    this.workflow = new ReportWorkflow(this, 'Workflow', {
      tickFunction: this.tick.function,
      armFunction: this.arm.function,
      logGroup: workflowLogs,
    });
    (this.workflow.stateMachine.node.defaultChild as sfn.CfnStateMachine).stateMachineName = stateMachineName;

    // 5. Least privilege: each function gets the data it touches and nothing else.
    for (const fn of functions) table.grantReadWriteData(fn.function);
    bucket.grantRead(this.intake.function, `${INBOUND_PREFIX}*`);
    // `Redact: yes` from a lead (issue 19) deletes the report's raw messages at once, in the intake that reads the
    // command (a finished report has no workflow turn left to do it later). The intake can already rewrite any
    // item of the table; deleting raw mail under inbound/ adds little to what a compromised intake could do.
    bucket.grantDelete(this.intake.function, `${INBOUND_PREFIX}*`);
    const redactNow = `bucket.grantDelete(intake, '${INBOUND_PREFIX}*'): \`Redact: yes\` deletes a report's raw messages at once, under ${INBOUND_PREFIX} only.`;
    Validations.of(this.intake.role).acknowledge(
      { id: 'AwsSolutions-IAM5[Action::s3:DeleteObject*]', reason: redactNow },
      { id: `AwsSolutions-IAM5[Resource::${flattenForNag(this.resolve(bucket.arnForObjects(`${INBOUND_PREFIX}*`)))}]`, reason: redactNow },
    );
    for (const fn of functions.filter((f) => f !== this.arm)) replyKeySecret.grantRead(fn.function);
    this.data.githubSecret.grantRead(this.tick.function);
    for (const secret of Object.values(projectKeySecrets)) for (const fn of [this.intake, this.tick]) secret.grantRead(fn.function);
    for (const fn of functions) this.grantWorkflow(fn, stateMachineName, stateMachineArn);
    // arm ends a finished report's execution by failing its own sleep with ReportFinished (report-workflow.ts)
    this.arm.role.addToPolicy(new iam.PolicyStatement({ actions: ['states:SendTaskFailure'], resources: [stateMachineArn] }));

    // 6. Inbound: SES stores the raw message, then invokes intake.
    this.receiving = new MailReceiving(this, 'MailReceiving', {
      recipients: securityAddresses,
      ruleSet: config.aws.ruleSet,
      bucket,
      key,
      intake: this.intake.function,
    });

    // 7. Outbound: only From the security addresses; bounces and complaints come back to the report.
    this.outbound = new OutboundMail(this, 'Outbound', {
      securityAddresses,
      key,
      configurationSetName,
      eventsFunction: this.sesEvents.function,
    });
    for (const fn of functions.filter((f) => f !== this.arm)) this.outbound.grantSend(fn.function);

    //    Opt-in: the domains' identities (DKIM, MAIL FROM) made here, with the DNS records to publish as outputs.
    if (config.aws.identities) {
      this.identities = new MailIdentities(this, 'Identities', {
        securityAddresses,
        ...config.aws.identities,
        configurationSet: this.outbound.configurationSet,
      });
    }

    // 8. Alarms: a failed intake, a failing function, a failed workflow or a missed promise reaches a human.
    this.alarms = new Alarms(this, 'Alarms', {
      key,
      alarmEmail: config.aws.alarmEmail,
      failedIntakeQueue: this.failedIntake,
      functions: Object.fromEntries(functions.map((f) => [f.node.id, f.function])),
      stateMachine: this.workflow.stateMachine,
    });

    //    ...and one dashboard: what came in, what was missed, the functions' errors, every alarm's state.
    this.dashboard = new Dashboard(this, 'Dashboard', {
      name: this.stackName,
      alarms: this.alarms.alarms,
      functions: Object.fromEntries(functions.map((f) => [f.node.id, f.function])),
      projects: config.projects.map((p) => ({ id: p.id, promises: promisesOf(p.timers) })),
    });

    // 8b. Retention (config `retention`): once a day the rules are applied (final audit event, TTL on every item,
    //     redaction); DynamoDB's TTL deletes. Only its own grants: the table, and deleting raw mail when redacting.
    if (config.projects.some((p) => p.retention)) {
      this.retention = new ServiceFunction(this, 'Retention', {
        entry: 'lambdas/handlers/retention.ts',
        description: "security-intake: applies each project's retention once a day (expiry, redaction, legal hold)",
        config,
        key,
        environment,
        timeout: Duration.minutes(5),
        memorySize: 256,
      });
      table.grantReadWriteData(this.retention.function);
      bucket.grantDelete(this.retention.function, `${INBOUND_PREFIX}*`);
      const redaction = `bucket.grantDelete(retention, '${INBOUND_PREFIX}*'): redaction deletes a report's raw messages, under ${INBOUND_PREFIX} only.`;
      Validations.of(this.retention.role).acknowledge(
        { id: 'AwsSolutions-IAM5[Action::s3:DeleteObject*]', reason: redaction },
        { id: `AwsSolutions-IAM5[Resource::${flattenForNag(this.resolve(bucket.arnForObjects(`${INBOUND_PREFIX}*`)))}]`, reason: redaction },
      );
      new events.Rule(this, 'RetentionSchedule', {
        description: 'security-intake: retention, daily',
        schedule: events.Schedule.cron({ minute: '17', hour: '3' }),
        targets: [new targets.LambdaFunction(this.retention.function, { retryAttempts: 2 })],
      });
    }

    // 8c. Weekly digests (config `digest`): checked every hour, each sent once at its instant through the outbox.
    if (config.projects.some((p) => p.digest)) {
      this.weeklyDigest = new ServiceFunction(this, 'WeeklyDigest', {
        entry: 'lambdas/handlers/weekly-digest.ts',
        description: "security-intake: sends each project's weekly digest to its maintainers",
        config,
        key,
        environment,
        timeout: Duration.minutes(2),
        memorySize: 256,
      });
      table.grantReadWriteData(this.weeklyDigest.function);
      this.outbound.grantSend(this.weeklyDigest.function);
      new events.Rule(this, 'WeeklyDigestSchedule', {
        description: 'security-intake: weekly digests, checked hourly',
        schedule: events.Schedule.cron({ minute: '5' }),
        targets: [new targets.LambdaFunction(this.weeklyDigest.function, { retryAttempts: 2 })],
      });
    }

    // 9. Every wildcard the grants above produce, each with its reason (cdk-nag AwsSolutions-IAM5).
    acknowledgeGrantWildcards(this, { functions: [...functions, ...[this.retention, this.weeklyDigest].filter((f): f is ServiceFunction => f !== undefined)], bucket, table, stateMachineArn, workflow: this.workflow });

    new CfnOutput(this, 'RawMailBucket', { value: bucket.bucketName });
    new CfnOutput(this, 'ReportTable', { value: table.tableName });
    new CfnOutput(this, 'FailedIntakeQueueUrl', { value: this.failedIntake.queueUrl });
    // `secintake --aws replay` invokes it; `doctor --aws` reads the functions' errors
    new CfnOutput(this, 'IntakeFunctionName', { value: this.intake.function.functionName });
    // `secintake --aws keys create|import|export` finds each project's key secret here (issue 17): ARNs, no values
    new CfnOutput(this, 'ProjectKeySecrets', { value: Stack.of(this).toJsonString(Object.fromEntries(Object.entries(projectKeySecrets).map(([id, s]) => [id, s.secretArn]))) });
    new CfnOutput(this, 'StateMachineArn', { value: stateMachineArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.stackName });
  }

  /** Start a report's execution, wake it (task token), see whether it runs: on our state machine only. */
  private grantWorkflow(fn: ServiceFunction, name: string, arn: string): void {
    fn.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['states:StartExecution', 'states:SendTaskSuccess'], resources: [arn] }),
    );
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['states:DescribeExecution'],
        resources: [
          this.formatArn({
            service: 'states',
            resource: 'execution',
            resourceName: `${name}:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
  }
}
