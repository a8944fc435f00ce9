import { projectSchema } from '../../lambdas/core/config';
import {
  actingSignature,
  authenticateMaintainer,
  isAlignedDomain,
  organizationalDomain,
  type AuthenticationInput,
  type DkimSignature,
} from '../../lambdas/core/maintainer';
import type { Verdicts } from '../../lambdas/core/report';

const project = projectSchema.parse({
  id: 'bases',
  name: 'bases',
  addresses: ['security@bases.example'],
  maintainers: [{ address: 'Sam@Bases.example', name: 'Sam' }, { address: 'kim@mail.uni.ac.uk' }, { address: 'jan@firma.com.pl' }],
  calendar: { timeZone: 'UTC' },
  timers: { acknowledge: { soft: '24h' } },
});

const SAM = 'sam@bases.example';
const verdicts = (over: Partial<Verdicts> = {}): Verdicts => ({
  spf: 'PASS',
  dkim: 'PASS',
  dmarc: 'PASS',
  spam: 'PASS',
  virus: 'PASS',
  evaluatedFrom: [SAM],
  ...over,
});
const signature = (over: Partial<DkimSignature> = {}): DkimSignature => ({
  domain: 'bases.example',
  result: 'pass',
  signed: { from: [SAM], to: ['security+ab12cd34.x@bases.example'], cc: [], subject: 'Re: [security report #AB12-CD34] x', messageId: 'm1@bases.example' },
  coversWholeBody: true,
  ...over,
});
const input = (over: Partial<AuthenticationInput> = {}): AuthenticationInput => ({
  from: { address: SAM },
  fromFields: 1,
  ambiguities: [],
  verdicts: verdicts(),
  signatures: [signature()],
  ...over,
});

describe('authenticateMaintainer', () => {
  it('accepts a listed maintainer with DMARC pass for exactly the From it parsed (any case)', () => {
    const r = authenticateMaintainer(input({ from: { address: 'SAM@bases.EXAMPLE' } }), project);
    expect(r).toMatchObject({ ok: true, claimed: true, reason: expect.stringMatching(/DMARC pass for bases\.example/) });
    expect(r.signatures).toHaveLength(1);
  });

  it('refuses an authenticated sender who is not on the list, without calling it a claim', () => {
    const r = authenticateMaintainer(input({ from: { address: 'eve@bases.example' }, verdicts: verdicts({ evaluatedFrom: ['eve@bases.example'] }) }), project);
    expect(r).toMatchObject({ ok: false, claimed: false, reason: 'eve@bases.example is not a maintainer of bases' });
  });

  it('refuses a message without From, or with two', () => {
    expect(authenticateMaintainer(input({ from: undefined }), project).ok).toBe(false);
    expect(authenticateMaintainer(input({ fromFields: 2 }), project)).toMatchObject({ ok: false, claimed: true, reason: expect.stringMatching(/2 From header fields/) });
  });

  it('DMARC FAIL is final, even with an aligned passing signature', () => {
    const r = authenticateMaintainer(input({ verdicts: verdicts({ dmarc: 'FAIL' }) }), project);
    expect(r).toMatchObject({ ok: false, claimed: true, reason: expect.stringMatching(/DMARC is FAIL/) });
  });

  it('refuses when the verifier judged another From than the one parsed (parser differential)', () => {
    const r = authenticateMaintainer(input({ verdicts: verdicts({ evaluatedFrom: ['mallory@evil.example'] }) }), project);
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/authenticated mallory@evil\.example as its From/) });
    expect(authenticateMaintainer(input({ verdicts: verdicts({ evaluatedFrom: undefined }) }), project).ok).toBe(false);
    expect(authenticateMaintainer(input({ verdicts: verdicts({ evaluatedFrom: [SAM, 'x@evil.example'] }) }), project).ok).toBe(false);
  });

  it('refuses an ambiguous header, naming why', () => {
    const r = authenticateMaintainer(input({ ambiguities: ['mixed line endings in the header (CRLF, bare CR)'] }), project);
    expect(r).toMatchObject({ ok: false, claimed: true, reason: expect.stringMatching(/ambiguous: mixed line endings/) });
  });

  it('without a DMARC record (GRAY), accepts only a passing DKIM signature aligned with the From domain', () => {
    const gray = verdicts({ dmarc: 'GRAY' });
    expect(authenticateMaintainer(input({ verdicts: gray }), project).ok).toBe(true);
    expect(authenticateMaintainer(input({ verdicts: gray, signatures: [signature({ domain: 'mail.bases.example' })] }), project).ok).toBe(true);
    expect(authenticateMaintainer(input({ verdicts: gray, signatures: [signature({ domain: 'evil.example' })] }), project).ok).toBe(false);
    expect(authenticateMaintainer(input({ verdicts: gray, signatures: [signature({ result: 'fail' })] }), project).ok).toBe(false);
    // a signature whose signed From is someone else does not speak for Sam
    expect(authenticateMaintainer(input({ verdicts: gray, signatures: [signature({ signed: { ...signature().signed, from: ['x@bases.example'] } })] }), project).ok).toBe(false);
  });

  it('refuses PROCESSING_FAILED and UNKNOWN DMARC verdicts', () => {
    expect(authenticateMaintainer(input({ verdicts: verdicts({ dmarc: 'PROCESSING_FAILED' }) }), project).ok).toBe(false);
    expect(authenticateMaintainer(input({ verdicts: verdicts({ dmarc: 'UNKNOWN' }) }), project).ok).toBe(false);
  });

  it.each([
    ['jan@firma.com.pl', 'evil.com.pl'],
    ['kim@mail.uni.ac.uk', 'evil.ac.uk'],
  ])('a signer under the same public suffix is not aligned: %s signed by %s', (from, domain) => {
    const gray = verdicts({ dmarc: 'GRAY', evaluatedFrom: [from] });
    const sig = signature({ domain, signed: { ...signature().signed, from: [from] } });
    expect(authenticateMaintainer(input({ from: { address: from }, verdicts: gray, signatures: [sig] }), project).ok).toBe(false);
  });
});

