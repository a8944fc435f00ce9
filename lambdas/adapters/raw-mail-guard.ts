/**
 * The byte-level gate in front of mailparser: it enforces the limits mailparser does not know about (whole
 * message size, top-level header block size, NUL bytes in headers) and refuses input that is not mail at all,
 * while streaming: it never holds more than the header block (bounded by maxHeaderBytes).
 *
 * CR-only line endings (old Mac mail, some broken gateways) are converted to CRLF instead of refused: the raw
 * message is stored unchanged before parsing, so converting loses nothing, while refusing would turn a readable
 * report into a quarantined one. A bare CR *inside* an otherwise CRLF or LF message is left alone.
 *
 * It also lists why the header block is ambiguous (`ambiguities`): anything a DKIM/DMARC verifier, mailsplit and
 * a mail client could split differently (DESIGN section 3, "one view of the bytes"). Such a message may still be
 * a report, but never a maintainer's: authentication would have judged other header fields than the ones we read.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { UnparseableMessage } from '../core/parsed-message';

const CR = 0x0d;
const LF = 0x0a;
const NAME_BYTES = 100;
// RFC 5322 section 3.6.8: a field name is printable US-ASCII except colon. WSP before the colon is obsolete
// syntax (RFC 5322 section 4.5) that real mail still carries.
const HEADER_FIELD = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;
// An mbox separator ("From sender date") may precede the headers of a message exported from a mailbox.
const MBOX_FROM = /^From /;
/** A message (RFC 5322) or a MIME entity (RFC 2045) names at least one of these; a text file whose first line
 *  happens to hold a colon does not. Lenient on purpose: SES always adds Received, and a MIME entity without
 *  From still parses into something a maintainer can read; classification deals with the missing sender. */
const IDENTIFYING_FIELDS = ['from', 'sender', 'date', 'message-id', 'subject', 'to', 'received', 'mime-version', 'content-type'];
/** RFC 5322 section 3.6: at most one of each. */
export const SINGLE_INSTANCE_FIELDS = ['from', 'sender', 'reply-to', 'to', 'cc', 'subject', 'date', 'message-id', 'in-reply-to', 'references'];
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export interface GuardLimits {
  maxMessageBytes: number;
  maxHeaderBytes: number;
}

export class RawMailGuard extends Transform {
  /** Things tolerated on the way (for ParsedMessage.defects). */
  readonly defects: string[] = [];
  /** Why the header block could be read two ways (for ParsedMessage.headerAmbiguities); empty when it cannot. */
  readonly ambiguities: string[] = [];
  private readonly lineStyles = new Set<'crlf' | 'lf' | 'cr'>();
  private readonly fieldCounts = new Map<string, number>();
  private controlBytes = 0;
  private spacedNames = new Set<string>();
  private total = 0;
  private inHead = true;
  private headBytes = 0;
  private lineCount = 0;
  private lineLength = 0;
  private lineStart: number[] = [];
  private pendingCR = false;
  private lineStyle: 'crlf' | 'lf' | 'cr' | undefined;
  private readonly fieldNames = new Set<string>();
  private malformedLines = 0;
  /** Output held back until the first line ending tells whether the message is CR-only. */
  private held: Buffer[] = [];
  private lastOutputWasCR = false;

