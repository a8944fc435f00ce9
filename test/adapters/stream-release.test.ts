/**
 * Streams are released on every exit path of a parse (issue: a refused message left its S3 body half-read, and
 * after the SDK pool's sockets were all held, the next intake hung until the Lambda timeout; locally, file
 * descriptors piled up until garbage collection).
 */
import { Agent } from 'node:http';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { S3RawStore } from '../../lambdas/adapters/aws/s3-raw-store';
import { FsRawStore } from '../../lambdas/adapters/local/fs-raw-store';
import { MailparserParser } from '../../lambdas/adapters/mailparser-parser';
import { UnparseableMessage } from '../../lambdas/core/parsed-message';
import type { RawMailStore } from '../../lambdas/ports/raw-mail-store';
import { startS3Local, type S3Local } from '../support/s3-local';
import { testTimeout } from '../support/timeouts';

const parser = new MailparserParser();
const REFUSING = { maxMessageBytes: 100 * 1024, maxHeaderBytes: 64 * 1024, maxMimeDepth: 20, maxParts: 500 };
const ACCEPTING = { ...REFUSING, maxMessageBytes: 40 * 1024 * 1024 };
const BIG = Buffer.from(
  'From: rita@example.org\r\nTo: security@hashberg.io\r\nSubject: big\r\nMessage-ID: <big@example.org>\r\n\r\n' +
    'x'.repeat(76) + '\r\n'.repeat(1) + ('y'.repeat(76) + '\r\n').repeat(4000),
); // ~310 KB, over REFUSING's limit
const SMALL = Buffer.from('From: rita@example.org\r\nTo: security@hashberg.io\r\nSubject: small\r\nMessage-ID: <s@example.org>\r\n\r\nhello\r\n');

async function refuseMany(store: RawMailStore, count: number, after?: () => Promise<void>) {
  for (let i = 0; i < count; i++) {
    await expect(parser.parse(await store.get('inbound/big'), { limits: REFUSING })).rejects.toBeInstanceOf(UnparseableMessage);
    if (after) await after();
  }
}

describe('S3 bodies: 200 refused 300 KB messages through a pool of 10 sockets', () => {
  let s3: S3Local;
  const agent = new Agent({ keepAlive: true, maxSockets: 10 });
  let store: S3RawStore;
  beforeAll(async () => {
    s3 = await startS3Local(['raw']);
    const client = new S3Client({
      endpoint: s3.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ httpAgent: agent }),
    });
    store = new S3RawStore({ client, bucket: 'raw' });
    await store.put('inbound/big', BIG);
    await store.put('inbound/small', SMALL);
  });
  afterAll(async () => {
    agent.destroy();
    await s3.stop();
  });

  const busySockets = () => Object.values(agent.sockets).reduce((n, list) => n + (list?.length ?? 0), 0);

  it('holds no socket after each refusal, and the next message parses', async () => {
    await refuseMany(store, 200, async () => {
      // a destroyed socket leaves the pool within a few turns of the event loop; a leaked one never does
      for (let turn = 0; turn < 1000 && busySockets() > 0; turn++) await nextTurn();
      expect(busySockets()).toBe(0);
    });
    const msg = await parser.parse(await store.get('inbound/small'), { limits: ACCEPTING });
    expect(msg.subject).toBe('small');
  }, testTimeout(480_000));
});

describe('files: no descriptor outlives its message', () => {
  let dir: string;
  let store: FsRawStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'secintake-fds-'));
    store = new FsRawStore(dir);
    await store.put('inbound/big', BIG);
    await store.put('inbound/small', SMALL);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const openFiles = () => readdirSync('/proc/self/fd').length;

  it('after 200 refused messages and 200 parsed ones, the open descriptors are as before', async () => {
    const before = openFiles();
    await refuseMany(store, 200);
    for (let i = 0; i < 200; i++) await parser.parse(await store.get('inbound/small'), { limits: ACCEPTING });
    for (let turn = 0; turn < 1000 && openFiles() > before; turn++) await nextTurn();
    expect(openFiles()).toBeLessThanOrEqual(before);
  }, testTimeout(480_000));
});
