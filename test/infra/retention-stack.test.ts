/**
 * Retention in the synthesized template (issue 19): the TTL attribute on the table, the raw-mail expiry from the
 * config, and, when a project has `retention`, the daily retention function with only its own grants.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configSchema } from '../../lambdas/core/config';
import { buildStack, testConfig } from './stack-fixture';

const withRetention = (retention: Record<string, number>[]) => {
  const base = testConfig();
  return configSchema.parse({ ...base, projects: base.projects.map((p, i) => ({ ...p, ...(retention[i] ? { retention: retention[i] } : {}) })) });
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const rawBucket = (t: Template): any => Object.values(t.findResources('AWS::S3::Bucket')).find((b: any) => b.Properties.LoggingConfiguration);

describe('retention in the stack', () => {
  const plain = Template.fromStack(buildStack().stack);
  const { app, stack } = buildStack(withRetention([{ rawDays: 90, closedReportDays: 30, keepAuditDays: 365 }, { rawDays: 400, redactAfterDisclosureDays: 7 }]));
  const template = Template.fromStack(stack);

  test('the table deletes items whose expiresAt has passed (DynamoDB TTL)', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
    plain.hasResourceProperties('AWS::DynamoDB::Table', { TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
  });

  test('raw mail expires after the longest rawDays of all projects; 730 days without any', () => {
    expect(rawBucket(template).Properties.LifecycleConfiguration.Rules[0]).toMatchObject({ Id: 'expire-raw-mail', ExpirationInDays: 400 });
    expect(rawBucket(plain).Properties.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(730);
    const oneProject = Template.fromStack(buildStack(withRetention([{ rawDays: 60 }, { rawDays: 30 }])).stack);
    expect(rawBucket(oneProject).Properties.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(60);
  });

  test('a daily schedule runs the retention function; none without retention in the config', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as { Properties: { ScheduleExpression: string; Targets: unknown[] } }[];
    expect(rules.map((r) => r.Properties.ScheduleExpression)).toEqual(['cron(17 3 * * ? *)']);
    expect(plain.findResources('AWS::Events::Rule')).toEqual({});
    expect(JSON.stringify(template.findResources('AWS::Lambda::Function'))).toContain("applies each project's retention");
    expect(JSON.stringify(plain.findResources('AWS::Lambda::Function'))).not.toContain('retention');
  });

  test('a project with a weekly digest gets an hourly check that may send mail, and passes cdk-nag', () => {
    const base = testConfig();
    const config = configSchema.parse({ ...base, projects: base.projects.map((p, i) => (i === 0 ? { ...p, digest: { day: 'mon', time: '09:00' } } : p)) });
    const built = buildStack(config);
    const t = Template.fromStack(built.stack);
    const rules = Object.values(t.findResources('AWS::Events::Rule')) as { Properties: { ScheduleExpression: string } }[];
    expect(rules.map((r) => r.Properties.ScheduleExpression)).toEqual(['cron(5 * * * ? *)']);
    expect(JSON.stringify(t.findResources('AWS::IAM::Policy'))).toMatch(/WeeklyDigest[^"]*Policy[\s\S]*ses:SendRawEmail/);
    expect(new AwsSolutionsChecks().validateScope(built.app).violations.map((v) => v.ruleName)).toEqual([]);
  });

  test('one dashboard: reports received, missed deadlines, failures, and every existing alarm linked', () => {
    const [dash] = Object.values(plain.findResources('AWS::CloudWatch::Dashboard')) as { Properties: { DashboardBody: unknown } }[];
    const body = JSON.stringify(dash.Properties.DashboardBody);
    for (const metric of ['received', 'quarantined', 'deadlinesMissed', 'intakeFailed']) expect(body).toContain(`\\"${metric}\\"`);
    const alarmLogicalIds = Object.keys(plain.findResources('AWS::CloudWatch::Alarm'));
    expect(alarmLogicalIds.length).toBeGreaterThan(3);
    for (const id of alarmLogicalIds) expect(body).toContain(id);
  });

  test('only the retention run and the intake (a lead\'s Redact: yes) may delete raw mail, under inbound/ only; cdk-nag passes', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as { Properties: { PolicyName: string; PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }[];
    const deletes = policies.flatMap((p) => p.Properties.PolicyDocument.Statement.filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:DeleteObject'))).map((s) => ({ policy: p.Properties.PolicyName, resource: JSON.stringify(s.Resource) })));
    // the retention run, and the intake for a lead's `Redact: yes` (at once, in the intake that reads it)
    expect(deletes.map((d) => d.policy.replace(/Role.*$/, '')).sort()).toEqual(['Intake', 'Retention']);
    for (const d of deletes) expect(d.resource).toContain('/inbound/*');
    expect(new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName)).toEqual([]);
  });
});
