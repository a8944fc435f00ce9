import type { Readable } from 'node:stream';

/**
 * Raw MIME is the source of truth, stored before anything parses it. On AWS, SES's S3 action has already
 * stored it (key `inbound/<sesMessageId>`); locally the SMTP server puts it first.
 */
export interface RawMailStore {
  put(key: string, body: Buffer | Readable): Promise<void>;
  /** A stream: large messages are never buffered whole. Throws RawMessageNotFound. */
  get(key: string): Promise<Readable>;
  size(key: string): Promise<number>;
  list(prefix: string): AsyncIterable<string>;
  /** Removes a message (retention: redaction). A key already gone is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Where a maintainer can open the stored message directly, when there is such a place: the file's path on the
   * local stack. None on AWS: a presigned S3 URL lasts no longer than the credentials that sign it (a Lambda's
   * session, hours), so a link "valid 7 days" would need a long-lived access key, which this system never holds.
   */
  locate?(key: string): Promise<string | undefined>;
}

export class RawMessageNotFound extends Error {
  override readonly name = 'RawMessageNotFound';
  constructor(readonly key: string) {
    super(`no raw message stored under ${key}`);
  }
}
