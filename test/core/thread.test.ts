import type { ParsedMessage } from '../../lambdas/core/parsed-message';
import type { InboundFacts } from '../../lambdas/core/report';
import { replyAddress } from '../../lambdas/core/reply-address';
import { decideThread, messageIdsIn, threadingKeys, type ThreadingKeys } from '../../lambdas/core/thread';

const key = Buffer.from('an-hmac-key-of-some-length-0123456789');
const opts = { key, messageIdDomain: 'intake.bases.example', subjectTag: '[security report #{id}]' };

const message = (over: Partial<ParsedMessage> = {}): ParsedMessage => ({
  references: [],
  subject: 'Heap overflow',
  from: { address: 'jane@reporter.example' },
  to: [{ address: 'security@bases.example' }],
  cc: [],
  replyTo: [],
  headers: {},
  contentType: 'text/plain',
  contentTypeParams: {},
  partTypes: ['text/plain'],
  text: 'hello',
  bodyText: '',
  attachments: [],
  defects: [],
  headerAmbiguities: [],
  ...over,
});
const facts = (recipients: string[]): InboundFacts => ({
  sesMessageId: 'ses-1',
  recipients,
  verdicts: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'PASS', virus: 'PASS' },
  receivedAt: '2026-11-10T09:00:00Z',
  rawKey: 'inbound/ses-1',
});

describe('threadingKeys', () => {
  it('finds a valid reply address among the envelope recipients', () => {
    const to = replyAddress('security@bases.example', 'K7QM-2XPD', key);
    const keys = threadingKeys(message(), facts(['security@bases.example', to]), opts);
    expect(keys.replyAddress).toEqual({ kind: 'valid', reportId: 'K7QM-2XPD', internal: false });
  });

  it('also looks at To and Cc', () => {
    const cc = replyAddress('security@bases.example', 'K7QM-2XPD', key);
    const keys = threadingKeys(message({ cc: [{ address: cc }] }), facts(['security@bases.example']), opts);
    expect(keys.replyAddress).toEqual({ kind: 'valid', reportId: 'K7QM-2XPD', internal: false });
  });

  it('reports a tampered reply address', () => {
    const forged = replyAddress('security@bases.example', 'K7QM-2XPD', Buffer.from('guess'));
    expect(threadingKeys(message(), facts([forged]), opts).replyAddress).toEqual({ kind: 'tampered' });
  });

  it('sorts answered Message-IDs into ours and foreign, In-Reply-To first then References newest first', () => {
    const keys = threadingKeys(
      message({
        inReplyTo: '<r3.abc@INTAKE.bases.example>',
        references: ['<root@reporter.example>', '<r1@intake.bases.example>', '<r2@intake.bases.example> <x@other.example>', '<r3.abc@INTAKE.bases.example>'],
      }),
      facts(['security@bases.example']),
      opts,
    );
    expect(keys.ourMessageIds).toEqual(['r3.abc@INTAKE.bases.example', 'r2@intake.bases.example', 'r1@intake.bases.example']);
    expect(keys.foreignMessageIds).toEqual(['x@other.example', 'root@reporter.example']);
  });

  it('does not take a look-alike domain for ours', () => {
    const keys = threadingKeys(message({ inReplyTo: '<a@evil-intake.bases.example>', references: ['<b@intake.bases.example.evil>'] }), facts([]), opts);
    expect(keys.ourMessageIds).toEqual([]);
  });

  it.each([
    ['Re: [security report #K7QM-2XPD] Heap overflow', ['K7QM-2XPD']],
    ['RE: Fwd: [Security Report #k7qm2xpd] Heap overflow', ['K7QM-2XPD']],
    ['AW: [security report # K7QM-2XPD ]', ['K7QM-2XPD']],
    ['[security report #K7QM-2XPD] dup of [security report #A1B2-C3D4]', ['K7QM-2XPD', 'A1B2-C3D4']],
    ['Report K7QM-2XPD without tag', []],
    ['[security report #K7QM-2XP] short', []],
    ['[security report #K7QU-2XPD] U is not in the alphabet', []],
  ])('finds tagged IDs in %j', (subject, ids) => {
    expect(threadingKeys(message({ subject }), facts([]), opts).taggedIds).toEqual(ids);
  });

  it('uses the project template', () => {
    const keys = threadingKeys(message({ subject: 'Re: (bases-sec K7QM-2XPD) x' }), facts([]), { ...opts, subjectTag: '(bases-sec {id})' });
    expect(keys.taggedIds).toEqual(['K7QM-2XPD']);
  });
});

