import { simpleParser } from 'mailparser';
import { composeDraft, InvalidHeaderValue, type ComposeEnvelope } from '../../lambdas/adapters/mime-composer';
import type { Draft } from '../../lambdas/core/drafts';
import { headerList } from '../support/raw-headers';

const envelope: ComposeEnvelope = {
  from: 'security@bases.example',
  replyTo: 'security+k7qm2xpd.abc123@bases.example',
  messageId: '0123abcd@intake.bases.example',
  date: new Date('2027-03-12T21:02:00Z'),
  stamp: 'K7QM-2XPD',
};

const draft: Draft = {
  kind: 'receipt',
  to: ['jane@reporter.example'],
  subject: '[security report #K7QM-2XPD] Heap overflow in decode()',
  text: 'We received your report.\nReply to this message.\n',
  autoSubmitted: 'auto-replied',
  inReplyTo: 'orig-1@reporter.example',
  references: ['orig-1@reporter.example'],
};

describe('composeDraft', () => {
  it('writes the headers the design asks for, each once, and a utf-8 text/plain body', async () => {
    const raw = await composeDraft({ ...draft, text: 'Grüße, naïve café\n' }, envelope);
    const names = headerList(raw).map(([n]) => n);
    for (const n of ['from', 'to', 'reply-to', 'subject', 'message-id', 'in-reply-to', 'references', 'date']) {
      expect(names.filter((x) => x === n)).toHaveLength(1);
    }
    const parsed = await simpleParser(raw);
    expect(parsed.from?.value[0].address).toBe('security@bases.example');
    expect(parsed.replyTo?.value[0].address).toBe(envelope.replyTo);
    expect(parsed.messageId).toBe('<0123abcd@intake.bases.example>');
    expect(parsed.inReplyTo).toBe('<orig-1@reporter.example>');
    expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(parsed.headers.get('x-security-intake')).toBe('K7QM-2XPD');
    expect(parsed.headers.get('x-security-intake-kind')).toBe('receipt');
    expect(parsed.subject).toBe(draft.subject);
    expect(parsed.text).toContain('Grüße, naïve café');
    expect(String(parsed.headers.get('content-type') && (parsed.headers.get('content-type') as { value: string }).value)).toBe('text/plain');
    expect(raw.toString('latin1')).toMatch(/charset=utf-8/i);
  });

  it('uses the relay display name on the security address, never another address', async () => {
    const raw = await composeDraft({ ...draft, fromDisplayName: 'Sam via bases security' }, envelope);
    const parsed = await simpleParser(raw);
    expect(parsed.from?.value).toEqual([{ name: 'Sam via bases security', address: 'security@bases.example' }]);
  });

  it('leaves Auto-Submitted out of human mail (a relayed reply)', async () => {
    const raw = await composeDraft({ ...draft, autoSubmitted: undefined }, envelope);
    expect(headerList(raw).map(([n]) => n)).not.toContain('auto-submitted');
  });

  it('cannot be made to write extra header lines through subject, display name, references or stamp', async () => {
    const hostile: Draft = {
      ...draft,
      subject: 'Hello\r\nBcc: victim@evil.example\r\n\r\nInjected body',
      fromDisplayName: 'Sam\r\nBcc: victim2@evil.example',
      inReplyTo: 'a@b\r\nBcc: victim3@evil.example',
      references: ['ok@reporter.example', 'x@y>\r\nBcc: victim4@evil.example', '<bad id@x>'],
      attachments: [{ filename: 'poc.txt\r\nBcc: victim5@evil.example', contentType: 'text/plain', content: Buffer.from('x') }],
    };
    const raw = await composeDraft(hostile, { ...envelope, stamp: 'K7QM\r\nBcc: victim6@evil.example' });
    const headers = headerList(raw);
    expect(headers.map(([n]) => n).sort()).toEqual(
      ['auto-submitted', 'content-type', 'date', 'from', 'message-id', 'mime-version', 'references', 'reply-to', 'subject', 'to', 'x-security-intake', 'x-security-intake-kind'].sort(),
    );
    expect(raw.toString('latin1')).not.toMatch(/^bcc:/im);
    // every line break in the header block is CRLF: no bare CR or LF that some MTA might read as one
    const block = raw.toString('latin1').split('\r\n\r\n')[0];
    expect(block).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
    const parsed = await simpleParser(raw);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.subject).toBe('Hello Bcc: victim@evil.example Injected body');
    expect(parsed.references).toBe('<ok@reporter.example>');
    expect(parsed.attachments[0].filename).not.toMatch(/[\r\n]/);
  });

  it('refuses a recipient or Message-ID that is not a plain address or ID', async () => {
    await expect(
      Promise.resolve().then(() => composeDraft({ ...draft, to: ['jane@reporter.example\r\nBcc: x@evil.example'] }, envelope)),
    ).rejects.toBeInstanceOf(InvalidHeaderValue);
    await expect(
      Promise.resolve().then(() => composeDraft({ ...draft, to: ['a@x.example, b@evil.example'] }, envelope)),
    ).rejects.toBeInstanceOf(InvalidHeaderValue);
    await expect(
      Promise.resolve().then(() => composeDraft(draft, { ...envelope, messageId: 'no spaces@x' })),
    ).rejects.toBeInstanceOf(InvalidHeaderValue);
  });

  it('passes attachments through with their type and bytes', async () => {
    const content = Buffer.from([0, 1, 2, 250, 251, 252]);
    const raw = await composeDraft(
      { ...draft, attachments: [{ filename: 'poc.bin', contentType: 'application/octet-stream', content }] },
      envelope,
    );
    const parsed = await simpleParser(raw);
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0].filename).toBe('poc.bin');
    expect(parsed.attachments[0].contentType).toBe('application/octet-stream');
    expect(Buffer.compare(parsed.attachments[0].content, content)).toBe(0);
  });
});
