/**
 * Property: whatever an attacker does to the bytes of a genuine signed maintainer reply (header lines inserted,
 * line endings changed, fields duplicated, the Subject moved, an mbox line prepended), either authentication
 * fails, or the From, To and Subject we parsed are exactly those the passing signature covers. Verified with the
 * real parts: mailparser through our parser, mailauth for the verdicts and the signatures, offline DNS.
 */
import fc from 'fast-check';
import { MailparserParser } from '../../lambdas/adapters/mailparser-parser';
import { MailauthDkimVerifier } from '../../lambdas/adapters/mailauth-dkim';
import { LocalMailAuth } from '../../lambdas/adapters/local/mail-auth';
import { authenticateMaintainer } from '../../lambdas/core/maintainer';
import { UnparseableMessage } from '../../lambdas/core/parsed-message';
import { dkimDns, signMessage } from '../support/dkim-keys';
import { crlf, loadExample, mail } from '../support/intake-harness';
import { testTimeout } from '../support/timeouts';

const config = loadExample('bases');
const project = config.projects[0];
const REPLY_TO = 'security+ab12cd34.0123456789@hashberg.io';
const auth = new LocalMailAuth({ dns: dkimDns(['hashberg.io', 'evil.example']) });
const dkim = new MailauthDkimVerifier(auth.dkimResolver);
const parser = new MailparserParser();

/** Lines the attacker may insert: other Froms, Subjects and Tos, odd field names, junk. */
const INSERTED = [
  'From: Mallory <mallory@evil.example>',
  'From: Alice <alice@hashberg.io>',
  'From : Alice <alice@hashberg.io>',
  '\x0bFrom: Alice <alice@hashberg.io>',
  'Subject: Re: [security report #ZZZZ-ZZZZ] other',
  `To: security+zzzzzzzz.0000000000@hashberg.io`,
  'Cc: mallory@evil.example',
  'Sender: mallory@evil.example',
  'X-Junk: 1',
  'not a header line',
  ' folded continuation',
  'From mallory@evil.example Fri Mar 12 21:00:00 2027',
];
const ENDINGS = ['\r\n', '\n', '\r', '\r\r\n', '\n\r'];

type Mutation =
  | { kind: 'insert'; at: number; line: number; ending: number }
  | { kind: 'ending'; at: number; ending: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'moveSubject'; to: number }
  | { kind: 'mbox' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(20), line: fc.nat(INSERTED.length - 1), ending: fc.nat(ENDINGS.length - 1) }),
  fc.record({ kind: fc.constant('ending' as const), at: fc.nat(20), ending: fc.nat(ENDINGS.length - 1) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(20) }),
  fc.record({ kind: fc.constant('moveSubject' as const), to: fc.nat(20) }),
  fc.constant({ kind: 'mbox' as const }),
);

/** Header lines with their endings, and the body, of a message as bytes (latin1 keeps every byte). */
function mutate(message: Buffer, mutations: Mutation[]): Buffer {
  const text = message.toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  const head = text.slice(0, split + 2).split(/(?<=\r\n)/).map((l) => ({ line: l.replace(/\r\n$/, ''), ending: '\r\n' }));
  const body = text.slice(split + 2);
  for (const m of mutations) {
    const at = (n: number) => Math.min(n, head.length);
    switch (m.kind) {
      case 'insert':
        head.splice(at(m.at), 0, { line: INSERTED[m.line]!, ending: ENDINGS[m.ending]! });
        break;
      case 'ending':
        if (head.length) head[Math.min(m.at, head.length - 1)]!.ending = ENDINGS[m.ending]!;
        break;
      case 'duplicate':
        if (head.length) head.splice(at(m.at), 0, { ...head[Math.min(m.at, head.length - 1)]! });
        break;
      case 'moveSubject': {
        const i = head.findIndex((h) => /^subject:/i.test(h.line));
        if (i >= 0) head.splice(at(m.to), 0, ...head.splice(i, 1));
        break;
      }
      case 'mbox':
        head.unshift({ line: 'From mallory@evil.example Fri Mar 12 21:00:00 2027', ending: '\r\n' });
        break;
    }
  }
  return Buffer.from(head.map((h) => h.line + h.ending).join('') + body, 'latin1');
}

let genuine: Buffer;
beforeAll(async () => {
  const raw = mail({
    from: 'Alice <alice@hashberg.io>',
    to: REPLY_TO,
    subject: 'Re: [security report #AB12-CD34] Heap overflow',
    body: 'Status: triaged\n\nConfirmed, fix in progress.',
    messageId: 'genuine-1@hashberg.io',
  });
  genuine = await signMessage(crlf(raw), 'hashberg.io');
});

test('the unmutated reply authenticates (the property is not vacuous)', async () => {
  const msg = await parser.parse(genuine, { limits: config.limits });
  const verdicts = await auth.verdicts(genuine, { mailFrom: 'alice@hashberg.io', clientIp: '192.0.2.1' });
  const result = authenticateMaintainer(
    { from: msg.from, fromFields: msg.headers.from?.length ?? 0, ambiguities: msg.headerAmbiguities, verdicts, signatures: await dkim.verify(genuine) },
    project,
  );
  expect(result.ok).toBe(true);
});

test('mutated replies: authentication fails, or parsed From/To/Subject equal the signed ones', async () => {
  let authenticated = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
      const bytes = mutate(genuine, mutations);
      let msg;
      try {
        msg = await parser.parse(bytes, { limits: config.limits });
      } catch (err) {
        if (err instanceof UnparseableMessage) return; // quarantined, never a maintainer's
        throw err;
      }
      const verdicts = await auth.verdicts(bytes, { mailFrom: 'alice@hashberg.io', clientIp: '192.0.2.1' });
      const result = authenticateMaintainer(
        { from: msg.from, fromFields: msg.headers.from?.length ?? 0, ambiguities: msg.headerAmbiguities, verdicts, signatures: await dkim.verify(bytes) },
        project,
      );
      if (!result.ok) return;
      authenticated++;
      expect(result.signatures.length).toBeGreaterThan(0);
      for (const sig of result.signatures) {
        expect(sig.signed.from).toEqual([msg.from!.address.toLowerCase()]);
        expect(sig.signed.to).toEqual(msg.to.map((a) => a.address.toLowerCase()));
        expect(sig.signed.subject).toBe(msg.subject);
      }
    }),
    { numRuns: 150, seed: 20261202 },
  );
  // some mutations (e.g. a junk X- line, a duplicated unsigned field) leave a genuine message standing
  expect(authenticated).toBeGreaterThan(0);
}, testTimeout(480_000));
