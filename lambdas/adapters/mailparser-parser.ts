/**
 * MailParser port on mailparser 3.9.31's streaming parser (not simpleParser on a Buffer): a 40 MB message is
 * never held whole, attachments stream through sha256 (mailparser's own hash of each) and their bytes are dropped unless asked for.
 *
 * Limits, all ending in UnparseableMessage with the reason:
 * - whole size, top-level header block size, NUL in headers, "not mail": RawMailGuard, before mailparser;
 * - every part's header size (mailsplit maxHeadSize) and part count (mailsplit maxChildNodes, and our count);
 * - MIME depth and the list of part types: mailparser builds its part tree in its `createNode(mailsplitNode)`
 *   method, once per part, as the stream goes by; it emits 'headers' only for the top level. We wrap that one
 *   method on the instance (pinned version, covered by tests): it is the only streaming point that sees every
 *   part, so no second scan of the raw is needed.
 * Errors from the source stream itself (an S3 read cut short) are passed through unchanged: they are
 * transient, and the caller retries rather than quarantining the message.
 */
import { Readable } from 'node:stream';
import { MailParser as StreamingMailParser } from 'mailparser';
import type { Address } from '../core/report';
import { UnparseableMessage, type ParsedAttachment, type ParsedMessage } from '../core/parsed-message';
import type { MailParser, ParseOptions } from '../ports/mail-parser';
import { RawMailGuard, SINGLE_INSTANCE_FIELDS } from './raw-mail-guard';

/** The part of a mailsplit MIME node we read (mailparser passes it to createNode). */
interface SplitNode {
  contentType?: string | false;
  parentNode?: SplitNode;
  root?: boolean;
}
/** The part of a node mailparser builds (createNode's result) that we read once parsing ended. */
interface ParserNode {
  contentType?: string;
  isAttachment?: boolean;
  textContent?: string;
}
interface ParserInternals {
  createNode(node: SplitNode): unknown;
  /** Decodes header lines into mailparser's values (addresses, encoded words). */
  processHeaders(lines: { key: string; line: string }[]): Map<string, unknown>;
}
interface AddressObject {
  value: { address?: string; name?: string; group?: AddressObject['value'] }[];
}
interface AttachmentEvent {
  type: 'attachment';
  content: Readable;
  /** Set by mailparser (its StreamHash, `checksumAlgo`) when `content` has been read to its end. */
  checksum?: string;
  contentType: string;
  filename?: string;
  contentDisposition?: string;
  release: () => void;
}
interface TextEvent {
  type: 'text';
  text?: string;
  html?: string | false;
}

const PGP_TYPES = new Set(['application/pgp-encrypted', 'application/pgp-signature', 'application/pgp-keys', 'multipart/encrypted']);
const SMIME_TYPES = new Set(['application/pkcs7-mime', 'application/pkcs7-signature', 'application/x-pkcs7-mime', 'application/x-pkcs7-signature']);
const TNEF_TYPES = new Set(['application/ms-tnef', 'application/vnd.ms-tnef']);
/** HTML larger than this is kept but not converted to text (html-to-text is slow on huge input). */
const MAX_HTML_TO_TEXT = 2 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 60_000;

export function attachmentFlag(contentType: unknown, filename?: unknown): ParsedAttachment['flag'] {
  // hostile MIME gives any type here (`Content-Type: ; name=...` yields no string at all)
  const type = typeof contentType === 'string' ? contentType.toLowerCase() : '';
  if (typeof filename !== 'string') filename = undefined;
  if (PGP_TYPES.has(type)) return 'pgp';
  if (SMIME_TYPES.has(type) || type.startsWith('application/x-pkcs7-')) return 'smime';
  const name = filename as string | undefined;
  if (TNEF_TYPES.has(type) || name?.toLowerCase() === 'winmail.dat') return 'tnef';
  if (name && /\.(p7m|p7s|p7c)$/i.test(name)) return 'smime';
  return undefined;
}

export class MailparserParser implements MailParser {
  /** `timeoutMs` bounds one parse: a guard against a parser bug turning hostile input into a hang. */
  constructor(private readonly opts: { timeoutMs?: number } = {}) {}

