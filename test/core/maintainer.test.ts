import { projectSchema } from '../../lambdas/core/config';
import {
  authenticateMaintainer,
  dkimSignatureDomains,
  isAlignedDomain,
  organizationalDomain,
} from '../../lambdas/core/maintainer';
import type { Verdicts } from '../../lambdas/core/report';

const project = projectSchema.parse({
  id: 'bases',
  name: 'bases',
  addresses: ['security@bases.example'],
  maintainers: [{ address: 'Sam@Bases.example', name: 'Sam' }, { address: 'kim@mail.uni.ac.uk' }],
  calendar: { timeZone: 'UTC' },
  timers: { acknowledge: { soft: '24h' } },
});

const verdicts = (over: Partial<Verdicts>): Verdicts => ({
  spf: 'PASS',
  dkim: 'FAIL',
  dmarc: 'FAIL',
  spam: 'PASS',
  virus: 'PASS',
  ...over,
});
const sam = { address: 'sam@bases.example', name: 'Sam' };

describe('authenticateMaintainer', () => {
  it('accepts a listed maintainer with DMARC pass (any case of the address)', () => {
    const result = authenticateMaintainer({ address: 'SAM@bases.EXAMPLE' }, project, verdicts({ dmarc: 'PASS' }), []);
    expect(result).toEqual({ ok: true, reason: expect.stringMatching(/DMARC pass/) });
  });

  it('refuses a listed maintainer when DMARC fails and DKIM fails (a spoofed From)', () => {
    const result = authenticateMaintainer(sam, project, verdicts({}), ['bases.example']);
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/DMARC is FAIL and DKIM is FAIL/);
  });

  it('refuses an authenticated sender who is not on the list', () => {
    const result = authenticateMaintainer({ address: 'eve@bases.example' }, project, verdicts({ dmarc: 'PASS' }), []);
    expect(result).toEqual({ ok: false, reason: 'eve@bases.example is not a maintainer of bases' });
  });

  it('refuses a message without From', () => {
    expect(authenticateMaintainer(undefined, project, verdicts({ dmarc: 'PASS' }), []).ok).toBe(false);
  });

  it('accepts DKIM pass when every signature is aligned (same domain or parent)', () => {
    expect(authenticateMaintainer(sam, project, verdicts({ dkim: 'PASS' }), ['bases.example']).ok).toBe(true);
    expect(authenticateMaintainer(sam, project, verdicts({ dkim: 'PASS', dmarc: 'GRAY' }), ['mail.bases.example']).ok).toBe(true);
  });

  it('refuses DKIM pass from an unaligned signer (e.g. the attacker signed with their own domain)', () => {
    const result = authenticateMaintainer(sam, project, verdicts({ dkim: 'PASS' }), ['evil.example']);
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/signed by evil\.example, not aligned with bases\.example/);
  });

  it('refuses SES DKIM pass when one of several signatures is unaligned (we cannot tell which passed)', () => {
    const result = authenticateMaintainer(sam, project, verdicts({ dkim: 'PASS' }), ['bases.example', 'sendgrid.net']);
    expect(result.ok).toBe(false);
  });

  it('refuses DKIM pass with no signature domain to check', () => {
    expect(authenticateMaintainer(sam, project, verdicts({ dkim: 'PASS' }), []).ok).toBe(false);
  });

  it('with verified DKIM domains from a local verifier, one aligned domain is enough', () => {
    const v = verdicts({ dkim: 'PASS', dkimDomains: ['sendgrid.net', 'bases.example'] });
    expect(authenticateMaintainer(sam, project, v, ['sendgrid.net', 'bases.example']).ok).toBe(true);
  });

  it('with verified DKIM domains, none aligned means no, even if a header claims the right d=', () => {
    const v = verdicts({ dkim: 'PASS', dkimDomains: ['evil.example'] });
    const result = authenticateMaintainer(sam, project, v, ['bases.example']);
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/verified: evil\.example/);
  });

  it('does not treat a public suffix as a parent domain', () => {
    const kim = { address: 'kim@mail.uni.ac.uk' };
    expect(authenticateMaintainer(kim, project, verdicts({ dkim: 'PASS' }), ['uni.ac.uk']).ok).toBe(true);
    expect(authenticateMaintainer(kim, project, verdicts({ dkim: 'PASS' }), ['ac.uk']).ok).toBe(false);
    expect(authenticateMaintainer(kim, project, verdicts({ dkim: 'PASS' }), ['other.ac.uk']).ok).toBe(false);
  });
});

describe('alignment helpers', () => {
  it.each([
    ['bases.example', 'bases.example', true],
    ['mail.bases.example', 'bases.example', true],
    ['bases.example', 'lists.bases.example', true],
    ['BASES.EXAMPLE.', 'bases.example', true],
    ['notbases.example', 'bases.example', false],
    ['example', 'bases.example', false],
    ['bases.example.evil', 'bases.example', false],
    ['alice.github.io', 'bob.github.io', false],
    ['github.io', 'bob.github.io', false],
  ])('d=%s aligned with %s: %s', (d, from, aligned) => {
    expect(isAlignedDomain(d, from)).toBe(aligned);
  });

  it('finds organizational domains', () => {
    expect(organizationalDomain('a.b.bases.example')).toBe('bases.example');
    expect(organizationalDomain('mail.uni.ac.uk')).toBe('uni.ac.uk');
  });
});

describe('dkimSignatureDomains', () => {
  it('reads d= from every DKIM-Signature, folded or not', () => {
    const headers = {
      'dkim-signature': [
        'v=1; a=rsa-sha256; c=relaxed/relaxed; d=Bases.Example; s=s1; h=from:to; bh=abc=; b=xyz=',
        'v=1; a=rsa-sha256;\r\n d=sendgrid.net;  s=smtpapi; b=Zm9v',
        'v=1; d=bases.example; b=x',
      ],
    };
    expect(dkimSignatureDomains(headers)).toEqual(['bases.example', 'sendgrid.net']);
  });

  it('does not read bh= or a tag value containing "d="', () => {
    expect(dkimSignatureDomains({ 'dkim-signature': ['v=1; bh=d=evil.example; z=From:d=evil|x; d=ok.example'] })).toEqual([
      'ok.example',
    ]);
  });

  it('finds nothing without the header', () => {
    expect(dkimSignatureDomains({})).toEqual([]);
  });
});