  constructor(private readonly limits: GuardLimits) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.total += chunk.length;
    if (this.total > this.limits.maxMessageBytes) {
      return done(new UnparseableMessage(`message is larger than the limit of ${this.limits.maxMessageBytes} bytes`));
    }
    if (this.total === chunk.length && chunk.subarray(0, 3).equals(UTF8_BOM)) {
      // some Windows tools write a byte order mark before the first header field; it is not part of the message
      chunk = chunk.subarray(3);
      this.defects.push('leading UTF-8 byte order mark ignored');
      this.ambiguities.push('a byte order mark before the first header field');
    }
    try {
      if (this.inHead) this.scanHead(chunk);
    } catch (err) {
      return done(err as Error);
    }
    this.emitChunk(chunk);
    done();
  }

  override _flush(done: TransformCallback): void {
    try {
      if (this.total === 0) throw new UnparseableMessage('empty message');
      if (this.inHead) {
        if (this.pendingCR) this.endLine('cr');
        else if (this.lineLength > 0) this.endLine(this.lineStyle ?? 'lf');
        if (this.inHead) this.endHead();
      }
    } catch (err) {
      return done(err as Error);
    }
    this.releaseHeld();
    done();
  }

  private scanHead(chunk: Buffer): void {
    for (let i = 0; i < chunk.length && this.inHead; i++) {
      const byte = chunk[i];
      if (++this.headBytes > this.limits.maxHeaderBytes) {
        throw new UnparseableMessage(`header block is larger than the limit of ${this.limits.maxHeaderBytes} bytes`);
      }
      if (byte === 0) throw new UnparseableMessage('NUL byte in the header block (RFC 5322 section 2.2 forbids it)');
      if ((byte < 0x20 && byte !== 0x09 && byte !== CR && byte !== LF) || byte === 0x7f) this.controlBytes++;
      if (this.pendingCR) {
        this.pendingCR = false;
        if (byte === LF) {
          this.endLine('crlf');
          continue;
        }
        this.endLine('cr');
        if (!this.inHead) return;
      }
      if (byte === CR) this.pendingCR = true;
      else if (byte === LF) this.endLine('lf');
      else {
        this.lineLength++;
        if (this.lineStart.length < NAME_BYTES) this.lineStart.push(byte);
      }
    }
  }

  private endLine(style: 'crlf' | 'lf' | 'cr'): void {
    this.lineStyles.add(style);
    if (this.lineStyle === undefined) {
      this.lineStyle = style;
      if (style === 'cr') this.defects.push('CR-only line endings, converted to CRLF');
    }
    const line = Buffer.from(this.lineStart).toString('latin1');
    const empty = this.lineLength === 0;
    this.lineLength = 0;
    this.lineStart = [];
    if (empty) {
      if (this.lineCount === 0) throw new UnparseableMessage('not an email message: it starts with a blank line, no header fields');
      this.endHead();
      return;
    }
    const first = this.lineCount++ === 0;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (first) throw new UnparseableMessage('not an email message: the first line is indented, not a header field');
      return; // folded continuation (RFC 5322 section 2.2.3)
    }
    const field = HEADER_FIELD.exec(line);
    if (field) {
      const name = field[0].slice(0, -1).trim().toLowerCase();
      this.fieldNames.add(name);
      this.fieldCounts.set(name, (this.fieldCounts.get(name) ?? 0) + 1);
      if (/[ \t]:$/.test(field[0])) this.spacedNames.add(name);
    } else if (first && MBOX_FROM.test(line)) {
      this.defects.push('mbox "From " line before the header fields');
      this.ambiguities.push('the first line is an mbox "From " line, not a header field');
    } else if (first) {
      throw new UnparseableMessage('not an email message: the first line is not a header field');
    } else {
      this.malformedLines++;
    }
  }

  private endHead(): void {
    this.inHead = false;
    if (!IDENTIFYING_FIELDS.some((name) => this.fieldNames.has(name))) {
      throw new UnparseableMessage(`not an email message: none of the header fields ${IDENTIFYING_FIELDS.join(', ')}`);
    }
    if (this.malformedLines > 0) this.defects.push(`${this.malformedLines} malformed header line(s)`);
    this.listAmbiguities();
    for (const name of ['from', 'date']) {
      if (!this.fieldNames.has(name)) this.defects.push(`no ${name === 'from' ? 'From' : 'Date'} header field (RFC 5322 section 3.6 requires it)`);
    }
  }

  private listAmbiguities(): void {
    const a = this.ambiguities;
    if (this.lineStyles.size > 1) {
      const names = { crlf: 'CRLF', lf: 'bare LF', cr: 'bare CR' };
      a.push(`mixed line endings in the header (${[...this.lineStyles].map((s) => names[s]).join(', ')})`);
    } else if (this.lineStyles.has('cr')) a.push('CR-only line endings in the header');
    if (this.malformedLines > 0) a.push(`${this.malformedLines} header line(s) that are neither a field nor a continuation`);
    if (this.controlBytes > 0) a.push(`${this.controlBytes} control character(s) other than tab in the header`);
    for (const name of this.spacedNames) a.push(`white space before the colon of a ${name} field name`);
    for (const name of SINGLE_INSTANCE_FIELDS) {
      const n = this.fieldCounts.get(name) ?? 0;
      if (n > 1) a.push(`${n} ${name} header fields (RFC 5322 section 3.6 allows one)`);
    }
  }

  private emitChunk(chunk: Buffer): void {
    if (this.lineStyle === undefined && this.inHead) {
      this.held.push(chunk);
      return;
    }
    this.releaseHeld();
    this.push(this.lineStyle === 'cr' ? this.crToCrlf(chunk) : chunk);
  }

  private releaseHeld(): void {
    if (this.held.length === 0) return;
    const held = this.held;
    this.held = [];
    for (const chunk of held) this.push(this.lineStyle === 'cr' ? this.crToCrlf(chunk) : chunk);
  }

  /** Every CR becomes CRLF; an LF right after a CR (already a CRLF) is dropped so it is not doubled. */
  private crToCrlf(chunk: Buffer): Buffer {
    const out: Buffer[] = [];
    let from = 0;
    if (this.lastOutputWasCR && chunk[0] === LF) from = 1;
    this.lastOutputWasCR = false;
    for (let cr = chunk.indexOf(CR, from); cr !== -1; cr = chunk.indexOf(CR, from)) {
      out.push(chunk.subarray(from, cr), Buffer.from([CR, LF]));
      from = chunk[cr + 1] === LF ? cr + 2 : cr + 1;
      if (cr === chunk.length - 1) this.lastOutputWasCR = true;
    }
    out.push(chunk.subarray(from));
    return Buffer.concat(out);
  }
}
