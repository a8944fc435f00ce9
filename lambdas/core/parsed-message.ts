/**
 * What the core needs to know of a parsed message. The mail-parser port produces it; mailparser's own types
 * never reach the core.
 */
import type { Address, AttachmentMeta } from './report';

export interface ParsedAttachment extends AttachmentMeta {
  contentDisposition?: string;
  /** Only when the parse asked for content (relaying a maintainer's attachments). */
  content?: Buffer;
}

export interface ParsedMessage {
  /** Message-ID without angle brackets, lower-cased domain part kept as sent. */
  messageId?: string;
  inReplyTo?: string;
  references: string[];
  subject: string;
  from?: Address;
  to: Address[];
  cc: Address[];
  replyTo: Address[];
  date?: string;
  /** Header fields, names lower-cased, each value unfolded; repeated fields keep every value in order. */
  headers: Record<string, string[]>;
  /** Top-level Content-Type, lower-cased, without parameters (`multipart/report`). */
  contentType: string;
  /** Top-level Content-Type parameters (e.g. `report-type`). */
  contentTypeParams: Record<string, string>;
  /** Content types of every MIME part, in order (`message/delivery-status` marks a DSN). */
  partTypes: string[];
  text: string;
  /** What the reader saw first: the first inline text/plain part, or the visible text of an HTML-only body.
   *  Maintainers' command lines and relayed text come from here only. */
  bodyText: string;
  /** Present only when the message had an HTML part; never rendered unsanitized. */
  html?: string;
  attachments: ParsedAttachment[];
  /** Things the parser noticed but tolerated (missing MIME-Version, bad charset...). */
  defects: string[];
  /** Why the header block could be split two ways (bare CR/LF mixes, `From ` lines, a field twice...); such a
   *  message is never a maintainer's. Empty for a clean header. */
  headerAmbiguities: string[];
  /** Set when the message came encrypted (issue 17, app/pgp-intake.ts): then `text`, `bodyText`, `html` and
   *  `attachments` are the decrypted content (or, when it could not be decrypted, the envelope's as received). */
  encryption?: MessageEncryption;
  /** A public key of the sender's: attached, or in an Autocrypt header for the From address. Public only. */
  senderKey?: SenderKey;
}

export interface MessageEncryption {
  kind: 'pgp-mime' | 'inline-pgp' | 'smime';
  decrypted: boolean;
  /** Why it was not decrypted (another key, a broken packet, S/MIME, no project key). */
  reason?: string;
  /** The OpenPGP signature inside, when decrypted. */
  signature?: 'valid' | 'unknown-key' | 'bad' | 'unsigned';
}

export interface SenderKey {
  armored: string;
  fingerprint: string;
  source: 'attached' | 'autocrypt';
}

/** A message that could not be parsed, or broke a limit: it becomes a quarantined record with this reason. */
export class UnparseableMessage extends Error {
  override readonly name = 'UnparseableMessage';
  constructor(readonly reason: string) {
    super(reason);
  }
}
