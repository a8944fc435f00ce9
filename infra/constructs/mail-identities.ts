/**
 * Optional (config `aws.identities`): the SES domain identities of the security addresses, created by the stack.
 * Without it they are a prerequisite verified outside the stack (see outbound-mail.ts), which is the default
 * because a domain is usually verified already and CloudFormation fails creating an identity that exists.
 *
 * One identity per domain of the security addresses, with Easy DKIM (2048-bit RSA) and a custom MAIL FROM
 * `<mailFromSubdomain>.<domain>`, so that both SPF and DKIM align with the From domain (DMARC, RFC 7489 3.1).
 * Our configuration set is the identity's default set, so a message sent without naming it still reports its
 * bounces and complaints. The stack cannot publish DNS (the zone may live anywhere), so every record the user
 * must publish is a stack output, one zone-file line each: three DKIM CNAMEs, the MAIL FROM MX and SPF TXT
 * (SES Developer Guide, "Using a custom MAIL FROM domain"), and the MX that delivers the domain's mail to SES.
 */
import { CfnOutput, Stack } from 'aws-cdk-lib';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

/** Six outputs per domain; CloudFormation allows 200 per template, and the stack has a few of its own. */
export const MAX_IDENTITY_DOMAINS = 30;

export interface MailIdentitiesProps {
  securityAddresses: string[];
  /** The first label(s) of each MAIL FROM domain: `bounce` -> `bounce.<domain>`. */
  mailFromSubdomain: string;
  /** What SES does when the MAIL FROM MX record is missing: send via amazonses.com, or refuse. */
  onMxFailure: 'use-default' | 'reject';
  configurationSet: ses.IConfigurationSet;
}

/** The DNS records one domain needs, as zone-file lines (names without the trailing dot, as DNS consoles take them). */
export interface IdentityDnsRecords {
  dkim: string[];
  mailFromMx: string;
  mailFromSpf: string;
  receivingMx: string;
}

export class TooManyIdentityDomains extends Error {
  override readonly name = 'TooManyIdentityDomains';
  constructor(count: number) {
    super(
      `${count} domains in the security addresses: the stack creates identities for at most ${MAX_IDENTITY_DOMAINS} ` +
        '(CloudFormation outputs per template); remove aws.identities and verify the domains outside the stack',
    );
  }
}

export class MailFromReceivesMail extends Error {
  override readonly name = 'MailFromReceivesMail';
  constructor(mailFrom: string) {
    super(
      `MAIL FROM domain ${mailFrom} is also the domain of a security address, and SES requires a MAIL FROM domain ` +
        'that receives no mail: choose another aws.identities.mailFromSubdomain',
    );
  }
}

export class MailIdentities extends Construct {
  /** By domain, lower case. */
  readonly identities = new Map<string, ses.EmailIdentity>();
  readonly records = new Map<string, IdentityDnsRecords>();

  constructor(scope: Construct, id: string, props: MailIdentitiesProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const domains = [...new Set(props.securityAddresses.map((a) => a.slice(a.lastIndexOf('@') + 1).toLowerCase()))].sort();
    if (domains.length > MAX_IDENTITY_DOMAINS) throw new TooManyIdentityDomains(domains.length);
    const subdomain = props.mailFromSubdomain.toLowerCase();
    for (const domain of domains) {
      if (domains.includes(`${subdomain}.${domain}`)) throw new MailFromReceivesMail(`${subdomain}.${domain}`);
    }

    const names = new Set<string>();
    for (const domain of domains) {
      const mailFrom = `${subdomain}.${domain}`;
      let name = constructName(domain);
      // `a-b.c.org` and `a.b-c.org` read alike once the separators go.
      for (let n = 2; names.has(name); n++) name = `${constructName(domain)}${n}`;
      names.add(name);
      const identity = new ses.EmailIdentity(this, name, {
        identity: ses.Identity.domain(domain),
        dkimSigning: true,
        dkimIdentity: ses.DkimIdentity.easyDkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
        mailFromDomain: mailFrom,
        mailFromBehaviorOnMxFailure:
          props.onMxFailure === 'reject'
            ? ses.MailFromBehaviorOnMxFailure.REJECT_MESSAGE
            : ses.MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
        configurationSet: props.configurationSet,
        // Bounces and complaints reach the report through the configuration set's events; forwarded copies would
        // arrive at the security address (the Return-Path) as more inbound mail.
        feedbackForwarding: false,
      });
      const records: IdentityDnsRecords = {
        dkim: identity.dkimRecords.map((r) => `${r.name} CNAME ${r.value}`),
        mailFromMx: `${mailFrom} MX 10 feedback-smtp.${region}.amazonses.com`,
        mailFromSpf: `${mailFrom} TXT "v=spf1 include:amazonses.com ~all"`,
        receivingMx: `${domain} MX 10 inbound-smtp.${region}.amazonaws.com`,
      };
      this.identities.set(domain, identity);
      this.records.set(domain, records);

      const output = (suffix: string, value: string, what: string) =>
        new CfnOutput(Stack.of(this), `Dns${name}${suffix}`, { value, description: `${domain}: ${what}` });
      records.dkim.forEach((line, i) => output(`Dkim${i + 1}`, line, `Easy DKIM CNAME ${i + 1} of 3 (verifies the identity)`));
      output('MailFromMx', records.mailFromMx, 'MAIL FROM MX (without it SES falls back or refuses, per onMxFailure)');
      output('MailFromSpf', records.mailFromSpf, 'MAIL FROM SPF TXT');
      output('ReceivingMx', records.receivingMx, 'MX delivering this domain\'s mail to SES (only if the domain receives via SES)');
    }
  }
}

/** `bases.example-org.com` -> `BasesExampleOrgCom`: output logical IDs are alphanumeric (CloudFormation). */
function constructName(domain: string): string {
  return domain
    .split(/[^a-z0-9]+/i)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
