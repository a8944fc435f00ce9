/**
 * `secintake doctor --aws`: read-only checks of an account before (and after) a deploy. No local stand-in answers
 * for an account's SES identities or CloudFormation stacks, so the SDK clients are mocked here (aws-sdk-client-mock),
 * one failing check at a time, each with the message a user acts on.
 */
import type { MxRecord } from 'node:dns';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
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
const DOMAINS = ['bases.example.org', 'falconpy.example.com'];
const notFound = (name: string) => Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });

let mx: Record<string, MxRecord[]>;

/** An account where everything is ready for a first deploy. */
function readyAccount(): void {
  ses.reset();
  sesv2.reset();
  cfn.reset();
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

async function doctor(config: Config = testConfig()): Promise<{ ok: string[]; problems: string[] }> {
  const result = { ok: [] as string[], problems: [] as string[] };
  await awsDoctor(
    config,
    { stackName: 'SecurityIntake' },
    {
      ses: new SESClient({ region: 'us-east-1' }),
      sesv2: new SESv2Client({ region: 'us-east-1' }),
      cfn: new CloudFormationClient({ region: 'us-east-1' }),
      resolveMx: async (d) => mx[d] ?? [],
    },
    { ok: (s) => result.ok.push(s), problem: (s) => result.problems.push(s) },
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
    cfn.on(DescribeStacksCommand, { StackName: 'SecurityIntake' }).resolves({ Stacks: [{ StackName: 'SecurityIntake', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }] });
    const addresses = testConfig().projects.flatMap((p) => p.addresses);
    ses.on(DescribeReceiptRuleSetCommand).resolves({ Rules: [{ Name: 'SecurityIntake-Rule', Enabled: true, Recipients: addresses }] });
    expect((await doctor()).problems).toEqual([]);
    ses.on(DescribeReceiptRuleSetCommand).resolves({ Rules: [{ Name: 'other', Enabled: true, Recipients: ['x@y.example'] }] });
    expect((await doctor()).problems).toEqual([expect.stringContaining('no enabled receipt rule in default-rule-set lists security@bases.example.org')]);
  });

  it('the CLI asks for the deployment config, names the commands that run on AWS, and makes no call otherwise', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secintake-awsdoc-'));
    try {
      let err = '';
      const code = await run(['--data', dir, '--aws', 'doctor'], { out: () => {}, err: (t) => void (err += t) });
      expect(code).toBe(2);
      expect(err).toContain('give it with --config FILE');
      await writeFile(join(dir, 'c.json'), '{}');
      const other = await run(['--data', dir, '--config', join(dir, 'c.json'), '--aws', 'outbox'], { out: () => {}, err: (t) => void (err += t) });
      expect(other).toBe(2);
      expect(err).toContain('outbox works on the local data folder only; on AWS: reports, show, raw, attachments, export, doctor');
      expect(ses.calls()).toHaveLength(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
