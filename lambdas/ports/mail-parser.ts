import type { Readable } from 'node:stream';
import type { ParsedMessage } from '../core/parsed-message';
import type { Limits } from '../core/config';

export interface ParseOptions {
  limits: Pick<Limits, 'maxMessageBytes' | 'maxHeaderBytes' | 'maxMimeDepth' | 'maxParts'>;
  /** Keep attachment bytes (to relay them); otherwise only their metadata and sha256 are kept. */
  keepAttachmentContent?: boolean;
  /**
   * Keep the bytes of the smallest attachments that fit together within this many bytes (smallest first, ties
   * in message order: the files a mail carrying as many as fit would take); the others get metadata and sha256
   * only. Memory stays bounded by about twice this, whatever the message holds. Ignored with
   * `keepAttachmentContent`.
   */
  keepSmallestAttachmentsWithin?: number;
}

/** Parses hostile input. Throws UnparseableMessage (with a reason) for anything it will not accept. */
export interface MailParser {
  parse(raw: Readable | Buffer, options: ParseOptions): Promise<ParsedMessage>;
}
