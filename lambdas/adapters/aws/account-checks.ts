/**
 * `secintake doctor --aws --config FILE`: read-only checks of an AWS account and region before the first deploy
 * (and of the deployed stack after it), each answered `ok` or `PROBLEM` with what to do. Only Describe/Get/List
 * calls: nothing is created or changed. Tested with aws-sdk-client-mock (test/local/aws-doctor.test.ts), the one
 * place mocks fit: no local stand-in answers for an AWS account's SES identities or CloudFormation stacks.
 */
import type { MxRecord } from 'node:dns';
import { CloudFormationClient, DescribeStackResourcesCommand, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
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
import { checkReceivingRegion } from '../../../infra/config/receiving-region';
import type { Config } from '../../core/config';

export interface AwsDoctorClients {
  ses: SESClient;
  sesv2: SESv2Client;
  cfn: CloudFormationClient;
  /** After the deploy: the functions' errors and the alarms (CloudWatch), the failure queue, the alarm topic. */
  cloudwatch: CloudWatchClient;
  sqs: SQSClient;
  sns: SNSClient;
  /** DNS MX lookup (node:dns/promises resolveMx); tests give their own. */
  resolveMx(domain: string): Promise<MxRecord[]>;
}

export interface AwsDoctorOptions {
  stackName: string;
  /** The instant the functions' error window ends (tests give their own). */
  now?: Date;
  allowReceivingRegion?: string;
}

export interface DoctorOutput {
  ok(text: string): void;
  /** Worth a look, not a failure (a past error, an unconfirmed subscription). */
  warn(text: string): void;
  problem(text: string): void;
}

export function awsClients(region: string, profile?: string): AwsDoctorClients {
  const common = { region, ...(profile ? { profile } : {}) };
  return {
    ses: new SESClient(common),
    sesv2: new SESv2Client(common),
    cfn: new CloudFormationClient(common),
    cloudwatch: new CloudWatchClient(common),
    sqs: new SQSClient(common),
    sns: new SNSClient(common),
    resolveMx: async (domain) => (await import('node:dns/promises')).resolveMx(domain),
  };
}

const errorName = (err: unknown) => (err as { name?: string })?.name ?? '';

async function stackOf(cfn: CloudFormationClient, name: string): Promise<Stack | undefined> {
  try {
    return (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch (err) {
    // CloudFormation answers ValidationError "Stack with id X does not exist"
    if (errorName(err) === 'ValidationError' || /does not exist/.test((err as Error).message)) return undefined;
    throw err;
  }
}

export async function awsDoctor(config: Config, opts: AwsDoctorOptions, c: AwsDoctorClients, out: DoctorOutput): Promise<void> {
  const deployed = await accountChecks(config, opts, c, out);
  if (deployed) await deployedChecks(deployed, opts, c, out, opts.now ?? new Date());
}

async function accountChecks(config: Config, opts: AwsDoctorOptions, c: AwsDoctorClients, out: DoctorOutput): Promise<Stack | undefined> {
  const aws = config.aws;
  if (!aws) {
    out.problem('the config has no "aws" section: add region and ruleSet (README, Deploying to AWS)');
    return undefined;
  }
  const region = aws.region;
  const addresses = config.projects.flatMap((p) => p.addresses);
  const domains = [...new Set(addresses.map((a) => a.split('@')[1].toLowerCase()))].sort();

  try {
    checkReceivingRegion(region, opts.allowReceivingRegion);
    out.ok(`SES receives mail in ${region}`);
  } catch (err) {
    out.problem((err as Error).message);
  }

  const deployed = await stackOf(c.cfn, opts.stackName);

  // identities: a prerequisite unless the stack creates them (aws.identities)
  if (aws.identities && !deployed) {
    out.ok(`SES identities for ${domains.join(', ')} will be created by the stack (aws.identities); publish the DNS records it outputs`);
  } else {
    const verification = (await c.ses.send(new GetIdentityVerificationAttributesCommand({ Identities: domains }))).VerificationAttributes ?? {};
    const dkim = (await c.ses.send(new GetIdentityDkimAttributesCommand({ Identities: domains }))).DkimAttributes ?? {};
    for (const d of domains) {
      const status = verification[d]?.VerificationStatus;
      if (status === 'Success') out.ok(`SES identity ${d} is verified in ${region}`);
      else out.problem(`SES identity ${d} is ${status ? status.toLowerCase() : 'missing'} in ${region}: verify the domain in SES (same region), or set aws.identities to let the stack create it`);
      const k = dkim[d];
      if (k?.DkimEnabled && k.DkimVerificationStatus === 'Success') out.ok(`DKIM for ${d} is enabled and verified`);
      else out.problem(`DKIM for ${d} is ${k?.DkimEnabled ? `enabled but ${String(k.DkimVerificationStatus ?? 'not verified').toLowerCase()}` : 'not enabled'}: publish the three Easy DKIM CNAME records SES shows, or our mail fails DMARC`);
    }
  }

  // MX: mail reaches SES only if the domain's MX points at the region's inbound endpoint
  const inbound = `inbound-smtp.${region}.amazonaws.com`;
  for (const d of domains) {
    let mx: MxRecord[] = [];
    try {
      mx = await c.resolveMx(d);
    } catch {
      mx = [];
    }
    const hosts = mx.map((r) => r.exchange.toLowerCase().replace(/\.$/, ''));
    if (hosts.includes(inbound)) out.ok(`MX of ${d} points at ${inbound}`);
    else out.problem(`MX of ${d} is ${hosts.length ? hosts.join(', ') : 'missing'}, not ${inbound}: publish "10 ${inbound}" (use a subdomain if the apex receives mail elsewhere)`);
  }

  const account = await c.sesv2.send(new GetAccountCommand({}));
  if (account.ProductionAccessEnabled) out.ok('the account is out of the SES sandbox (production access)');
  else out.problem('the account is in the SES sandbox: SES sends only to verified addresses, so receipts to reporters fail; request production access (SES console, Account dashboard)');

  // the rule set: only one is active per account and region, and CloudFormation cannot activate one
  const active = (await c.ses.send(new DescribeActiveReceiptRuleSetCommand({}))).Metadata?.Name;
  if (aws.ruleSet.mode === 'existing') {
    if (active === aws.ruleSet.name) out.ok(`receipt rule set ${active} exists and is the active one`);
    else {
      out.problem(
        `aws.ruleSet names ${aws.ruleSet.name}, but the active receipt rule set is ${active ?? 'none'}: our rule would receive nothing. ` +
          `Name the active set (aws ses describe-active-receipt-rule-set --region ${region}), or use mode "create" in an account that receives no other mail`,
      );
    }
  } else if (active && active !== aws.ruleSet.name) {
    out.problem(`mode "create" activates ${aws.ruleSet.name} and deactivates the active set ${active}: every rule in it stops. Use mode "existing" with name "${active}" instead`);
  } else out.ok(`receipt rule set ${aws.ruleSet.name} will be created and activated (no other set is active)`);

  const configurationSet = aws.sesConfigurationSet ?? `${opts.stackName}-outbound`;
  if (!deployed) {
    const sets = (await c.ses.send(new ListConfigurationSetsCommand({}))).ConfigurationSets ?? [];
    if (sets.some((s) => s.Name === configurationSet)) {
      out.problem(`an SES configuration set named ${configurationSet} exists already: the deploy would fail creating it. Set aws.sesConfigurationSet to another name`);
    } else out.ok(`no configuration set is named ${configurationSet} yet`);
  }

  const bootstrap = await stackOf(c.cfn, 'CDKToolkit');
  if (bootstrap && /_COMPLETE$/.test(bootstrap.StackStatus ?? '') && !/ROLLBACK|DELETE/.test(bootstrap.StackStatus ?? '')) {
    out.ok(`CDK bootstrap stack CDKToolkit is ${bootstrap.StackStatus}`);
  } else {
    out.problem(`the CDK bootstrap stack CDKToolkit is ${bootstrap?.StackStatus ?? 'missing'} in ${region}: run npx cdk bootstrap aws://<account>/${region}`);
  }

  if (!deployed) {
    out.ok(`stack ${opts.stackName} is not deployed yet: after npx cdk deploy -c config=FILE, run this again to check it`);
    return undefined;
  }
  out.ok(`stack ${opts.stackName} is ${deployed.StackStatus}`);
  const ruleSetName = aws.ruleSet.name;
  const rules = (await c.ses.send(new DescribeReceiptRuleSetCommand({ RuleSetName: ruleSetName }))).Rules ?? [];
  const wanted = addresses.map((a) => a.toLowerCase());
  const ours = rules.find((r) => wanted.every((a) => (r.Recipients ?? []).map((x) => x.toLowerCase()).includes(a)));
  if (ours?.Enabled) out.ok(`receipt rule ${ours.Name} in ${ruleSetName} takes mail for ${wanted.join(', ')}`);
  else out.problem(`no enabled receipt rule in ${ruleSetName} lists ${wanted.join(', ')}: the stack's rule is missing or disabled (redeploy)`);

  await deployedChecks(deployed, opts, c, out, opts.now ?? new Date());
}

/** How far back the functions' errors are looked at. */
const ERROR_WINDOW_DAYS = 7;

/** The deployed stack at work: each function's errors, the failure queue, the alarms, the alarm topic's subscribers. */
async function deployedChecks(stack: Stack, opts: AwsDoctorOptions, c: AwsDoctorClients, out: DoctorOutput, now: Date): Promise<void> {
  const outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  const name = opts.stackName;

  // each function's last error, from the AWS/Lambda Errors metric (the logs could quote mail; the metric cannot)
  const resources = (await c.cfn.send(new DescribeStackResourcesCommand({ StackName: name }))).StackResources ?? [];
  const functions = resources.filter((r) => r.ResourceType === 'AWS::Lambda::Function' && r.PhysicalResourceId);
  const since = new Date(now.getTime() - ERROR_WINDOW_DAYS * 86_400_000);
  for (const f of functions) {
    const label = (f.LogicalResourceId ?? '').replace(/Function[0-9A-F]{8}$/, '').replace(/[0-9A-F]{8}$/, '') || f.PhysicalResourceId!;
    const stats = await c.cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: f.PhysicalResourceId }],
        StartTime: since,
        EndTime: now,
        Period: 3600,
        Statistics: ['Sum'],
      }),
    );
    const failing = (stats.Datapoints ?? []).filter((d) => (d.Sum ?? 0) > 0 && d.Timestamp);
    if (!failing.length) {
      out.ok(`function ${label}: no error in the last ${ERROR_WINDOW_DAYS} days`);
      continue;
    }
    const total = failing.reduce((n, d) => n + (d.Sum ?? 0), 0);
    const last = failing.map((d) => new Date(d.Timestamp!).toISOString()).sort().at(-1)!;
    out.warn(
      `function ${label}: ${total} error(s) in the last ${ERROR_WINDOW_DAYS} days, the last in the hour from ${last}: ` +
        `read its log (aws logs tail /aws/lambda/${f.PhysicalResourceId} --since ${ERROR_WINDOW_DAYS}d)`,
    );
  }

  // the failure queue: each message is a received mail no report knows of yet
  const queueUrl = outputs.FailedIntakeQueueUrl;
  if (!queueUrl) out.problem(`stack ${name} has no FailedIntakeQueueUrl output: redeploy it with this version`);
  else {
    const attrs =
      (await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] })))
        .Attributes ?? {};
    const waiting = Number(attrs.ApproximateNumberOfMessages ?? 0) + Number(attrs.ApproximateNumberOfMessagesNotVisible ?? 0);
    if (waiting === 0) out.ok('the failure queue is empty: every received message was taken in');
    else {
      out.problem(
        `${waiting} failed intake(s) wait on the failure queue (kept 14 days): read the Intake log, fix the cause, then ` +
          `secintake --aws --stack ${name} --config FILE replay`,
      );
    }
  }

  // the alarms that publish to our topic
  const topic = outputs.AlarmTopicArn;
  if (!topic) {
    out.problem(`stack ${name} has no AlarmTopicArn output: redeploy it with this version`);
    return;
  }
  const alarms = (await c.cloudwatch.send(new DescribeAlarmsCommand({ ActionPrefix: topic, MaxRecords: 100 }))).MetricAlarms ?? [];
  const firing = alarms.filter((a) => a.StateValue === 'ALARM');
  for (const a of firing) {
    const since = a.StateUpdatedTimestamp ? ` since ${new Date(a.StateUpdatedTimestamp).toISOString()}` : '';
    out.problem(`alarm ${a.AlarmName} is in ALARM${since}: ${a.AlarmDescription ?? 'see the README, Operations'} (README, Operations: the alarms table says what to do)`);
  }
  if (!alarms.length) out.problem(`no alarm publishes to ${topic}: redeploy the stack`);
  else if (!firing.length) out.ok(`${alarms.length} alarms, none in ALARM`);

  // someone must hear them: an email subscription is confirmed only once its link was followed
  const subs = (await c.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }))).Subscriptions ?? [];
  const confirmed = subs.filter((s) => s.SubscriptionArn && s.SubscriptionArn !== 'PendingConfirmation' && s.SubscriptionArn !== 'Deleted');
  const pending = subs.filter((s) => s.SubscriptionArn === 'PendingConfirmation');
  if (confirmed.length) out.ok(`the alarm topic has ${confirmed.length} confirmed subscription(s): ${confirmed.map((s) => `${s.Protocol} ${s.Endpoint}`).join(', ')}`);
  else if (pending.length) {
    out.warn(
      `the alarm topic's subscription(s) ${pending.map((s) => `${s.Protocol} ${s.Endpoint}`).join(', ')} are not confirmed: alarms reach no one until ` +
        'the link in the "AWS Notification - Subscription Confirmation" mail is followed (look in spam; redeploy to send it again)',
    );
  } else {
    out.warn(`the alarm topic has no subscription: alarms reach no one. Set aws.alarmEmail and redeploy, or: aws sns subscribe --topic-arn ${topic} --protocol email --notification-endpoint YOU@EXAMPLE`);
  }
}
