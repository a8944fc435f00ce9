/**
 * `secintake doctor --aws`: read-only checks of an account before (and after) a deploy. No local stand-in answers
 * for an account's SES identities or CloudFormation stacks, so the SDK clients are mocked here (aws-sdk-client-mock),
 * one failing check at a time, each with the message a user acts on.
 */
import type { MxRecord } from 'node:dns';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStackResourcesCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  DescribeActiveReceiptRuleSetCommand,
  DescribeReceiptRuleSetCommand,
  GetIdentityDkimAttributesCommand,
  GetIdentityVerificationAttributesCommand,
  ListConfigurationSetsCommand,
  SESClient,
} from '@aws-sdk/client-ses';
import { GetAccountCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import type { Config } from '../../lambdas/core/config';
import { awsDoctor } from '../../lambdas/adapters/aws/account-checks';
import { run } from '../../lambdas/local/cli/main';
import { testConfig } from '../infra/stack-fixture';

const ses = mockClient(SESClient);
const sesv2 = mockClient(SESv2Client);
const cfn = mockClient(CloudFormationClient);
const cloudwatch = mockClient(CloudWatchClient);
const sqs = mockClient(SQSClient);
const sns = mockClient(SNSClient);
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/SecurityIntake-FailedIntake';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:SecurityIntake-AlarmsTopic';
const NOW = new Date('2027-03-12T12:00:00Z');
const DOMAINS = ['bases.example.org', 'falconpy.example.com'];
const notFound = (name: string) => Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });

let mx: Record<string, MxRecord[]>;

/** An account where everything is ready for a first deploy. */
function readyAccount(): void {
  ses.reset();
  sesv2.reset();
  cfn.reset();
  cloudwatch.reset();
  sqs.reset();
  sns.reset();
  ses.on(GetIdentityVerificationAttributesCommand).resolves({
    VerificationAttributes: Object.fromEntries(DOMAINS.map((d) => [d, { VerificationStatus: 'Success' }])),
  });
  ses.on(GetIdentityDkimAttributesCommand).resolves({
    DkimAttributes: Object.fromEntries(DOMAINS.map((d) => [d, { DkimEnabled: true, DkimVerificationStatus: 'Success', DkimTokens: [] }])),
  });
  ses.on(DescribeActiveReceiptRuleSetCommand).resolves({ Metadata: { Name: 'default-rule-set' } });
  ses.on(ListConfigurationSetsCommand).resolves({ ConfigurationSets: [{ Name: 'something-else' }] });
  sesv2.on(GetAccountCommand).resolves({ ProductionAccessEnabled: true });
  cfn.on(DescribeStacksCommand, { StackName: 'CDKToolkit' }).resolves({ Stacks: [{ StackName: 'CDKToolkit', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] });
  cfn.on(DescribeStacksCommand, { StackName: 'SecurityIntake' }).rejects(notFound('SecurityIntake'));
  mx = Object.fromEntries(DOMAINS.map((d) => [d, [{ exchange: 'inbound-smtp.us-east-1.amazonaws.com', priority: 10 }]]));
}

/** The same account after `cdk deploy`: the stack, its rule, quiet functions, an empty queue, calm alarms, a confirmed subscriber. */
function deployedStack(): void {
  cfn.on(DescribeStacksCommand, { StackName: 'SecurityIntake' }).resolves({
    Stacks: [
      {
        StackName: 'SecurityIntake',
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: [
          { OutputKey: 'FailedIntakeQueueUrl', OutputValue: QUEUE },
          { OutputKey: 'AlarmTopicArn', OutputValue: TOPIC },
        ],
      },
    ],
  });
  const addresses = testConfig().projects.flatMap((p) => p.addresses);
  ses.on(DescribeReceiptRuleSetCommand).resolves({ Rules: [{ Name: 'SecurityIntake-Rule', Enabled: true, Recipients: addresses }] });
  const fn = (logical: string, physical: string) => ({ LogicalResourceId: logical, PhysicalResourceId: physical, ResourceType: 'AWS::Lambda::Function', ResourceStatus: 'CREATE_COMPLETE' as const, Timestamp: new Date() });
  cfn.on(DescribeStackResourcesCommand).resolves({
    StackResources: [fn('IntakeFunction1A2B3C4D', 'SecurityIntake-IntakeFunction-abc'), fn('TickFunctionDEADBEEF', 'SecurityIntake-TickFunction-def'), { LogicalResourceId: 'Table', ResourceType: 'AWS::DynamoDB::Table', ResourceStatus: 'CREATE_COMPLETE', Timestamp: new Date() }],
  });
  cloudwatch.on(GetMetricStatisticsCommand).resolves({ Datapoints: [{ Timestamp: new Date('2027-03-11T08:00:00Z'), Sum: 0 }] });
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' } });
  cloudwatch.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: ['FailedIntakeQueue', 'IntakeErrors', 'WorkflowFailed'].map((n) => ({ AlarmName: `SecurityIntake-Alarms${n}-XYZ`, StateValue: 'OK' as const, AlarmDescription: `${n} description` })),
  });
  sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [{ SubscriptionArn: `${TOPIC}:1234`, Protocol: 'email', Endpoint: 'ops@bases.example.org', TopicArn: TOPIC }] });
}