describe('actingSignature: only signed content acts', () => {
  const refs = (signed: DkimSignature['signed']) => (signed.subject?.includes('AB12-CD34') || signed.to.some((a) => a.includes('ab12cd34')) ? ['AB12-CD34'] : []);
  const auth = (sigs: DkimSignature[]) => authenticateMaintainer(input({ signatures: sigs }), project);

  it('acts when one signature covers the reference, the Message-ID and the whole body', () => {
    expect(actingSignature(auth([signature()]), 'AB12-CD34', refs)).toMatchObject({ ok: true });
  });
  it('not on another report than the one the signed headers name', () => {
    expect(actingSignature(auth([signature()]), 'ZZZZ-ZZZZ', refs)).toMatchObject({ ok: false, reason: expect.stringMatching(/not in the signed header fields/) });
  });
  it('not when DMARC passed on SPF alone (no aligned signature)', () => {
    expect(actingSignature(auth([]), 'AB12-CD34', refs)).toMatchObject({ ok: false, reason: expect.stringMatching(/SPF alone/) });
  });
  it('not with an l= tag leaving body text unsigned', () => {
    expect(actingSignature(auth([signature({ coversWholeBody: false })]), 'AB12-CD34', refs)).toMatchObject({ ok: false, reason: expect.stringMatching(/l= tag/) });
  });
  it('not without a signed Message-ID (a replay could not be recognised)', () => {
    const sig = signature({ signed: { ...signature().signed, messageId: undefined } });
    expect(actingSignature(auth([sig]), 'AB12-CD34', refs)).toMatchObject({ ok: false, reason: expect.stringMatching(/Message-ID is not signed/) });
  });
});

describe('organizational domains under the Public Suffix List', () => {
  it.each([
    ['mail.bases.example', 'bases.example'],
    ['a.b.mail.uni.ac.uk', 'uni.ac.uk'],
    ['firma.com.pl', 'firma.com.pl'],
    ['x.firma.com.pl', 'firma.com.pl'],
    ['proj.eu.org', 'proj.eu.org'],
    ['shop.co.at', 'shop.co.at'],
    ['tienda.com.es', 'tienda.com.es'],
    ['alice.github.io', 'alice.github.io'],
    ['HashBerg.IO.', 'hashberg.io'],
  ])('%s -> %s', (domain, org) => {
    expect(organizationalDomain(domain)).toBe(org);
  });

  it('a bare public suffix has none', () => {
    for (const suffix of ['com.pl', 'eu.org', 'co.at', 'com.es', 'github.io', 'com', 'localhost']) {
      expect(organizationalDomain(suffix)).toBeUndefined();
    }
  });

  it.each([
    ['evil.com.pl', 'firma.com.pl'],
    ['evil.eu.org', 'proj.eu.org'],
    ['evil.co.at', 'shop.co.at'],
    ['evil.com.es', 'tienda.com.es'],
    ['evil.github.io', 'alice.github.io'],
    ['com.pl', 'firma.com.pl'],
    ['github.io', 'alice.github.io'],
  ])('%s is not aligned with %s', (signer, from) => {
    expect(isAlignedDomain(signer, from)).toBe(false);
  });

  it('a parent or child of the same organization is aligned', () => {
    expect(isAlignedDomain('bases.example', 'mail.bases.example')).toBe(true);
    expect(isAlignedDomain('mail.firma.com.pl', 'firma.com.pl')).toBe(true);
  });
});
