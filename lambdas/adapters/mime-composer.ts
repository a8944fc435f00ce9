/**
 * Turns a Draft into RFC 5322 bytes with nodemailer's MailComposer: every header value goes through the
 * library's encoder (RFC 2047 words, folding), never through string concatenation, so no value can start a
 * header line of its own. We still refuse what no header should carry: line breaks in IDs and addresses.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import MimeNode from 'nodemailer/lib/mime-node';
import type { Draft } from '../core/drafts';
import type { ComposeEnvelope, MailComposer as MailComposerPort } from '../ports/mail-composer';

export type { ComposeEnvelope } from '../ports/mail-composer';

/** Our header that marks mail as ours (DESIGN section 3: a message carrying it is a loop, never answered). */
export const STAMP_HEADER = 'X-Security-Intake';
/** What kind of mail this is (receipt, reminder:acknowledge...): lets maintainers filter, and `outbox list` show it. */
export const KIND_HEADER = 'X-Security-Intake-Kind';

/** An address or Message-ID that cannot be put into a header as is. */
export class InvalidHeaderValue extends Error {
  override readonly name = 'InvalidHeaderValue';
  constructor(readonly field: string, readonly value: string) {
    super(`${field} ${JSON.stringify(value.slice(0, 200))} cannot be used in a mail header: fix the record or config`);
  }
}

/** A bare addr-spec (RFC 5321 mailbox) without quotes, comments, spaces or separators. */
const PLAIN_ADDRESS = /^[^\s<>()[\],;:"\\@]+@[^\s<>()[\],;:"\\@]+$/;
/** msg-id content (RFC 5322 3.6.4) as we accept it: printable ASCII, no spaces or brackets, one @. */
const MESSAGE_ID = /^[!-;=?-~]+@[!-;=?-~]+$/;

function address(field: string, value: string): string {
  const trimmed = value.trim();
  if (!PLAIN_ADDRESS.test(trimmed)) throw new InvalidHeaderValue(field, value);
  return trimmed;
}

function bareMessageId(value: string): string | undefined {
  const bare = value.trim().replace(/^<(.*)>$/, '$1');
  return MESSAGE_ID.test(bare) ? bare : undefined;
}

/** Display names and stamps are one line of printable text (controls removed, whitespace collapsed). */
function headerText(value: string): string {
  return value
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function composeDraft(draft: Draft, envelope: ComposeEnvelope): Promise<Buffer> {
  const messageId = bareMessageId(envelope.messageId);
  if (!messageId) throw new InvalidHeaderValue('Message-ID', envelope.messageId);
  const inReplyTo = draft.inReplyTo ? bareMessageId(draft.inReplyTo) : undefined;
  // A reference we cannot write safely is dropped: threading is a convenience, the subject tag still works.
  const references = (draft.references ?? []).map(bareMessageId).filter((id): id is string => id !== undefined);
  const name = headerText(draft.fromDisplayName ?? envelope.fromName ?? '');
  const headers: Record<string, string> = {
    [STAMP_HEADER]: headerText(envelope.stamp),
    [KIND_HEADER]: headerText(draft.kind),
  };
  if (draft.autoSubmitted) headers['Auto-Submitted'] = draft.autoSubmitted;
  // Autocrypt keydata is folded at whitespace, which its base64 ignores (Autocrypt Level 1, section 2.1)
  if (envelope.autocrypt) headers['Autocrypt'] = headerText(envelope.autocrypt).replace(/keydata=(\S+)/, (_m, data: string) => `keydata=${data.replace(/(.{72})(?=.)/g, '$1 ')}`);
  const options = {
    from: { name, address: address('From', envelope.from) },
    to: draft.to.map((a) => address('To', a)),
    ...(draft.cc?.length ? { cc: draft.cc.map((a) => address('Cc', a)) } : {}),
    replyTo: address('Reply-To', envelope.replyTo),
    subject: headerText(draft.subject),
    messageId: `<${messageId}>`,
    date: envelope.date,
    ...(inReplyTo ? { inReplyTo: `<${inReplyTo}>` } : {}),
    ...(references.length ? { references: references.map((id) => `<${id}>`) } : {}),
    headers,
    text: { content: draft.text, contentType: 'text/plain; charset=utf-8' },
    attachments: (draft.attachments ?? []).map((a) => ({
      content: a.content,
      contentType: a.contentType,
      // no filename: nodemailer would otherwise invent one from the content type
      filename: a.filename ? headerText(a.filename) : false,
    })),
    // the bytes are ours alone: never let a value be read as a path or URL to fetch
    disableFileAccess: true,
    disableUrlAccess: true,
    newline: 'win',
  } satisfies ConstructorParameters<typeof MailComposer>[0];
  if (!envelope.encrypt) return build(new MailComposer(options).compile());
  return composeEncrypted(options, envelope.encrypt);
}

function build(node: MimeNode): Promise<Buffer> {
  return new Promise((resolve, reject) => node.build((err, message) => (err ? reject(err) : resolve(message))));
}

/**
 * PGP/MIME (RFC 3156 section 4): the draft, composed as usual, is the inner entity; its header fields (the real
 * Subject, From, To, Date...) go inside with it, marked `protected-headers="v1"` (RFC 9788). The outer message
 * carries what transport and threading need, and a Subject that is only the tag with the report ID.
 */
async function composeEncrypted(options: NonNullable<ConstructorParameters<typeof MailComposer>[0]>, encrypt: NonNullable<ComposeEnvelope['encrypt']>): Promise<Buffer> {
  const inner = new MailComposer(options).compile();
  const type = String(inner.getHeader('Content-Type') ?? 'text/plain; charset=utf-8');
  inner.setHeader('Content-Type', `${type}; protected-headers="v1"`);
  const armored = await encrypt.seal(await build(inner));
  const outer = new MimeNode('multipart/encrypted; protocol="application/pgp-encrypted"', {
    newline: 'win',
    disableFileAccess: true,
    disableUrlAccess: true,
  } as ConstructorParameters<typeof MimeNode>[1]);
  const fields: Record<string, unknown> = {
    From: options.from,
    To: options.to,
    ...(options.cc ? { Cc: options.cc } : {}),
    'Reply-To': options.replyTo,
    Subject: headerText(encrypt.outerSubject),
    'Message-ID': options.messageId,
    Date: options.date,
    ...(options.inReplyTo ? { 'In-Reply-To': options.inReplyTo } : {}),
    ...(options.references ? { References: ([] as string[]).concat(options.references).join(' ') } : {}),
    ...(options.headers as Record<string, string>),
  };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) outer.setHeader(key, value as never);
  outer
    .createChild('application/pgp-encrypted')
    .setHeader('Content-Description', 'PGP/MIME version identification')
    .setContent('Version: 1\r\n');
  outer
    .createChild('application/octet-stream; name="encrypted.asc"')
    .setHeader('Content-Description', 'OpenPGP encrypted message')
    .setHeader('Content-Disposition', 'inline; filename="encrypted.asc"')
    .setHeader('Content-Transfer-Encoding', '7bit')
    .setContent(armored);
  return build(outer);
}

/** The MailComposer port, backed by nodemailer's MailComposer. */
export const mimeComposer: MailComposerPort = { compose: composeDraft };