async function doctor(config: Config = testConfig()): Promise<{ ok: string[]; warnings: string[]; problems: string[] }> {
  const result = { ok: [] as string[], warnings: [] as string[], problems: [] as string[] };
  await awsDoctor(
    config,
    { stackName: 'SecurityIntake', now: NOW },
    {
      ses: new SESClient({ region: 'us-east-1' }),
      sesv2: new SESv2Client({ region: 'us-east-1' }),
      cfn: new CloudFormationClient({ region: 'us-east-1' }),
      cloudwatch: new CloudWatchClient({ region: 'us-east-1' }),
      sqs: new SQSClient({ region: 'us-east-1' }),
      sns: new SNSClient({ region: 'us-east-1' }),
      resolveMx: async (d) => mx[d] ?? [],
    },
    { ok: (s) => result.ok.push(s), warn: (s) => result.warnings.push(s), problem: (s) => result.problems.push(s) },
  );
  return result;
}

describe('doctor --aws', () => {
  beforeEach(readyAccount);

  it('finds nothing wrong in an account ready for the first deploy', async () => {
    const r = await doctor();
    expect(r.problems).toEqual([]);
    expect(r.ok.join('\n')).toContain('receipt rule set default-rule-set exists and is the active one');
    expect(r.ok.join('\n')).toContain('stack SecurityIntake is not deployed yet');
  });

  it.each([
    [
      'a region where SES does not receive mail',
      () => (mx = Object.fromEntries(DOMAINS.map((d) => [d, [{ exchange: 'inbound-smtp.eu-south-1.amazonaws.com', priority: 10 }]]))),
      testConfig({ region: 'eu-south-1' }),
      /SES does not receive email in eu-south-1/,
    ],
    [
      'an unverified identity',
      () => ses.on(GetIdentityVerificationAttributesCommand).resolves({ VerificationAttributes: { 'bases.example.org': { VerificationStatus: 'Success' } } }),
      undefined,
      /SES identity falconpy.example.com is missing in us-east-1: verify the domain/,
    ],
    [
      'DKIM not verified',
      () =>
        ses.on(GetIdentityDkimAttributesCommand).resolves({
          DkimAttributes: {
            'bases.example.org': { DkimEnabled: true, DkimVerificationStatus: 'Pending', DkimTokens: [] },
            'falconpy.example.com': { DkimEnabled: true, DkimVerificationStatus: 'Success', DkimTokens: [] },
          },
        }),
      undefined,
      /DKIM for bases.example.org is enabled but pending: publish the three Easy DKIM CNAME records/,
    ],
    ['an MX elsewhere', () => (mx['bases.example.org'] = [{ exchange: 'mx.elsewhere.example', priority: 10 }]), undefined, /MX of bases.example.org is mx.elsewhere.example, not inbound-smtp.us-east-1.amazonaws.com/],
    ['the SES sandbox', () => sesv2.on(GetAccountCommand).resolves({ ProductionAccessEnabled: false }), undefined, /in the SES sandbox: .*request production access/],
    [
      'a rule set that is not the active one',
      () => ses.on(DescribeActiveReceiptRuleSetCommand).resolves({ Metadata: { Name: 'company-inbound' } }),
      undefined,
      /active receipt rule set is company-inbound: our rule would receive nothing. Name the active set \(aws ses describe-active-receipt-rule-set/,
    ],
    [
      '"create" while another set is active',
      () => ses.on(DescribeActiveReceiptRuleSetCommand).resolves({ Metadata: { Name: 'company-inbound' } }),
      testConfig({ ruleSet: { mode: 'create', name: 'security-intake' } }),
      /deactivates the active set company-inbound/,
    ],
    ['a configuration set of our name', () => ses.on(ListConfigurationSetsCommand).resolves({ ConfigurationSets: [{ Name: 'security-intake' }] }), undefined, /configuration set named security-intake exists already/],
    ['no CDK bootstrap', () => cfn.on(DescribeStacksCommand, { StackName: 'CDKToolkit' }).rejects(notFound('CDKToolkit')), undefined, /CDKToolkit is missing in us-east-1: run npx cdk bootstrap/],
  ])('says what to do about %s', async (_, arrange, config, message) => {
    arrange();
    const r = await doctor(config);
    expect(r.problems).toEqual([expect.stringMatching(message)]);
  });

  it('after the deploy, finds our receipt rule in the rule set, or says it is missing', async () => {
    deployedStack();
    const r = await doctor();
    expect(r.problems).toEqual([]);
    expect(r.warnings).toEqual([]);
    const addresses = testConfig().projects.flatMap((p) => p.addresses);
    ses.on(DescribeReceiptRuleSetCommand).resolves({ Rules: [{ Name: 'other', Enabled: true, Recipients: ['x@y.example'] }] });
    expect((await doctor()).problems).toEqual([expect.stringContaining(`no enabled receipt rule in default-rule-set lists ${addresses[0]}`)]);
  });

  it('after the deploy, a healthy stack: each function, the queue, the alarms and the subscriber are ok', async () => {
    deployedStack();
    const r = await doctor();
    expect(r.ok).toEqual(
      expect.arrayContaining([
        'function Intake: no error in the last 7 days',
        'function Tick: no error in the last 7 days',
        'the failure queue is empty: every received message was taken in',
        '3 alarms, none in ALARM',
        'the alarm topic has 1 confirmed subscription(s): email ops@bases.example.org',
      ]),
    );
    const metric = cloudwatch.commandCalls(GetMetricStatisticsCommand).map((c) => c.args[0].input);
    expect(metric.map((m) => [m.Namespace, m.MetricName, m.Dimensions?.[0].Value, m.EndTime])).toEqual([
      ['AWS/Lambda', 'Errors', 'SecurityIntake-IntakeFunction-abc', NOW],
      ['AWS/Lambda', 'Errors', 'SecurityIntake-TickFunction-def', NOW],
    ]);
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)[0].args[0].input.ActionPrefix).toBe(TOPIC);
  });

  it.each([
    [
      'a function that failed lately',
      () =>
        cloudwatch.on(GetMetricStatisticsCommand, { Dimensions: [{ Name: 'FunctionName', Value: 'SecurityIntake-IntakeFunction-abc' }] }).resolves({
          Datapoints: [
            { Timestamp: new Date('2027-03-10T08:00:00Z'), Sum: 2 },
            { Timestamp: new Date('2027-03-11T15:00:00Z'), Sum: 1 },
          ],
        }),
      'warn',
      'function Intake: 3 error(s) in the last 7 days, the last in the hour from 2027-03-11T15:00:00.000Z: read its log (aws logs tail /aws/lambda/SecurityIntake-IntakeFunction-abc --since 7d)',
    ],
    [
      'mail waiting on the failure queue',
      () => sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '2', ApproximateNumberOfMessagesNotVisible: '0' } }),
      'problem',
      '2 failed intake(s) wait on the failure queue (kept 14 days): read the Intake log, fix the cause, then secintake --aws --stack SecurityIntake --config FILE replay',
    ],
    [
      'an alarm in ALARM',
      () =>
        cloudwatch.on(DescribeAlarmsCommand).resolves({
          MetricAlarms: [
            { AlarmName: 'SecurityIntake-AlarmsWorkflowFailed-XYZ', StateValue: 'ALARM', StateUpdatedTimestamp: new Date('2027-03-12T09:00:00Z'), AlarmDescription: "A report's workflow execution failed: its timers no longer run until it is restarted." },
            { AlarmName: 'SecurityIntake-AlarmsIntakeErrors-XYZ', StateValue: 'OK' },
          ],
        }),
      'problem',
      "alarm SecurityIntake-AlarmsWorkflowFailed-XYZ is in ALARM since 2027-03-12T09:00:00.000Z: A report's workflow execution failed: its timers no longer run until it is restarted. (README, Operations: the alarms table says what to do)",
    ],
    [
      'a subscription never confirmed',
      () => sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [{ SubscriptionArn: 'PendingConfirmation', Protocol: 'email', Endpoint: 'ops@bases.example.org' }] }),
      'warn',
      'the alarm topic\'s subscription(s) email ops@bases.example.org are not confirmed: alarms reach no one until the link in the "AWS Notification - Subscription Confirmation" mail is followed (look in spam; redeploy to send it again)',
    ],
    [
      'no subscription at all',
      () => sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] }),
      'warn',
      `the alarm topic has no subscription: alarms reach no one. Set aws.alarmEmail and redeploy, or: aws sns subscribe --topic-arn ${TOPIC} --protocol email --notification-endpoint YOU@EXAMPLE`,
    ],
  ])('after the deploy, says what to do about %s', async (_, arrange, level, message) => {
    deployedStack();
    arrange();
    const r = await doctor();
    expect(level === 'warn' ? r.warnings : r.problems).toEqual([message]);
    expect(level === 'warn' ? r.problems : r.warnings).toEqual([]);
  });

  it('the CLI asks for the deployment config, names the commands that run on AWS, and makes no call otherwise', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secintake-awsdoc-'));
    try {
      let err = '';
      const code = await run(['--data', dir, '--aws', 'doctor'], { out: () => {}, err: (t) => void (err += t) });
      expect(code).toBe(2);
      expect(err).toContain('give it with --config FILE');
      await writeFile(join(dir, 'c.json'), '{}');
      const other = await run(['--data', dir, '--config', join(dir, 'c.json'), '--aws', 'start'], { out: () => {}, err: (t) => void (err += t) });
      expect(other).toBe(2);
      expect(err).toContain('start works on the local data folder only; on AWS: reports, show, raw, attachments, export, outbox, replay, doctor');
      expect(ses.calls()).toHaveLength(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
