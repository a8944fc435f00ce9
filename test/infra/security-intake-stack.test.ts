/** The synthesized template of the default deployment (rule added to an existing rule set). One synth. */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildStack } from './stack-fixture';

const { stack } = buildStack();
const template = Template.fromStack(stack);
const resources = (type: string) => Object.values(template.findResources(type)) as { Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string }[];

describe('SES receipt rule', () => {
  const [rule] = resources('AWS::SES::ReceiptRule');
  const props = rule!.Properties;

  test('stores the raw message in S3 under inbound/ first, then invokes intake asynchronously', () => {
    const actions = props.Rule.Actions;
    expect(actions).toHaveLength(2);
    expect(actions[0].S3Action).toMatchObject({ ObjectKeyPrefix: 'inbound/' });
    expect(actions[1].LambdaAction).toMatchObject({ InvocationType: 'Event' });
    expect(actions.some((a: Record<string, unknown>) => 'StopAction' in a)).toBe(false);
  });

  test('requires TLS, scans for spam and viruses, and is enabled', () => {
    expect(props.Rule).toMatchObject({ TlsPolicy: 'Require', ScanEnabled: true, Enabled: true });
  });

  test("matches every project's security addresses (labelled reply addresses included by SES) and no domain", () => {
    expect(props.Rule.Recipients).toEqual(['psirt@falconpy.example.com', 'security@bases.example.org', 'security@falconpy.example.com']);
    expect(props.RuleSetName).toBe('default-rule-set');
  });

  test('in the default mode it neither creates nor activates a rule set', () => {
    template.resourceCountIs('AWS::SES::ReceiptRuleSet', 0);
    template.resourceCountIs('Custom::SesActiveReceiptRuleSet', 0);
  });
});

describe('data resources', () => {
  test('the raw-mail bucket is SSE-KMS with our key, private, versioned, expiring, logged and TLS-only', () => {
    const buckets = resources('AWS::S3::Bucket');
    const raw = buckets.find((b) => b.Properties.LoggingConfiguration)!;
    expect(raw.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toMatchObject({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] },
    });
    expect(raw.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(raw.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(raw.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays).toBeGreaterThan(0);
    const policies = resources('AWS::S3::BucketPolicy').map((p) => JSON.stringify(p.Properties));
    expect(policies.every((p) => p.includes('"aws:SecureTransport":"false"'))).toBe(true);
  });

  test('every bucket, the table, the key and the secret are retained when the stack is deleted', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret']) {
      const found = resources(type);
      expect(found.length).toBeGreaterThan(0);
      for (const r of found) expect([type, r.DeletionPolicy, r.UpdateReplacePolicy]).toEqual([type, 'Retain', 'Retain']);
    }
  });

  test('the table has the adapter keys, the byProject GSI, on-demand billing, PITR, deletion protection and our key', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byProject',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
    });
  });

  test('queue, topics, log groups and the secret are encrypted with our key; the key rotates', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    for (const r of resources('AWS::SQS::Queue')) expect(r.Properties.KmsMasterKeyId).toBeDefined();
    for (const r of resources('AWS::SNS::Topic')) expect(r.Properties.KmsMasterKeyId).toBeDefined();
    for (const r of resources('AWS::Logs::LogGroup')) {
      expect(r.Properties.KmsKeyId).toBeDefined();
      expect(r.Properties.RetentionInDays).toBeGreaterThan(0);
    }
    for (const r of resources('AWS::SecretsManager::Secret')) expect(r.Properties.KmsKeyId).toBeDefined();
  });
});