describe('messageIdsIn', () => {
  it('reads bracketed and bare IDs', () => {
    expect(messageIdsIn('<a@b> <c@d>')).toEqual(['a@b', 'c@d']);
    expect(messageIdsIn('a@b')).toEqual(['a@b']);
    expect(messageIdsIn(undefined)).toEqual([]);
    expect(messageIdsIn('no id here')).toEqual([]);
  });
});

describe('decideThread', () => {
  const keys = (over: Partial<ThreadingKeys>): ThreadingKeys => ({
    replyAddress: { kind: 'none' },
    ourMessageIds: [],
    foreignMessageIds: [],
    taggedIds: [],
    ...over,
  });
  const nobody = () => false;
  const tagged = [{ id: 'K7QM-2XPD', reporter: 'Jane@Reporter.example' }];

  it('threads by a valid reply address first, whoever sends it', () => {
    const d = decideThread(
      keys({ replyAddress: { kind: 'valid', reportId: 'K7QM-2XPD', internal: false }, taggedIds: ['A1B2-C3D4'] }),
      { byMessageId: 'ZZZZ-ZZZZ', tagged: [] },
      'anyone@example.org',
      nobody,
    );
    expect(d).toMatchObject({ kind: 'existing', reportId: 'K7QM-2XPD', via: 'reply-address' });
  });

  it('then by one of our Message-IDs', () => {
    const d = decideThread(keys({ ourMessageIds: ['x@intake'] }), { byMessageId: 'A1B2-C3D4', tagged }, 'x@example.org', nobody);
    expect(d).toMatchObject({ kind: 'existing', reportId: 'A1B2-C3D4', via: 'message-id' });
  });

  it('joins by subject tag when the sender is the reporter (any case)', () => {
    const d = decideThread(keys({ taggedIds: ['K7QM-2XPD'] }), { tagged }, 'jane@reporter.EXAMPLE', nobody);
    expect(d).toMatchObject({ kind: 'existing', reportId: 'K7QM-2XPD', via: 'subject-tag' });
  });

  it('joins by subject tag when the sender is an authenticated maintainer of that report', () => {
    const d = decideThread(keys({ taggedIds: ['K7QM-2XPD'] }), { tagged }, 'sam@bases.example', (id) => id === 'K7QM-2XPD');
    expect(d).toMatchObject({ kind: 'existing', reportId: 'K7QM-2XPD', via: 'subject-tag' });
  });

  it("opens a new report, related to the tagged one, for a stranger's tag", () => {
    const d = decideThread(keys({ taggedIds: ['K7QM-2XPD'] }), { tagged }, 'stranger@example.org', nobody);
    expect(d).toEqual({ kind: 'new', relatesTo: ['K7QM-2XPD'], reason: expect.stringMatching(/neither its reporter nor an authenticated maintainer/) });
  });

  it('never threads by a tampered reply address, falls through, and says so', () => {
    const viaId = decideThread(keys({ replyAddress: { kind: 'tampered' } }), { byMessageId: 'A1B2-C3D4', tagged: [] }, 'x@example.org', nobody);
    expect(viaId).toMatchObject({ kind: 'existing', via: 'message-id', reason: expect.stringMatching(/MAC did not verify/) });
    const stranger = decideThread(keys({ replyAddress: { kind: 'tampered' }, taggedIds: ['K7QM-2XPD'] }), { tagged }, 'eve@example.org', nobody);
    expect(stranger).toMatchObject({ kind: 'new', relatesTo: ['K7QM-2XPD'], reason: expect.stringMatching(/MAC did not verify/) });
  });

  it('ignores a lookup result for an ID the subject did not name', () => {
    const d = decideThread(keys({ taggedIds: [] }), { tagged }, 'jane@reporter.example', nobody);
    expect(d).toMatchObject({ kind: 'new', relatesTo: [] });
  });

  it('opens a plain new report when a tag names no known report, or nothing matches', () => {
    expect(decideThread(keys({ taggedIds: ['A1B2-C3D4'] }), { tagged: [] }, 'x@example.org', nobody)).toEqual({
      kind: 'new',
      relatesTo: [],
      reason: expect.stringMatching(/names no known report/),
    });
    expect(decideThread(keys({}), { tagged: [] }, 'x@example.org', nobody)).toMatchObject({ kind: 'new', relatesTo: [] });
  });
});
