import { createHash, randomBytes } from 'node:crypto';
import { CORPUS, describeWithCorpus } from '../support/corpus';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { MailparserParser } from '../../lambdas/adapters/mailparser-parser';
import { UnparseableMessage } from '../../lambdas/core/parsed-message';
import type { ParseOptions } from '../../lambdas/ports/mail-parser';

const limits: ParseOptions['limits'] = { maxMessageBytes: 40 * 1024 * 1024, maxHeaderBytes: 256 * 1024, maxMimeDepth: 20, maxParts: 500 };
const parser = new MailparserParser();
const HEAD = 'From: Rita Reporter <rita@example.org>\r\nTo: security@bases.example\r\nSubject: Heap overflow\r\nDate: Fri, 12 Mar 2027 16:02:00 -0500\r\nMessage-ID: <m1@example.org>\r\nMIME-Version: 1.0\r\n';

async function reason(raw: Buffer | string, opts: Partial<ParseOptions['limits']> = {}): Promise<string> {
  try {
    await parser.parse(Buffer.from(raw), { limits: { ...limits, ...opts } });
  } catch (err) {
    expect(err).toBeInstanceOf(UnparseableMessage);
    return (err as UnparseableMessage).reason;
  }
  throw new Error('expected UnparseableMessage, but it parsed');
}

/** Sends the bytes in small pieces, so every state of the byte-level checks meets a chunk boundary. */
function trickle(raw: Buffer, size = 7): Readable {
  const pieces: Buffer[] = [];
  for (let i = 0; i < raw.length; i += size) pieces.push(raw.subarray(i, i + size));
  return Readable.from(pieces);
}

function nested(depth: number): string {
  let body = 'Content-Type: text/plain\r\n\r\ninnermost\r\n';
  for (let level = depth; level > 0; level--) {
    body = `Content-Type: multipart/mixed; boundary="b${level}"\r\n\r\n--b${level}\r\n${body}--b${level}--\r\n`;
  }
  return HEAD + body;
}

function manyParts(count: number): string {
  const parts = Array.from({ length: count }, (_, i) => `--sep\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`);
  return `${HEAD}Content-Type: multipart/mixed; boundary="sep"\r\n\r\n${parts.join('')}--sep--\r\n`;
}

function withAttachment(content: Buffer, type = 'application/octet-stream', filename = 'poc.bin'): string {
  const base64 = content.toString('base64').replace(/.{76}/g, '$&\r\n');
  return (
    `${HEAD}Content-Type: multipart/mixed; boundary="sep"\r\n\r\n--sep\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the attached proof of concept.\r\n` +
    `--sep\r\nContent-Type: ${type}\r\nContent-Disposition: attachment; filename="${filename}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64}\r\n--sep--\r\n`
  );
}

