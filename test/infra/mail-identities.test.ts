/**
 * Config `aws.identities`: absent, the stack creates no SES identity (they are a prerequisite); present, one
 * domain identity per domain of the security addresses, with DKIM, a custom MAIL FROM, our configuration set,
 * and the DNS records to publish as outputs. One synth per case, bundling skipped.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MailFromReceivesMail } from '../../infra/constructs/mail-identities';
import { buildStack, testConfig } from './stack-fixture';

type Resource = { Properties: Record<string, any>; DependsOn?: string[] };

const DOMAINS = ['bases.example.org', 'falconpy.example.com'];

test('without aws.identities the stack creates no SES identity and no DNS outputs', () => {
  const { stack } = buildStack();
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::SES::EmailIdentity', 0);
  expect(Object.keys(template.findOutputs('*')).filter((k) => k.startsWith('Dns'))).toEqual([]);
});

describe('with aws.identities', () => {
  const { app, stack } = buildStack(testConfig({ identities: { mailFromSubdomain: 'bounce', onMxFailure: 'use-default' } }));
  const template = Template.fromStack(stack);
  const identities = Object.values(template.findResources('AWS::SES::EmailIdentity')) as Resource[];
  const outputs = template.findOutputs('*') as Record<string, { Value: unknown; Description?: string }>;

  test('one domain identity per domain of the security addresses (two addresses on one domain: one identity)', () => {
    expect(identities.map((i) => i.Properties.EmailIdentity).sort()).toEqual(DOMAINS);
  });

  test('each signs with Easy DKIM 2048-bit and sends with MAIL FROM bounce.<domain>, through our configuration set', () => {
    const [setName] = Object.values(template.findResources('AWS::SES::ConfigurationSet')).map(
      (r) => (r as Resource).Properties.Name,
    );
    expect(setName).toBe('security-intake');
    for (const identity of identities) {
      const p = identity.Properties;
      expect(p.DkimAttributes).toEqual({ SigningEnabled: true });
      expect(p.DkimSigningAttributes).toEqual({ NextSigningKeyLength: 'RSA_2048_BIT' });
      expect(p.MailFromAttributes).toEqual({
        MailFromDomain: `bounce.${p.EmailIdentity}`,
        BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
      });
      expect(p.FeedbackAttributes).toEqual({ EmailForwardingEnabled: false });
      expect(p.ConfigurationSetAttributes).toEqual({
        ConfigurationSetName: { Ref: expect.stringMatching(/^OutboundConfigurationSet/) },
      });
    }
  });

  test('the outputs give every DNS record to publish, per domain', () => {
    expect(outputs.DnsBasesExampleOrgMailFromMx!.Value).toBe('bounce.bases.example.org MX 10 feedback-smtp.us-east-1.amazonses.com');
    expect(outputs.DnsBasesExampleOrgMailFromSpf!.Value).toBe('bounce.bases.example.org TXT "v=spf1 include:amazonses.com ~all"');
    expect(outputs.DnsFalconpyExampleComReceivingMx!.Value).toBe('falconpy.example.com MX 10 inbound-smtp.us-east-1.amazonaws.com');
    for (const n of [1, 2, 3]) {
      // The DKIM names and values are only known once SES creates the identity: the output resolves them.
      const dkim = JSON.stringify(outputs[`DnsFalconpyExampleComDkim${n}`]!.Value);
      expect(dkim).toContain(`DkimDNSTokenName${n}`);
      expect(dkim).toContain(' CNAME ');
      expect(dkim).toContain(`DkimDNSTokenValue${n}`);
    }
    expect(Object.keys(outputs).filter((k) => k.startsWith('Dns'))).toHaveLength(6 * DOMAINS.length);
  });

  test('passes cdk-nag with no unexplained finding', () => {
    expect(new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('the config field', () => {
  const aws = (identities: unknown) => testConfig({ identities } as never);

  test('defaults: {} means MAIL FROM bounce.<domain> and falling back to amazonses.com without the MX', () => {
    expect(aws({}).aws!.identities).toEqual({ mailFromSubdomain: 'bounce', onMxFailure: 'use-default' });
  });

  test('rejects a MAIL FROM subdomain that is not a DNS name, an unknown behaviour and an unknown key', () => {
    expect(() => aws({ mailFromSubdomain: 'bounce@' })).toThrow(/is not a subdomain label/);
    expect(() => aws({ onMxFailure: 'drop' })).toThrow();
    expect(() => aws({ create: true })).toThrow();
  });

  test('a MAIL FROM domain that is also the domain of a security address is refused at synth (SES: it must receive no mail)', () => {
    const config = testConfig({ identities: { mailFromSubdomain: 'falconpy', onMxFailure: 'reject' } });
    config.projects[1]!.addresses = ['security@example.com', 'psirt@falconpy.example.com'];
    expect(() => buildStack(config)).toThrow(MailFromReceivesMail);
  });
});