  parse(raw: Readable | Buffer, options: ParseOptions): Promise<ParsedMessage> {
    return new Promise<ParsedMessage>((resolve, reject) => {
      const { limits } = options;
      const source = Buffer.isBuffer(raw) ? Readable.from([raw]) : raw;
      const guard = new RawMailGuard(limits);
      const parser = new StreamingMailParser({
        maxHeadSize: limits.maxHeaderBytes,
        maxChildNodes: limits.maxParts + 1,
        skipTextToHtml: true,
        skipTextLinks: true,
        skipImageLinks: true,
        maxHtmlLengthToParse: MAX_HTML_TO_TEXT,
        // mailparser hashes every attachment as it streams by (md5 unless told): sha256 is the one we record
        checksumAlgo: 'sha256',
      } as ConstructorParameters<typeof StreamingMailParser>[0]);

      const keepAll = options.keepAttachmentContent === true;
      const within = keepAll ? undefined : options.keepSmallestAttachmentsWithin;
      // keepSmallestAttachmentsWithin: the attachments holding content, and their bytes in all
      const held: ParsedAttachment[] = [];
      let heldBytes = 0;
      const keepSmallest = (attachment: ParsedAttachment) => {
        held.push(attachment);
        heldBytes += attachment.size;
        while (heldBytes > within!) {
          // the largest goes (of equal sizes, the later in the message: a stable sort puts it after)
          let drop = 0;
          for (let i = 1; i < held.length; i++) if (held[i]!.size >= held[drop]!.size) drop = i;
          const [dropped] = held.splice(drop, 1);
          heldBytes -= dropped!.size;
          delete dropped!.content;
        }
      };
      const defects: string[] = [];
      const partTypes: string[] = [];
      const attachments: ParsedAttachment[] = [];
      let headerLines: { key: string; line: string }[] = [];
      let headerMap = new Map<string, unknown>();
      let text = '';
      let html: string | undefined;
      let settled = false;

      const timer = setTimeout(
        () => fail(new UnparseableMessage(`parsing did not finish within ${this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)),
        this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      );
      timer.unref();

      // Every exit path releases the source: an S3 body left half-read holds a socket of the SDK's pool until
      // the Lambda times out, a file stream holds a descriptor until garbage collection.
      const stop = () => {
        clearTimeout(timer);
        source.unpipe(guard);
        guard.unpipe(parser);
        for (const stream of [guard, parser, source]) stream.on('error', () => undefined).destroy();
      };
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        stop();
        reject(err);
      };
      const failParse = (err: unknown) => fail(asUnparseable(err));

      const internals = parser as unknown as ParserInternals;
      const createNode = internals.createNode.bind(parser);
      // the message's own parts, in order, outside any attached message/rfc822 (where commands never come from)
      const ownParts: ParserNode[] = [];
      internals.createNode = (node: SplitNode) => {
        try {
          return trackNode(node);
        } catch (err) {
          // a throw here would escape inside mailsplit's stream: make it this parse's rejection instead
          failParse(err);
          return createNode(node);
        }
      };
      const trackNode = (node: SplitNode) => {
        let depth = 0;
        let embedded = false;
        for (let p = node.parentNode; p; p = p.parentNode) {
          depth++;
          if (p.contentType === 'message/rfc822') embedded = true;
        }
        partTypes.push(partType(node));
        if (depth > limits.maxMimeDepth) failParse(new UnparseableMessage(`MIME parts nested deeper than the limit of ${limits.maxMimeDepth}`));
        else if (partTypes.length > limits.maxParts) failParse(new UnparseableMessage(`more than the limit of ${limits.maxParts} MIME parts`));
        const created = createNode(node) as ParserNode;
        if (!embedded && created && typeof created === 'object') ownParts.push(created);
        return created;
      };

      parser.on('headerLines', (lines: { key: string; line: string }[]) => (headerLines = lines));
      parser.on('headers', (map: Map<string, unknown>) => (headerMap = map));
      parser.on('data', (data: AttachmentEvent | TextEvent) => {
        try {
          onData(data);
        } catch (err) {
          // an exception inside a stream event would crash the process: it is this message's parse failure
          failParse(err);
        }
      });
      const onData = (data: AttachmentEvent | TextEvent) => {
        if (data.type === 'text') {
          text = data.text ?? '';
          html = typeof data.html === 'string' ? data.html : undefined;
          return;
        }
        let chunks: Buffer[] = [];
        let size = 0;
        let keeping = keepAll || within !== undefined;
        data.content.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (!keeping) return;
          if (!keepAll && size > within!) {
            // too big to fit at all: its bytes are not held
            keeping = false;
            chunks = [];
            return;
          }
          chunks.push(chunk);
        });
        data.content.on('error', failParse);
        data.content.on('end', () => {
          try {
            onAttachmentEnd();
          } catch (err) {
            failParse(err);
          }
        });
        const onAttachmentEnd = () => {
          const flag = attachmentFlag(data.contentType, data.filename);
          const attachment: ParsedAttachment = {
            ...(typeof data.filename === 'string' ? { filename: data.filename } : {}),
            contentType: typeof data.contentType === 'string' && data.contentType ? data.contentType : 'application/octet-stream',
            size,
            sha256: checksumOf(data),
            ...(flag ? { flag } : {}),
            ...(typeof data.contentDisposition === 'string' && data.contentDisposition ? { contentDisposition: data.contentDisposition } : {}),
            ...(keeping ? { content: Buffer.concat(chunks, size) } : {}),
          };
          chunks = [];
          attachments.push(attachment);
          if (keeping && !keepAll) keepSmallest(attachment);
          data.release();
        };
      };
      parser.on('error', (err: Error) => {
        // mailparser reports an HTML body it would not convert, then carries on with the rest
        if (/HTML too long|Failed to parse HTML/.test(err.message)) defects.push(`HTML body not converted to text: ${err.message}`);
        else failParse(err);
      });
      parser.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        source.on('error', () => undefined).destroy();
        try {
          // mailparser keeps the LAST of a repeated From/Subject/Reply-To; we read the first (what the
          // envelope checks and most readers see) and note the repetition as a defect
          const firstValue = (key: string) => {
            const line = headerLines.find((h) => h.key === key);
            return line ? internals.processHeaders([line]).get(key) : undefined;
          };
          const bodyText = firstBodyText(ownParts);
          resolve(buildMessage({ headerLines, headerMap, firstValue, partTypes, text: text || bodyText, bodyText, html, attachments, defects: [...guard.defects, ...defects], ambiguities: guard.ambiguities }));
        } catch (err) {
          reject(asUnparseable(err));
        }
      });
      source.on('error', fail);
      guard.on('error', failParse);
      source.pipe(guard).pipe(parser);
    });
  }
}

/** The attachment's sha256 (hex) as mailparser computed it over the decoded bytes, read to their end. */
function checksumOf(data: AttachmentEvent): string {
  if (typeof data.checksum !== 'string' || !/^[0-9a-f]{64}$/.test(data.checksum)) {
    // a mailparser that stops hashing (a new version) must not go unnoticed: the tests pin it
    throw new Error('mailparser gave no sha256 checksum for an attachment');
  }
  return data.checksum;
}

function asUnparseable(err: unknown): UnparseableMessage {
  if (err instanceof UnparseableMessage) return err;
  const message = err instanceof Error ? err.message : String(err);
  if ((err as { code?: string })?.code === 'EMAXLEN') return new UnparseableMessage(`limit exceeded: ${message}`);
  return new UnparseableMessage(`mailparser could not parse it: ${message}`);
}

/**
 * What the reader saw first: the first inline text/plain part of the message itself, or, for HTML-only mail,
 * the visible text of its first inline text/html part. Never a later inline part, an attachment or an attached
 * message (mailparser's `text` joins every inline part, so a second part could smuggle lines in).
 */
function firstBodyText(parts: ParserNode[]): string {
  const inline = (type: string) =>
    parts.find((p) => p.contentType === type && !p.isAttachment && typeof p.textContent === 'string');
  const plain = inline('text/plain');
  if (plain) return plain.textContent as string;
  const html = inline('text/html');
  if (!html) return '';
  try {
    if (html.textContent!.length > MAX_HTML_TO_TEXT) return '';
    // loaded on first use: only HTML-only mail needs the HTML stack (a file of its own in the Lambda bundle)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { visibleText } = require('./visible-text') as typeof import('./visible-text');
    return visibleText(html.textContent!);
  } catch {
    return '';
  }
}

/** RFC 2045 section 5.2: no Content-Type means text/plain; RFC 2046 section 5.1.5: in a digest, message/rfc822. */
function partType(node: SplitNode): string {
  if (node.contentType) return node.contentType;
  return node.parentNode?.contentType === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
}

function buildMessage(parts: {
  headerLines: { key: string; line: string }[];
  headerMap: Map<string, unknown>;
  firstValue: (key: string) => unknown;
  partTypes: string[];
  text: string;
  bodyText: string;
  html: string | undefined;
  attachments: ParsedAttachment[];
  defects: string[];
  ambiguities: string[];
}): ParsedMessage {
  const headers: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const { key, line } of parts.headerLines) {
    if (!key) continue;
    (headers[key] ??= []).push(unfoldedValue(line));
  }
  const first = (name: string) => headers[name]?.[0];
  const contentTypeHeader = first1<{ value?: string; params?: Record<string, string> }>(parts.headerMap.get('content-type'));
  const subject = first1<string>(parts.firstValue('subject'));
  const date = first('date') !== undefined ? new Date(first('date') as string) : undefined;
  const defects = [...parts.defects];
  if (date && Number.isNaN(date.getTime())) defects.push(`unparseable Date header field: ${first('date')?.slice(0, 80)}`);
  for (const name of SINGLE_INSTANCE_FIELDS) {
    if ((headers[name]?.length ?? 0) > 1) defects.push(`repeated ${name} header field (RFC 5322 section 3.6 allows one); the first is used`);
  }
  if (!headers['mime-version'] && parts.partTypes.length > 1) defects.push('no MIME-Version header field on a MIME message');
  const references = messageIds(headers['references']?.join(' ') ?? '');
  const message: ParsedMessage = {
    references,
    subject: typeof subject === 'string' ? subject : '',
    to: addresses(parts.headerMap.get('to')),
    cc: addresses(parts.headerMap.get('cc')),
    replyTo: addresses(parts.firstValue('reply-to')),
    headers: { ...headers },
    // the type mailsplit built the part tree from, so it always agrees with partTypes[0]
    contentType: parts.partTypes[0] ?? 'text/plain',
    contentTypeParams: { ...(contentTypeHeader?.params ?? {}) },
    partTypes: parts.partTypes,
    text: parts.text,
    bodyText: parts.bodyText,
    attachments: parts.attachments,
    defects,
    headerAmbiguities: [...parts.ambiguities],
  };
  const messageId = messageIds(first('message-id') ?? '')[0];
  const inReplyTo = messageIds(first('in-reply-to') ?? '')[0];
  const from = addresses(parts.firstValue('from'))[0];
  if (messageId) message.messageId = messageId;
  if (inReplyTo) message.inReplyTo = inReplyTo;
  if (from) message.from = from;
  if (date && !Number.isNaN(date.getTime())) message.date = date.toISOString();
  if (parts.html !== undefined) message.html = parts.html;
  return message;
}

/** A raw header line (mailsplit gives it as a latin1 string) to its unfolded value, UTF-8 when it is valid UTF-8. */
function unfoldedValue(line: string): string {
  const utf8 = Buffer.from(line, 'latin1').toString('utf8');
  const decoded = utf8.includes('\uFFFD') ? line : utf8;
  const colon = decoded.indexOf(':');
  return decoded
    .slice(colon + 1)
    .replace(/\r?\n(?=[ \t])/g, '')
    .trim();
}

/** `<id@host>` tokens without brackets (RFC 5322 section 3.6.4); a bare token when there are no brackets. */
function messageIds(value: string): string[] {
  const bracketed = [...value.matchAll(/<([^<>\s]{1,998})>/g)].map((m) => m[1]);
  if (bracketed.length > 0) return bracketed;
  const bare = value.trim();
  return bare && !/\s/.test(bare) && bare.length <= 998 ? [bare] : [];
}

function first1<T>(value: unknown): T | undefined {
  return (Array.isArray(value) ? value[0] : value) as T | undefined;
}

function addresses(value: unknown): Address[] {
  const out: Address[] = [];
  const visit = (list: AddressObject['value']) => {
    for (const entry of list) {
      if (entry.group) visit(entry.group);
      else if (entry.address) out.push(entry.name ? { address: entry.address, name: entry.name } : { address: entry.address });
    }
  };
  for (const object of ([] as AddressObject[]).concat((value as AddressObject | AddressObject[] | undefined) ?? [])) {
    if (object && Array.isArray(object.value)) visit(object.value);
  }
  return out;
}