describe('MailparserParser: what it reads', () => {
  it('gives headers (lower-cased, unfolded, every value), addresses, IDs, date and text', async () => {
    const raw = `Received: from a\r\n by b; Fri, 12 Mar 2027 21:02:00 +0000\r\nReceived: from c\r\n${HEAD}In-Reply-To: <root@example.org>\r\nReferences: <root@example.org>\r\n <m0@example.org>\r\nCc: "Sam" <sam@bases.example>, grp: x@example.org, y@example.org;\r\nReply-To: other@example.org\r\nSubject: =?utf-8?q?second_=C3=A9?=\r\n\r\nThe decode() function overflows.\r\n`;
    const message = await parser.parse(Buffer.from(raw), { limits });
    expect(message.headers['received']).toEqual(['from a by b; Fri, 12 Mar 2027 21:02:00 +0000', 'from c']);
    expect(message.headers['subject']).toEqual(['Heap overflow', '=?utf-8?q?second_=C3=A9?=']);
    expect(message.subject).toBe('Heap overflow');
    expect(message.from).toEqual({ address: 'rita@example.org', name: 'Rita Reporter' });
    expect(message.to).toEqual([{ address: 'security@bases.example' }]);
    expect(message.cc.map((a) => a.address)).toEqual(['sam@bases.example', 'x@example.org', 'y@example.org']);
    expect(message.replyTo).toEqual([{ address: 'other@example.org' }]);
    expect(message).toMatchObject({ messageId: 'm1@example.org', inReplyTo: 'root@example.org', references: ['root@example.org', 'm0@example.org'] });
    expect(message.date).toBe('2027-03-12T21:02:00.000Z');
    expect(message.text.trim()).toBe('The decode() function overflows.');
    expect(message).toMatchObject({ contentType: 'text/plain', partTypes: ['text/plain'], attachments: [] });
    expect(message.defects).toEqual(['repeated subject header field (RFC 5322 section 3.6 allows one); the first is used']);
    expect(message.html).toBeUndefined();
  });

  it('reads the first of two From fields and says so (a spoofing trick)', async () => {
    const raw = `From: maintainer@bases.example\r\n${HEAD}\r\nhi\r\n`;
    const message = await parser.parse(Buffer.from(raw), { limits });
    expect(message.from).toEqual({ address: 'maintainer@bases.example' });
    expect(message.defects).toContain('repeated from header field (RFC 5322 section 3.6 allows one); the first is used');
  });

  it('lists every part type of a DSN and keeps the top-level parameters', async () => {
    const raw =
      'From: MAILER-DAEMON@example.org\r\nSubject: Undelivered\r\nMIME-Version: 1.0\r\nDate: Fri, 12 Mar 2027 21:02:00 +0000\r\n' +
      'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n--r\r\nContent-Type: text/plain\r\n\r\nfailed\r\n' +
      '--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; example.org\r\n\r\nFinal-Recipient: rfc822; x@y\r\nAction: failed\r\nStatus: 5.1.1\r\n' +
      '--r\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <ours@bases.example>\r\n--r--\r\n';
    const message = await parser.parse(Buffer.from(raw), { limits });
    expect(message.contentType).toBe('multipart/report');
    expect(message.contentTypeParams).toMatchObject({ 'report-type': 'delivery-status' });
    expect(message.partTypes).toEqual(['multipart/report', 'text/plain', 'message/delivery-status', 'text/rfc822-headers']);
  });

  it('streams a generated 5 MB attachment through sha256 and keeps its bytes only when asked', async () => {
    const content = randomBytes(5 * 1024 * 1024);
    const raw = Buffer.from(withAttachment(content));
    const sha256 = createHash('sha256').update(content).digest('hex');
    const message = await parser.parse(trickle(raw, 64 * 1024), { limits });
    expect(message.attachments).toEqual([{ filename: 'poc.bin', contentType: 'application/octet-stream', size: content.length, sha256, contentDisposition: 'attachment' }]);
    expect(message.text.trim()).toBe('See the attached proof of concept.');

    const kept = await parser.parse(raw, { limits, keepAttachmentContent: true });
    expect(kept.attachments[0].content?.equals(content)).toBe(true);
  });

  it('keeps the bytes of only the smallest attachments that fit together within a bound (ties in message order)', async () => {
    const files = [randomBytes(5000), randomBytes(3000), randomBytes(2000), randomBytes(3000), randomBytes(9000)];
    const parts = files.map((f, i) =>
      `--sep\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="f${i}.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n${f.toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n`,
    );
    const raw = Buffer.from(`${HEAD}Content-Type: multipart/mixed; boundary="sep"\r\n\r\n--sep\r\nContent-Type: text/plain\r\n\r\nfiles\r\n${parts.join('')}--sep--\r\n`);
    for (const input of [raw, trickle(raw, 1000)]) {
      // smallest first: 2000 (f2), 3000 (f1, before f3), then 3000 (f3) would make 8000 > 7000
      const message = await parser.parse(input, { limits, keepSmallestAttachmentsWithin: 7000 });
      expect(message.attachments.map((a) => [a.filename, a.size, a.content !== undefined])).toEqual([
        ['f0.bin', 5000, false],
        ['f1.bin', 3000, true],
        ['f2.bin', 2000, true],
        ['f3.bin', 3000, false],
        ['f4.bin', 9000, false],
      ]);
      for (const [i, a] of message.attachments.entries()) {
        expect(a.sha256).toBe(createHash('sha256').update(files[i]!).digest('hex'));
        if (a.content) expect(a.content.equals(files[i]!)).toBe(true);
      }
    }
    const all = await parser.parse(raw, { limits, keepAttachmentContent: true, keepSmallestAttachmentsWithin: 7000 });
    expect(all.attachments.every((a, i) => a.content?.equals(files[i]!))).toBe(true);
  });

  it.each([
    ['application/pgp-encrypted', 'msg.asc', 'pgp'],
    ['application/pgp-signature', 'signature.asc', 'pgp'],
    ['application/pkcs7-signature', 'smime.p7s', 'smime'],
    ['application/x-pkcs7-mime', 'smime.p7m', 'smime'],
    ['application/ms-tnef', 'winmail.dat', 'tnef'],
    ['application/octet-stream', 'winmail.dat', 'tnef'],
    ['application/pdf', 'report.pdf', undefined],
  ])('flags a %s attachment named %s as %s', async (type, filename, flag) => {
    const message = await parser.parse(Buffer.from(withAttachment(Buffer.from('opaque'), type, filename)), { limits });
    expect(message.attachments[0].flag).toBe(flag);
  });

  it('converts CR-only line endings instead of losing the message, also across chunk boundaries', async () => {
    const raw = Buffer.from('From: rita@example.org\rSubject: old mac\rDate: Fri, 12 Mar 2027 21:02:00 +0000\r\rline one\rline two\r');
    for (const input of [raw, trickle(raw, 1), trickle(raw, 7)]) {
      const message = await parser.parse(input, { limits });
      expect(message.subject).toBe('old mac');
      expect(message.text.trim()).toBe('line one\nline two');
      expect(message.defects).toContain('CR-only line endings, converted to CRLF');
    }
  });

  it('ignores a leading UTF-8 byte order mark', async () => {
    const message = await parser.parse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${HEAD}\r\nhi\r\n`)]), { limits });
    expect(message.from?.address).toBe('rita@example.org');
    expect(message.defects).toContain('leading UTF-8 byte order mark ignored');
  });

  it('notes tolerated defects: mbox From_ line, missing Date, no MIME-Version on a multipart', async () => {
    const raw = 'From rita@example.org Fri Mar 12 21:02:00 2027\nFrom: rita@example.org\nSubject: x\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhi\n--b--\n';
    const message = await parser.parse(trickle(Buffer.from(raw), 3), { limits });
    expect(message.subject).toBe('x');
    expect(message.defects).toEqual(
      expect.arrayContaining([expect.stringMatching(/mbox/), expect.stringMatching(/no Date/), expect.stringMatching(/MIME-Version/)]),
    );
  });
});

describe('MailparserParser: hostile input ends in UnparseableMessage with a reason', () => {
  it('a 26-byte text file is not mail', async () => {
    const file = 'This is just a text file.\n';
    expect(file).toHaveLength(26);
    expect(await reason(file)).toMatch(/not an email message: the first line is not a header field/);
  });

  it.each([
    ['empty input', '', /empty message/],
    ['a blank first line', '\r\nFrom: a@b\r\n\r\nx', /starts with a blank line/],
    ['a colon in the first line of a text file', 'Note: buy milk\nand bread\n', /none of the header fields/],
    ['binary garbage', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), /first line is not a header field/],
  ])('%s', async (_name, raw, expected) => {
    expect(await reason(raw)).toMatch(expected);
  });

  it('NUL bytes in the header block', async () => {
    expect(await reason('From: rita@example.org\r\nSubject: a\0b\r\n\r\nbody')).toMatch(/NUL byte in the header block/);
  });

  it('200 KB of headers: refused over the header limit, parsed under it', async () => {
    const filler = Array.from({ length: 2500 }, (_, i) => `X-Filler-${i}: ${'x'.repeat(70)}\r\n`).join('');
    const raw = `${HEAD}${filler}\r\nbody\r\n`;
    expect(raw.length).toBeGreaterThan(200 * 1024);
    expect(await reason(raw, { maxHeaderBytes: 64 * 1024 })).toMatch(/header block is larger than the limit of 65536 bytes/);
    const message = await parser.parse(Buffer.from(raw), { limits });
    expect(message.headers['x-filler-2499']).toEqual(['x'.repeat(70)]);
  });

  it('a part header larger than the header limit', async () => {
    const raw = `${HEAD}Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\nX-Big: ${'y'.repeat(20000)}\r\n\r\nhi\r\n--b--\r\n`;
    expect(await reason(raw, { maxHeaderBytes: 8 * 1024 })).toMatch(/limit exceeded: Max header size/);
  });

  it('MIME nesting deeper than the limit (generated, 200 levels), while 5 levels parse', async () => {
    expect(await reason(nested(200))).toMatch(/nested deeper than the limit of 20/);
    const ok = await parser.parse(Buffer.from(nested(5)), { limits });
    expect(ok.partTypes).toEqual([...Array(5).fill('multipart/mixed'), 'text/plain']);
    expect(ok.text.trim()).toBe('innermost');
  });

  it('1000 parts over a limit of 500, while 100 parts parse', async () => {
    expect(await reason(manyParts(1000))).toMatch(/more than the limit of 500 MIME parts|limit exceeded/);
    const ok = await parser.parse(Buffer.from(manyParts(100)), { limits });
    expect(ok.partTypes).toHaveLength(101);
  });

  it('a message larger than maxMessageBytes, streamed', async () => {
    const raw = Buffer.from(withAttachment(Buffer.alloc(300 * 1024, 1)));
    await expect(parser.parse(trickle(raw, 16 * 1024), { limits: { ...limits, maxMessageBytes: 100 * 1024 } })).rejects.toThrow(
      /larger than the limit of 102400 bytes/,
    );
  });

  it('mangled bytes after a valid header never crash or hang the parser', async () => {
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const alphabet = ['--b\r\n', '--b--\r\n', 'Content-Type: multipart/mixed; boundary=b\r\n', '\r\n', '=?utf-8?B?', 'Content-Transfer-Encoding: base64\r\n', 'Content-Type: message/rfc822\r\n', '\0', '\r', 'A'.repeat(100), '<', '@'];
    for (let round = 0; round < 40; round++) {
      const body = Array.from({ length: 200 }, () => alphabet[next() % alphabet.length]).join('');
      const raw = `${HEAD}Content-Type: multipart/mixed; boundary=b\r\n\r\n${body}`;
      const outcome = await parser.parse(Buffer.from(raw), { limits }).then(
        () => 'parsed',
        (err: unknown) => (err instanceof UnparseableMessage ? 'unparseable' : `other: ${String(err)}`),
      );
      expect(outcome).toMatch(/^(parsed|unparseable)$/);
    }
  });

  it('passes an error of the source stream through unchanged (a transient read failure, not bad mail)', async () => {
    const source = new Readable({
      read() {
        this.push(Buffer.from(HEAD));
        this.destroy(new Error('socket hang up'));
      },
    });
    const error = await parser.parse(source, { limits }).catch((err: unknown) => err);
    expect(error).not.toBeInstanceOf(UnparseableMessage);
    expect((error as Error).message).toBe('socket hang up');
  });
});

describe('MailparserParser: header ambiguities (one view of the bytes)', () => {
  const base = ['From: Alice <alice@hashberg.io>', 'To: security@hashberg.io', 'Subject: Re: x', 'Message-ID: <a@hashberg.io>'];
  const body = '\r\nStatus: triaged\r\n';
  const ambiguities = async (head: string, tail = body) => (await parser.parse(trickle(Buffer.from(head + tail)), { limits })).headerAmbiguities;

  it('a clean CRLF or LF header has none', async () => {
    expect(await ambiguities(base.join('\r\n') + '\r\n')).toEqual([]);
    expect((await parser.parse(Buffer.from(base.join('\n') + '\n\nhi\n'), { limits })).headerAmbiguities).toEqual([]);
  });

  it.each([
    ['a bare CR inside a CRLF header', `X-B: y\r${base.join('\r\n')}\r\n`, /mixed line endings/, body],
    ['a bare LF among CRLF lines', `${base[0]}\n${base.slice(1).join('\r\n')}\r\n`, /mixed line endings/, body],
    ['CR-only lines', `${base.join('\r')}\r\rStatus: triaged\r`, /CR-only line endings/, ''],
    ['an mbox "From " first line', `From mallory@evil.example Fri Mar 12 21:00:00 2027\r\n${base.join('\r\n')}\r\n`, /mbox "From " line/, body],
    ['"From :" with a space before the colon', `From : Mallory <m@evil.example>\r\n${base.slice(1).join('\r\n')}\r\n`, /white space before the colon of a from/, body],
    ['a vertical tab before a field', `${base.join('\r\n')}\r\n\x0bFrom: Alice <alice@hashberg.io>\r\n`, /control character/, body],
    ['a line that is neither field nor continuation', `${base.join('\r\n')}\r\nnot a field\r\n`, /neither a field nor a continuation/, body],
    ['two Subject fields', `Subject: Re: [security report #AB12-CD34]\r\n${base.join('\r\n')}\r\n`, /2 subject header fields/, body],
    ['two Message-ID fields', `${base.join('\r\n')}\r\nMessage-ID: <b@hashberg.io>\r\n`, /2 message-id header fields/, body],
    ['a byte order mark', `\ufeff${base.join('\r\n')}\r\n`, /byte order mark/, body],
  ] as [string, string, RegExp, string][])('%s', async (_name, head, expected, tail) => {
    expect((await ambiguities(head, tail)).join('; ')).toMatch(expected);
  });
});

describeWithCorpus('MailparserParser: the shared corpus', () => {
  const corpus = CORPUS; // shared/ beside the checkout
  const rows = readFileSync(path.join(corpus, 'INDEX.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));

  it('parses every message or refuses it with UnparseableMessage, nothing else', async () => {
    const counts = { parsed: 0, unparseable: 0, ambiguous: 0 };
    const refused: string[] = [];
    for (const [file] of rows) {
      try {
        const msg = await parser.parse(readFileSync(path.join(corpus, file)), { limits });
        counts.parsed++;
        if (msg.headerAmbiguities.length) counts.ambiguous++;
      } catch (err) {
        if (!(err instanceof UnparseableMessage)) throw new Error(`${file}: ${String(err)}`);
        counts.unparseable++;
        refused.push(`${file}: ${err.reason}`);
      }
    }
    console.log(`corpus: ${rows.length} messages, ${counts.parsed} parsed (${counts.ambiguous} with an ambiguous header: never a maintainer's), ${counts.unparseable} UnparseableMessage\n${refused.join('\n')}`);
    expect(counts.parsed + counts.unparseable).toBe(rows.length);
    expect(counts.parsed).toBeGreaterThan(rows.length * 0.9);
  });
});
