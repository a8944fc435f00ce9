/**
 * S3RawStore against the real S3Client and a minimal S3 stand-in on 127.0.0.1 (path-style GET, PUT, HEAD and
 * ListObjectsV2), because neither s3rver nor aws-sdk-client-mock is installed in this project.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { RawMessageTooLarge, S3RawStore } from '../../lambdas/adapters/aws/s3-raw-store';
import { RawMessageNotFound } from '../../lambdas/ports/raw-mail-store';

const BUCKET = 'raw-mail';

/** Decodes an `aws-chunked` body (the SDK uses it for streamed uploads with trailing checksums). */
function decodeAwsChunked(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    const size = parseInt(body.subarray(at, lineEnd).toString().split(';')[0], 16);
    if (!size) return Buffer.concat(out);
    out.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

function startS3StandIn(): Promise<{ server: Server; endpoint: string; objects: Map<string, Buffer>; requests: string[] }> {
  const objects = new Map<string, Buffer>();
  const requests: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://local');
      const [, bucket, ...rest] = url.pathname.split('/');
      const key = decodeURIComponent(rest.join('/'));
      requests.push(`${req.method} ${key}`);
      if (bucket !== BUCKET) return void res.writeHead(404).end('<Error><Code>NoSuchBucket</Code></Error>');
      if (req.method === 'PUT') {
        let body: Buffer = Buffer.concat(chunks);
        if (String(req.headers['content-encoding'] ?? '').includes('aws-chunked')) body = decodeAwsChunked(body);
        objects.set(key, body);
        return void res.writeHead(200, { ETag: '"etag"' }).end();
      }
      if (req.method === 'GET' && key === '' && url.searchParams.get('list-type') === '2') {
        const prefix = url.searchParams.get('prefix') ?? '';
        const after = url.searchParams.get('continuation-token') ?? '';
        const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
        const page = keys.slice(0, 2); // tiny pages, so pagination is exercised
        const truncated = keys.length > page.length;
        const xml =
          `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${BUCKET}</Name><Prefix>${prefix}</Prefix>` +
          `<KeyCount>${page.length}</KeyCount><IsTruncated>${truncated}</IsTruncated>` +
          (truncated ? `<NextContinuationToken>${page[page.length - 1]}</NextContinuationToken>` : '') +
          page.map((k) => `<Contents><Key>${k}</Key><Size>${objects.get(k)?.length}</Size></Contents>`).join('') +
          '</ListBucketResult>';
        return void res.writeHead(200, { 'Content-Type': 'application/xml' }).end(xml);
      }
      const object = objects.get(key);
      if (!object) {
        if (req.method === 'HEAD') return void res.writeHead(404).end();
        return void res.writeHead(404, { 'Content-Type': 'application/xml' }).end(`<Error><Code>NoSuchKey</Code><Message>no such key</Message><Key>${key}</Key></Error>`);
      }
      res.writeHead(200, { 'Content-Length': object.length, 'Content-Type': 'message/rfc822', ETag: '"etag"' });
      if (req.method === 'HEAD') return void res.end();
      // send in pieces, as a real S3 response arrives
      const piece = 256 * 1024;
      for (let i = 0; i < object.length; i += piece) res.write(object.subarray(i, i + piece));
      res.end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, endpoint: `http://127.0.0.1:${port}`, objects, requests });
    }),
  );
}

describe('S3RawStore (real S3Client, local stand-in)', () => {
  let standIn: Awaited<ReturnType<typeof startS3StandIn>>;
  let client: S3Client;
  let store: S3RawStore;

  beforeAll(async () => {
    standIn = await startS3StandIn();
    client = new S3Client({
      endpoint: standIn.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    store = new S3RawStore({ client, bucket: BUCKET, maxStreamBytes: 1024 * 1024 });
  });
  afterAll(async () => {
    client.destroy();
    standIn.server.closeAllConnections();
    await new Promise((resolve) => standIn.server.close(resolve));
  });

  it('puts a Buffer and a stream, and reads them back with their size', async () => {
    await store.put('inbound/a', Buffer.from('Subject: a\r\n\r\nbody'));
    await store.put('inbound/b', Readable.from([Buffer.from('Subject: b\r\n'), Buffer.from('\r\nstreamed')]));
    expect(standIn.objects.get('inbound/a')?.toString()).toBe('Subject: a\r\n\r\nbody');
    expect(standIn.objects.get('inbound/b')?.toString()).toBe('Subject: b\r\n\r\nstreamed');
    expect(await store.size('inbound/b')).toBe(22);
  });

  it('returns the body of a 5 MB object as a stream that arrives in pieces', async () => {
    const content = randomBytes(5 * 1024 * 1024);
    standIn.objects.set('inbound/big', content);
    const stream = await store.get('inbound/big');
    const hash = createHash('sha256');
    let pieces = 0;
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      pieces++;
    }
    expect(pieces).toBeGreaterThan(1);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(content).digest('hex'));
  });

  it('throws RawMessageNotFound for a missing key on get and size', async () => {
    await expect(store.get('inbound/missing')).rejects.toBeInstanceOf(RawMessageNotFound);
    await expect(store.size('inbound/missing')).rejects.toBeInstanceOf(RawMessageNotFound);
  });

  it('refuses a stream larger than maxStreamBytes instead of buffering without bound', async () => {
    const big = Readable.from(Array.from({ length: 20 }, () => Buffer.alloc(64 * 1024, 0x61)));
    await expect(store.put('inbound/huge', big)).rejects.toBeInstanceOf(RawMessageTooLarge);
    expect(standIn.objects.has('inbound/huge')).toBe(false);
  });

  it('lists keys under a prefix across pages', async () => {
    for (const key of ['list/1', 'list/2', 'list/3', 'list/4', 'list/5', 'other/1']) standIn.objects.set(key, Buffer.from(key));
    const keys: string[] = [];
    for await (const key of store.list('list/')) keys.push(key);
    expect(keys).toEqual(['list/1', 'list/2', 'list/3', 'list/4', 'list/5']);
  });
});
