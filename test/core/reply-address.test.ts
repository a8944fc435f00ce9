import { baseAddress, parseReplyAddress, replyAddress } from '../../lambdas/core/reply-address';

const key = Buffer.from('0123456789abcdef0123456789abcdef');
const otherKey = Buffer.from('fedcba9876543210fedcba9876543210');

describe('replyAddress', () => {
  it('puts the lower-cased compact ID and a 10-character MAC after a + on the security address', () => {
    const address = replyAddress('Security@Bases.example', 'K7QM-2XPD', key);
    expect(address).toMatch(/^security\+k7qm2xpd\.[0-9a-z]{10}@bases\.example$/);
  });

  it('differs by key and by report', () => {
    const a = replyAddress('security@bases.example', 'K7QM-2XPD', key);
    expect(replyAddress('security@bases.example', 'K7QM-2XPD', otherKey)).not.toBe(a);
    expect(replyAddress('security@bases.example', 'K7QM-2XPE', key).split('.')[1]).not.toBe(a.split('.')[1]);
  });

  it('builds on the base address even if given a tagged one', () => {
    expect(replyAddress('security+old@bases.example', 'K7QM-2XPD', key)).toBe(
      replyAddress('security@bases.example', 'K7QM-2XPD', key),
    );
  });

  it('refuses something that is not a report ID', () => {
    expect(() => replyAddress('security@bases.example', 'nope', key)).toThrow(/not a report ID/);
  });
});

describe('parseReplyAddress', () => {
  const good = replyAddress('security@bases.example', 'K7QM-2XPD', key);

  it('accepts our own address, in any case and in angle brackets', () => {
    for (const form of [good, good.toUpperCase(), `<${good}>`]) {
      expect(parseReplyAddress(form, key)).toEqual({
        kind: 'valid',
        reportId: 'K7QM-2XPD',
        base: 'security@bases.example',
        internal: false,
      });
    }
  });

  it('calls a changed MAC tampered', () => {
    const mac = good.split('.')[1]!.split('@')[0]!;
    const flipped = mac.slice(0, -1) + (mac.endsWith('a') ? 'b' : 'a');
    expect(parseReplyAddress(good.replace(mac, flipped), key)).toEqual({
      kind: 'tampered',
      base: 'security@bases.example',
    });
  });

  it('calls a known MAC moved onto another report ID tampered', () => {
    const moved = good.replace('k7qm2xpd', 'k7qm2xpe');
    expect(parseReplyAddress(moved, key).kind).toBe('tampered');
  });

  it('calls an address made with another key tampered', () => {
    expect(parseReplyAddress(good, otherKey).kind).toBe('tampered');
  });

  it.each([
    'security@bases.example',
    'security+bob@bases.example',
    'security+k7qm2xpd@bases.example',
    'security+k7qm2xpd.short@bases.example',
    'security+k7qm2xpd.abcdefghij.extra@bases.example',
    'not an address',
    '',
  ])('sees no tag of ours in %j', (address) => {
    expect(parseReplyAddress(address, key).kind).toBe('none');
  });
});

describe('baseAddress', () => {
  it('strips the +tag and lower-cases', () => {
    expect(baseAddress('Security+K7QM2XPD.abc@Bases.Example')).toBe('security@bases.example');
    expect(baseAddress('security@bases.example')).toBe('security@bases.example');
  });
});
