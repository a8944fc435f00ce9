/**
 * The whole deployment, wired in the order mail flows through it. Each construct owns one concern; this file
 * only connects them and says why each connection exists.
 */
import { ArnFormat, CfnOutput, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { INBOUND_PREFIX } from '../../lambdas/adapters/aws/ses-inbound-event';
import { INTAKE_ATTEMPTS } from '../../lambdas/app/intake-attempts';
import type { DeployableConfig } from '../config/deployment-config';
import { Alarms } from '../constructs/alarms';
import { DataStores } from '../constructs/data-stores';
import { MailIdentities } from '../constructs/mail-identities';
import { MailReceiving } from '../constructs/mail-receiving';
import { OutboundMail } from '../constructs/outbound-mail';
import { ReportWorkflow } from '../constructs/report-workflow';
import { ServiceFunction } from '../constructs/service-function';
import { acknowledgeGrantWildcards } from '../constructs/grant-acknowledgments';

export interface SecurityIntakeStackProps extends StackProps {
  config: DeployableConfig;
}

export class SecurityIntakeStack extends Stack {
  readonly data: DataStores;
  readonly intake: ServiceFunction;
  readonly tick: ServiceFunction;
  readonly arm: ServiceFunction;
  readonly sesEvents: ServiceFunction;
  readonly failedIntake: sqs.Queue;
  readonly workflow: ReportWorkflow;
  readonly receiving: MailReceiving;
  readonly outbound: OutboundMail;
  /** Only with config `aws.identities`; otherwise the identities are verified outside the stack. */
  readonly identities?: MailIdentities;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: SecurityIntakeStackProps) {
    super(scope, id, props);
    const { config } = props;
    const securityAddresses = config.projects.flatMap((p) => p.addresses);

    // 1. What we keep: raw mail is the source of truth, stored (encrypted, retained) before anything parses it.
    this.data = new DataStores(this, 'Data');
    const { key, bucket, table, replyKeySecret } = this.data;

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
    };
    this.intake = new ServiceFunction(this, 'Intake', {
      entry: 'lambdas/handlers/intake.ts',
      description: 'security-intake: takes in one received message (SES -> S3 -> here)',
      config,
      key,
      environment,
      // Parsing a 40 MB message streams at ~100 MB/s; the rest is a few DynamoDB writes and one SES send.
      timeout: Duration.minutes(2),
      memorySize: 1024,
      retryAttempts: INTAKE_ATTEMPTS - 1,
      onFailure: this.failedIntake,
    });
    this.tick = new ServiceFunction(this, 'Tick', {
      entry: 'lambdas/handlers/tick.ts',
      description: "security-intake: acts on a report's due timers and plans the next wake-up",
      config,
      key,
      environment,
      timeout: Duration.minutes(1),
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
    for (const fn of functions.filter((f) => f !== this.arm)) replyKeySecret.grantRead(fn.function);
    for (const fn of functions) this.grantWorkflow(fn, stateMachineName, stateMachineArn);

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

    // 9. Every wildcard the grants above produce, each with its reason (cdk-nag AwsSolutions-IAM5).
    acknowledgeGrantWildcards(this, { functions, bucket, table, stateMachineArn, workflow: this.workflow });

    new CfnOutput(this, 'RawMailBucket', { value: bucket.bucketName });
    new CfnOutput(this, 'ReportTable', { value: table.tableName });
    new CfnOutput(this, 'FailedIntakeQueueUrl', { value: this.failedIntake.queueUrl });
    new CfnOutput(this, 'StateMachineArn', { value: stateMachineArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
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
