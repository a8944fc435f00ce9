import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { FsRawStore, InvalidRawKey } from '../../lambdas/adapters/local/fs-raw-store';
import { RawMessageNotFound } from '../../lambdas/ports/raw-mail-store';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('FsRawStore', () => {
  let root: string;
  let store: FsRawStore;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'fs-raw-store-'));
    store = new FsRawStore(root);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('stores a Buffer and a stream and gives the same bytes back, with their size', async () => {
    await store.put('inbound/a', Buffer.from('Subject: a\r\n\r\nbody'));
    await store.put('inbound/b', Readable.from([Buffer.from('Subject: b\r\n'), Buffer.from('\r\nmore')]));

    expect((await readAll(await store.get('inbound/a'))).toString()).toBe('Subject: a\r\n\r\nbody');
    expect((await readAll(await store.get('inbound/b'))).toString()).toBe('Subject: b\r\n\r\nmore');
    expect(await store.size('inbound/b')).toBe(18);
  });

  it('overwrites a key whole', async () => {
    await store.put('inbound/a', Buffer.from('first, longer version'));
    await store.put('inbound/a', Buffer.from('second'));
    expect((await readAll(await store.get('inbound/a'))).toString()).toBe('second');
  });

  it('throws RawMessageNotFound for a missing key', async () => {
    await expect(store.get('inbound/missing')).rejects.toBeInstanceOf(RawMessageNotFound);
    await expect(store.size('inbound/missing')).rejects.toBeInstanceOf(RawMessageNotFound);
  });

  it.each(['../etc/passwd', 'inbound/../../x', '/etc/passwd', 'inbound//x', 'a\\b', '', './x', 'inbound/x.partial'])(
    'refuses the key %j',
    async (key) => {
      await expect(store.put(key, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidRawKey);
      await expect(store.get(key)).rejects.toBeInstanceOf(InvalidRawKey);
    },
  );

  it('leaves nothing under the key when the source stream fails halfway', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('Subject: half\r\n'));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(store.put('inbound/half', failing)).rejects.toThrow('connection reset');
    await expect(store.get('inbound/half')).rejects.toBeInstanceOf(RawMessageNotFound);
    expect(readdirSync(path.join(root, 'inbound'))).toEqual([]);
  });

  it('lists keys under a prefix, sorted, across folders', async () => {
    await store.put('inbound/b', Buffer.from('b'));
    await store.put('inbound/a', Buffer.from('a'));
    await store.put('outbound/r1/m1', Buffer.from('o'));
    const list = async (prefix: string) => {
      const keys: string[] = [];
      for await (const key of store.list(prefix)) keys.push(key);
      return keys;
    };
    expect(await list('inbound/')).toEqual(['inbound/a', 'inbound/b']);
    expect(await list('inbound/a')).toEqual(['inbound/a']);
    expect(await list('outbound/')).toEqual(['outbound/r1/m1']);
    expect(await list('')).toEqual(['inbound/a', 'inbound/b', 'outbound/r1/m1']);
    expect(await list('nothing/')).toEqual([]);
  });
});