describe('functions', () => {
  const functions = resources('AWS::Lambda::Function');

  test('all run on the newest Node runtime, arm64, with source maps and the resource names', () => {
    expect(functions).toHaveLength(4);
    for (const fn of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      const env = fn.Properties.Environment.Variables;
      expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
      for (const name of ['TABLE_NAME', 'BUCKET_NAME', 'STATE_MACHINE_ARN', 'REPLY_KEY_SECRET_ARN']) expect(env[name]).toBeDefined();
      expect(env.SECINTAKE_CONFIG).toBeUndefined(); // compiled into the bundle, not the 4 KB environment
    }
  });

  test('intake retries an async event twice, then sends it to the encrypted on-failure queue', () => {
    const [config] = resources('AWS::Lambda::EventInvokeConfig');
    expect(config!.Properties.MaximumRetryAttempts).toBe(2);
    expect(config!.Properties.DestinationConfig.OnFailure.Destination).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^FailedIntake/), 'Arn'] });
  });

  test('no IAM statement allows every action, and no managed policy is attached to our roles', () => {
    for (const policy of resources('AWS::IAM::Policy')) {
      for (const st of policy.Properties.PolicyDocument.Statement) {
        const actions = [st.Action].flat();
        expect(actions).not.toContain('*');
        expect(actions.every((a: string) => !a.endsWith(':*'))).toBe(true);
      }
    }
    for (const role of resources('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test("the intake's role allows every request of a new report on the table, transactions included", () => {
    // TransactWriteItems has no IAM action of its own: each action in it is authorized as its single-item request
    // (Put -> dynamodb:PutItem, Update -> UpdateItem, ConditionCheck -> ConditionCheckItem)
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^IntakeRole') }] } })) as { Properties: Record<string, any> }[];
    const onTable = (policy!.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]).filter((s) =>
      JSON.stringify(s.Resource).includes('DataReports'),
    );
    const actions = onTable.flatMap((s) => [s.Action].flat());
    for (const a of ['GetItem', 'BatchGetItem', 'UpdateItem', 'PutItem', 'BatchWriteItem', 'ConditionCheckItem']) expect(actions).toContain(`dynamodb:${a}`);
  });

  test('sending is SendRawEmail only, From a security address, on those identities and our configuration set', () => {
    const statements = resources('AWS::IAM::Policy').flatMap((p) => p.Properties.PolicyDocument.Statement);
    const send = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('ses:Send')));
    expect(send.length).toBe(3); // intake, tick, ses-events (arm sends nothing)
    for (const s of send) {
      expect(s.Action).toBe('ses:SendRawEmail');
      expect(s.Condition.StringEqualsIgnoreCase['ses:FromAddress']).toEqual([
        'psirt@falconpy.example.com',
        'security@bases.example.org',
        'security@falconpy.example.com',
      ]);
      expect(JSON.stringify(s.Resource)).toContain('configuration-set/security-intake');
      expect(JSON.stringify(s.Resource)).not.toContain('identity/*');
    }
  });
});

describe('workflow, outbound events and alarms', () => {
  test('the state machine logs without execution data and is traced', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'SecurityIntake-reports',
      LoggingConfiguration: { IncludeExecutionData: false, Level: 'ALL' },
      TracingConfiguration: { Enabled: true },
    });
  });

  test('bounces and complaints of our mail reach the SES-events function through SNS', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: { MatchingEventTypes: Match.arrayWith(['bounce', 'complaint']), Enabled: true },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'security-intake' });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SesEvents'), 'Arn'] },
    });
  });

  test('alarms cover the failure queue, every function, intake failures, missed deadlines and failed workflows', () => {
    const alarms = resources('AWS::CloudWatch::Alarm');
    const metrics = alarms.map((a) => `${a.Properties.Namespace}/${a.Properties.MetricName}`);
    expect(metrics).toEqual(
      expect.arrayContaining([
        'AWS/SQS/ApproximateNumberOfMessagesVisible',
        'SecurityIntake/intakeFailed',
        'SecurityIntake/deadlinesMissed',
        'AWS/States/ExecutionsFailed',
      ]),
    );
    expect(metrics.filter((m) => m === 'AWS/Lambda/Errors')).toHaveLength(4);
    for (const a of alarms) expect(a.Properties.AlarmActions).toHaveLength(1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.org' });
  });
});
