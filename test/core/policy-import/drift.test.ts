/** `policy check`: a SECURITY.md changed after its config was written is caught (issue 18 acceptance). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile } from '../../../lambdas/adapters/local/config-file';
import { policyDrift } from '../../../lambdas/core/policy-import/drift';
import { importPolicy } from '../../../lambdas/core/policy-import/import-policy';

const ROOT = join(__dirname, '../../..');
const seed = (name: string) => readFileSync(join(ROOT, '../shared/seed-policies', `${name}-SECURITY.md`), 'utf8');
const project = (name: string) => loadConfigFile(join(ROOT, 'examples', `${name}.json`)).projects[0];
const drift = (name: string, md: string) => policyDrift(importPolicy(md), project(name));

describe('policy drift', () => {
  it('a changed acknowledgment time', () => {
    const md = seed('bases').replace('come back to you within 24 hours', 'come back to you within 48 hours');
    expect(drift('bases', md)).toEqual([
      { path: 'timers.acknowledge.soft', message: 'SECURITY.md says 48h, the config says 24h', quote: expect.stringContaining('within 48 hours to acknowledge') },
    ]);
    const business = seed('falconpy').replace('48 - 72 business hours', '3 - 5 business days');
    expect(drift('falconpy', business).map((d) => d.message)).toEqual([
      'SECURITY.md says 3bd, the config says 48bh',
      'SECURITY.md says 5bd, the config says 72bh',
    ]);
  });

  it('a removed address, and a new one the config does not serve', () => {
    const removed = seed('misp-tools').replace('+ Sending an email to __oss-security@crowdstrike.com__.', '');
    expect(drift('misp-tools', removed)).toEqual([{ path: 'addresses', message: 'the config serves oss-security@crowdstrike.com, which SECURITY.md does not name' }]);
    const moved = seed('bases').replace('security@hashberg.io', 'psirt@hashberg.io');
    expect(drift('bases', moved).map((d) => d.message)).toEqual([
      'SECURITY.md names psirt@hashberg.io, which the config does not serve',
      'the config serves security@hashberg.io, which SECURITY.md does not name',
    ]);
  });

  it('a new promise the config lacks', () => {
    const md = seed('template').replace(
      '1. The security team will acknowledge receipt within 24 hours',
      '1. The security team will acknowledge receipt within 24 hours\n1. We will provide a detailed assessment within 5 business days',
    );
    expect(drift('template', md)).toEqual([
      { path: 'timers.respond', message: 'SECURITY.md promises 5bd; the config has no timers.respond', quote: 'We will provide a detailed assessment within 5 business days' },
    ]);
  });

  it('a promise dropped from the file while the config still enforces it (not a chosen default)', () => {
    const md = seed('bases').replace(' and we will provide a detailed response within 48 hours, including an initial assessment of how we intend to address the vulnerability you disclosed', '');
    expect(drift('bases', md)).toEqual([expect.objectContaining({ path: 'timers.respond', message: expect.stringContaining('no longer promises it') })]);
  });

  it('a changed supported-versions table', () => {
    const md = seed('template').replace('| 1.x.x | :white_check_mark: |', '| 2.x.x | :white_check_mark: |\n| 1.x.x | :x: |');
    expect(drift('template', md).map((d) => d.path)).toEqual(['supportedVersions.supported', 'supportedVersions.unsupported']);
  });

  it('values chosen where the file is silent (noted in defaults) are not drift', () => {
    // falconpy's embargo is chosen (defaults say "not stated; chosen"), FDR's address too
    expect(drift('falconpy', seed('falconpy'))).toEqual([]);
    expect(drift('fdr-connector', seed('fdr-connector'))).toEqual([]);
  });
});
