/**
 * Outbound mail: who may send as whom, and where bounces and complaints go. The identities themselves (the
 * domain with DKIM and a custom MAIL FROM) are by default a prerequisite verified outside this stack: they usually
 * exist already, and CloudFormation would fail creating an identity that exists. With config `aws.identities` the
 * stack creates them instead (mail-identities.ts), with this configuration set as their default.
 *
 * Sending is limited to SendRawEmail with a From address that is one of the security addresses, on those
 * addresses' identities (the address and its domain: SES authorizes against whichever identity is verified).
 * Every message is sent through our configuration set (config `aws.sesConfigurationSet`, or `<stack>-outbound`),
 * whose bounce and complaint events go to an encrypted SNS topic that feeds the SES-events Lambda, which records
 * them on the report. The set is created here, so the name must not be taken by an existing set.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface OutboundMailProps {
  securityAddresses: string[];
  key: kms.IKey;
  /** Created here, with the event destination; the sender names it on every SendRawEmail. */
  configurationSetName: string;
  /** Receives the SNS-wrapped SES events. */
  eventsFunction: lambda.IFunction;
}

export class OutboundMail extends Construct {
  readonly configurationSet: ses.ConfigurationSet;
  readonly eventsTopic: sns.Topic;
  private readonly sendStatement: iam.PolicyStatement;

  constructor(scope: Construct, id: string, props: OutboundMailProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const addresses = [...new Set(props.securityAddresses.map((a) => a.toLowerCase()))].sort();
    const domains = [...new Set(addresses.map((a) => a.slice(a.lastIndexOf('@') + 1)))];
    const identity = (name: string) =>
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });

    const resources = [...domains, ...addresses].map(identity);

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: props.configurationSetName,
    });
    resources.push(
      stack.formatArn({
        service: 'ses',
        resource: 'configuration-set',
        resourceName: props.configurationSetName,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    );
    this.eventsTopic = new sns.Topic(this, 'Events', {
      displayName: 'security-intake SES bounce and complaint events',
      masterKey: props.key,
      enforceSSL: true,
    });
    // SES publishes to an encrypted topic only if it may use the topic's key (SES Developer Guide, SNS destinations).
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: ses.EventDestination.snsTopic(this.eventsTopic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT, ses.EmailSendingEvent.REJECT],
    });
    this.eventsTopic.addSubscription(new subscriptions.LambdaSubscription(props.eventsFunction));

    this.sendStatement = new iam.PolicyStatement({
      actions: ['ses:SendRawEmail'],
      resources,
      // ses:FromAddress (the Source) is single-valued: a list matches any one; addresses are case-insensitive.
      conditions: { StringEqualsIgnoreCase: { 'ses:FromAddress': addresses } },
    });
  }

  /** Lets `grantee` send mail From a security address, and nothing else. */
  grantSend(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(this.sendStatement);
  }
}
