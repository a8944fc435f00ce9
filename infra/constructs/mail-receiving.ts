/**
 * SES inbound: one receipt rule for every project's security addresses. SES matches `user@domain` and every
 * `user+label@domain` (SES Developer Guide, "Recipient conditions": a plain address matches any labelled form),
 * so the per-report reply addresses `security+<id>.<mac>@domain` need no rule of their own, and no domain-wide
 * recipient (which would swallow all of the domain's mail) is used.
 *
 * Actions in order (DESIGN section 2): S3 first, because the Lambda event never carries the body; then the intake
 * Lambda, asynchronously. TLS required, spam/virus scanning on, and no "drop spam" stop action: a security inbox
 * receives proof-of-concept attachments that trip virus scans, so verdicts are recorded and acted on instead.
 */
import { CustomResource, Duration, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as actions from 'aws-cdk-lib/aws-ses-actions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { INBOUND_PREFIX } from '../../lambdas/adapters/aws/ses-inbound-event';
import { ServiceFunction } from './service-function';

/** SES allows at most 100 recipients per receipt rule (SES quotas). */
export const MAX_RULE_RECIPIENTS = 100;

export type RuleSetChoice = { mode: 'existing'; name: string } | { mode: 'create'; name: string };

export interface MailReceivingProps {
  recipients: string[];
  ruleSet: RuleSetChoice;
  bucket: s3.IBucket;
  key: kms.IKey;
  intake: lambda.IFunction;
}

export class TooManyRecipients extends Error {
  override readonly name = 'TooManyRecipients';
  constructor(count: number) {
    super(`${count} security addresses: an SES receipt rule takes at most ${MAX_RULE_RECIPIENTS}; split the config`);
  }
}

export class MailReceiving extends Construct {
  readonly rule: ses.ReceiptRule;
  readonly ruleSet: ses.IReceiptRuleSet;

  constructor(scope: Construct, id: string, props: MailReceivingProps) {
    super(scope, id);
    const recipients = [...new Set(props.recipients.map((r) => r.toLowerCase()))].sort();
    if (recipients.length > MAX_RULE_RECIPIENTS) throw new TooManyRecipients(recipients.length);

    this.ruleSet =
      props.ruleSet.mode === 'create'
        ? new ses.ReceiptRuleSet(this, 'RuleSet', { receiptRuleSetName: props.ruleSet.name })
        : ses.ReceiptRuleSet.fromReceiptRuleSetName(this, 'RuleSet', props.ruleSet.name);

    this.rule = new ses.ReceiptRule(this, 'Rule', {
      ruleSet: this.ruleSet,
      recipients,
      tlsPolicy: ses.TlsPolicy.REQUIRE,
      scanEnabled: true,
      enabled: true,
      actions: [
        // No kmsKey here on purpose: the S3 action's key means client-side encryption that only the S3
        // Encryption Client can read (not @aws-sdk/client-s3). The bucket's default SSE-KMS uses our key instead.
        new actions.S3({ bucket: props.bucket, objectKeyPrefix: INBOUND_PREFIX }),
        new actions.Lambda({ function: props.intake, invocationType: actions.LambdaInvocationType.EVENT }),
      ],
    });

    // SES writes into a bucket whose default encryption is our key, so SES needs the key for that write only.
    const stack = Stack.of(this);
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account, 'kms:ViaService': `s3.${stack.region}.amazonaws.com` },
        },
      }),
    );

    if (props.ruleSet.mode === 'create') this.activate(props.ruleSet.name, props.key);
  }

  /** Activation through a custom resource: it runs after the set and our rule exist, and before they are deleted. */
  private activate(name: string, key: kms.IKey): void {
    const onEvent = new ServiceFunction(this, 'Activation', {
      entry: 'lambdas/handlers/rule-set-activation.ts',
      description: 'security-intake: activates our SES receipt rule set; deactivates it on delete if still active',
      key,
      timeout: Duration.seconds(60),
      memorySize: 256,
    });
    // These SES actions have no resource-level permissions (Service Authorization Reference: Amazon SES).
    onEvent.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ses:DescribeActiveReceiptRuleSet', 'ses:SetActiveReceiptRuleSet'],
        resources: ['*'],
      }),
    );
    Validations.of(onEvent.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ses:DescribeActiveReceiptRuleSet and ses:SetActiveReceiptRuleSet support no resource-level permissions; ' +
        'the role holds only these two actions and is used only by the rule-set activation custom resource.',
    });

    const frameworkRole = new iam.Role(this, 'ProviderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'security-intake: CDK custom-resource framework for the rule-set activation',
    });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent.function,
      frameworkOnEventRole: frameworkRole,
      logGroup: onEvent.logGroup,
    });
    frameworkRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [onEvent.logGroup.logGroupArn],
      }),
    );
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions-L1',
      reason: "The custom-resource framework function's runtime is chosen by aws-cdk-lib, not by this app.",
    });
    Validations.of(frameworkRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(onEvent.function.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason: 'The framework invokes any version of our one onEvent function (CDK grants Function.Arn:*).',
    });

    const activation = new CustomResource(this, 'ActiveRuleSet', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::SesActiveReceiptRuleSet',
      properties: { RuleSetName: name },
    });
    activation.node.addDependency(this.rule);
  }
}
