/** security.txt (RFC 9116) from the config, checked against the RFC's grammar and field rules. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile } from '../../lambdas/adapters/local/config-file';
import { projectSchema } from '../../lambdas/core/config';
import { securityTxt, securityTxtExpires, validateSecurityTxt } from '../../lambdas/core/security-txt';

const EXAMPLES = join(__dirname, '../../examples');
const NOW = new Date('2026-12-02T10:00:00Z');

describe('security.txt of every example project', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json') && f !== 'config.schema.json');
  const projects = files.flatMap((f) => loadConfigFile(join(EXAMPLES, f)).projects.map((p) => [`${f}: ${p.id}`, p] as const));
  it.each(projects)('%s validates', (_, project) => {
    const text = securityTxt(project, NOW);
    expect(validateSecurityTxt(text, NOW)).toEqual([]);
    expect(text).toContain(`Contact: mailto:${project.addresses[0]}\n`);
    expect(text).toContain('Expires: 2027-12-02T10:00:00Z\n');
  });
});

describe('securityTxt fields', () => {
  const base = loadConfigFile(join(EXAMPLES, 'template.json')).projects[0];
  const project = projectSchema.parse({
    ...base,
    securityTxt: {
      encryption: ['https://example.org/security-team.asc', 'openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b29100f'],
      policy: 'https://example.org/SECURITY.md',
      acknowledgments: 'https://example.org/hall-of-fame',
      preferredLanguages: ['en', 'pt-BR'],
      canonical: ['https://example.org/.well-known/security.txt'],
      expiresInDays: 30,
    },
  });
  it('writes each field the config sets, in RFC 9116 form', () => {
    expect(securityTxt(project, NOW).split('\n').filter((l) => !l.startsWith('#'))).toEqual([
      'Contact: mailto:security@yourdomain.com',
      'Expires: 2027-01-01T10:00:00Z',
      'Encryption: https://example.org/security-team.asc',
      'Encryption: openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b29100f',
      'Acknowledgments: https://example.org/hall-of-fame',
      'Preferred-Languages: en, pt-BR',
      'Canonical: https://example.org/.well-known/security.txt',
      'Policy: https://example.org/SECURITY.md',
      '',
    ]);
    expect(validateSecurityTxt(securityTxt(project, NOW), NOW)).toEqual([]);
    expect(securityTxtExpires(securityTxt(project, NOW))).toEqual(new Date('2027-01-01T10:00:00Z'));
  });

  it('the config refuses what the RFC forbids: http URLs, an Expires more than a year ahead, bad language tags', () => {
    for (const securityTxt of [{ policy: 'http://example.org/SECURITY.md' }, { expiresInDays: 400 }, { preferredLanguages: ['english!'] }, { encryption: ['ftp://x'] }]) {
      expect(projectSchema.safeParse({ ...base, securityTxt }).success).toBe(false);
    }
  });
});

describe('the validator', () => {
  const ok = 'Contact: mailto:security@example.org\nExpires: 2027-06-01T00:00:00Z\n';
  it.each([
    ['Expires: 2027-06-01T00:00:00Z\n', /no Contact/],
    ['Contact: mailto:security@example.org\n', /no Expires/],
    [`${ok}Expires: 2027-07-01T00:00:00Z\n`, /more than once/],
    ['Contact: mailto:security@example.org\nExpires: June 2027\n', /RFC 3339/],
    [`${ok}Policy: http://example.org/p\n`, /https/],
    [`${ok}Preferred-Languages: en\nPreferred-Languages: de\n`, /more than once/],
    [`${ok}Preferred-Languages: en, !!\n`, /language tag/],
    [`${ok}this is not a field\n`, /not "Field: value"/],
    [`${ok}Contact: security@example.org\n`, /not a URI|not a mailto/],
    ['Contact: mailto:security@example.org\nExpires: 2026-01-01T00:00:00Z\n', /expired/],
    ['Contact: mailto:security@example.org\nExpires: 2029-01-01T00:00:00Z\n', /more than a year/],
    [ok.trimEnd(), /line break/],
  ])('rejects %j', (text, problem) => {
    expect(validateSecurityTxt(text, NOW).join('; ')).toMatch(problem);
  });
  it('accepts comments, blank lines, CRLF and extension fields', () => {
    expect(validateSecurityTxt(`# hello\r\n\r\n${ok.replace(/\n/g, '\r\n')}Hiring: https://example.org/jobs\r\nX-Custom: anything\r\n`, NOW)).toEqual([]);
  });
});
