/**
 * Raw-mail store on S3. On AWS, SES's S3 action writes `inbound/<sesMessageId>` itself (encrypted with the
 * bucket's KMS key); this adapter reads it as a stream, and writes only for `replay`/`import` and outbound copies.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { RawMessageNotFound, type RawMailStore } from '../../ports/raw-mail-store';

/** SES's S3 action takes messages up to 40 MB; a little headroom, and far below PutObject's 5 GiB. */
const DEFAULT_MAX_STREAM_BYTES = 48 * 1024 * 1024;

export class RawMessageTooLarge extends Error {
  override readonly name = 'RawMessageTooLarge';
  constructor(readonly key: string, readonly limit: number) {
    super(`raw message for ${key} is larger than ${limit} bytes; raise maxStreamBytes if this is intended`);
  }
}

const isMissing = (err: unknown) =>
  err instanceof NoSuchKey ||
  err instanceof NotFound ||
  ['NoSuchKey', 'NotFound'].includes((err as { name?: string })?.name ?? '') ||
  (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404;

export class S3RawStore implements RawMailStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly maxStreamBytes: number;

  constructor(opts: { client: S3Client; bucket: string; maxStreamBytes?: number }) {
    this.client = opts.client;
    this.bucket = opts.bucket;
    this.maxStreamBytes = opts.maxStreamBytes ?? DEFAULT_MAX_STREAM_BYTES;
  }

  async put(key: string, body: Buffer | Readable): Promise<void> {
    // PutObject needs the length up front. A Buffer has it. For a stream of unknown length the streaming
    // answer is a multipart upload (@aws-sdk/lib-storage), which is not a dependency of this project: raw
    // messages are at most 40 MB (SES limit) and this path is only used by replay/import, so the stream is
    // collected into one Buffer, bounded by maxStreamBytes.
    const bytes = Buffer.isBuffer(body) ? body : await this.collect(key, body);
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentLength: bytes.length, ContentType: 'message/rfc822' }),
    );
  }

  /** The object's body as it arrives from S3: never buffered whole. */
  async get(key: string): Promise<Readable> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) throw new RawMessageNotFound(key);
      // In Node the SDK's body is an http.IncomingMessage, a Readable
      return out.Body as Readable;
    } catch (err) {
      if (isMissing(err)) throw new RawMessageNotFound(key);
      throw err;
    }
  }

  async size(key: string): Promise<number> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return out.ContentLength ?? 0;
    } catch (err) {
      if (isMissing(err)) throw new RawMessageNotFound(key);
      throw err;
    }
  }

  /** On the versioned bucket this leaves a delete marker; the lifecycle removes the old version 30 days later. */
  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async *list(prefix: string): AsyncIterable<string> {
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of out.Contents ?? []) if (object.Key) yield object.Key;
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  private async collect(key: string, stream: Readable): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of stream) {
      const piece = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      length += piece.length;
      if (length > this.maxStreamBytes) {
        stream.destroy();
        throw new RawMessageTooLarge(key, this.maxStreamBytes);
      }
      chunks.push(piece);
    }
    return Buffer.concat(chunks, length);
  }
}
