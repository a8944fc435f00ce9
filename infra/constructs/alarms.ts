/**
 * What wakes a human (README "Operations" says what each alarm means and what to do). Every alarm goes to one
 * KMS-encrypted SNS topic, with an email subscription when config names `aws.alarmEmail`.
 *
 * Receiving: SES publishes no CloudWatch metric for failed receipt-rule actions, so "mail was not taken in" is
 * seen three ways: the intake function's errors, the custom `intakeFailed` count the use case emits for messages
 * it recorded as failed, and any event on the on-failure queue (all async retries spent).
 */
import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { cliCommand } from '../../lambdas/core/cli-hint';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../lambdas/adapters/aws/metric-names';

export interface AlarmsProps {
  key: kms.IKey;
  alarmEmail?: string;
  failedIntakeQueue: sqs.IQueue;
  functions: Record<string, lambda.IFunction>;
  stateMachine: sfn.IStateMachine;
}

export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'security-intake alarms',
      masterKey: props.key,
      enforceSSL: true,
    });
    // CloudWatch alarms publish to an encrypted topic only if they may use its key.
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    else {
      // an alarm nobody hears is how a failed intake goes unnoticed for weeks
      Annotations.of(this).addWarningV2(
        'security-intake:no-alarm-email',
        'aws.alarmEmail is not set: alarms (failed intake, missed deadlines, workflow failures) reach no one. Add "alarmEmail" to the aws section, or subscribe to the AlarmTopicArn output yourself.',
      );
    }

    this.add('FailedIntakeQueue', {
      metric: props.failedIntakeQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      description: `Inbound mail whose intake failed after all retries is waiting on the on-failure queue: replay it with ${cliCommand({ stack: Stack.of(this).stackName }, 'replay')}`,
    });
    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(`${name}Errors`, {
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        description: `The ${name} function failed (see its log group); async events are retried, then queued.`,
      });
    }
    this.add('IntakeFailed', {
      metric: this.custom('intakeFailed'),
      description: 'A received message could not be taken in (unparseable or rejected); it is kept in S3 and recorded.',
    });
    this.add('DeadlinesMissed', {
      metric: this.custom('deadlinesMissed'),
      description: 'A promise of a security policy was missed (acknowledgment, response or update is late).',
    });
    this.add('WorkflowFailed', {
      metric: props.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
      description: "A report's workflow execution failed: its timers no longer run until it is restarted.",
    });
  }

  private custom(metricName: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service: SERVICE_NAME },
      period: Duration.minutes(5),
      statistic: 'Sum',
    });
  }

  private add(id: string, opts: { metric: cloudwatch.IMetric; description: string }): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric: opts.metric,
      alarmDescription: opts.description,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new cwActions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
