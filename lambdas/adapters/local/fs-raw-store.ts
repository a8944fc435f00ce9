/**
 * The raw-mail store on this machine: one file per message under a root folder (`<root>/inbound/<id>`).
 * Writes go to a temporary file in the same folder and are renamed into place, so a crash never leaves half
 * a message under a real key (rename is atomic within one file system).
 */
import { createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RawMessageNotFound, type RawMailStore } from '../../ports/raw-mail-store';

export class InvalidRawKey extends Error {
  override readonly name = 'InvalidRawKey';
  constructor(readonly key: string, reason: string) {
    super(`raw-store key ${JSON.stringify(key)} is not allowed: ${reason}`);
  }
}

const TEMP_SUFFIX = '.partial';

export class FsRawStore implements RawMailStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  async locate(key: string): Promise<string | undefined> {
    const file = this.pathOf(key);
    return fs.stat(file).then(() => file, () => undefined);
  }

  async put(key: string, body: Buffer | Readable): Promise<void> {
    const target = this.pathOf(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
    try {
      const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
      const out = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
      await pipeline(source, out);
      // flush to disk before the rename makes it visible: the raw is the source of truth
      const handle = await fs.open(temp, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, target);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<Readable> {
    const file = this.pathOf(key);
    // open first, so a missing key fails here and not later as a stream error
    const handle = await fs.open(file, 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'EISDIR') throw new RawMessageNotFound(key);
      throw err;
    });
    return handle.createReadStream({ autoClose: true });
  }

  async size(key: string): Promise<number> {
    try {
      const stat = await fs.stat(this.pathOf(key));
      if (!stat.isFile()) throw new RawMessageNotFound(key);
      return stat.size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RawMessageNotFound(key);
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.pathOf(key), { force: true });
  }

  /** Keys under a prefix (a folder like `inbound/` or a key prefix like `inbound/abc`), sorted. */
  async *list(prefix: string): AsyncIterable<string> {
    const slash = prefix.lastIndexOf('/');
    const folderKey = slash >= 0 ? prefix.slice(0, slash) : '';
    const folder = folderKey ? this.pathOf(folderKey) : this.root;
    const keys: string[] = [];
    await this.walk(folder, folderKey, keys);
    for (const key of keys.sort()) if (key.startsWith(prefix)) yield key;
  }

  private async walk(dir: string, keyPrefix: string, into: string[]): Promise<void> {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const entry of entries) {
      const key = keyPrefix ? `${keyPrefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await this.walk(path.join(dir, entry.name), key, into);
      else if (entry.isFile() && !entry.name.endsWith(TEMP_SUFFIX)) into.push(key);
    }
  }

  /** Keys are relative paths with `/` separators; anything that could leave the root is refused. */
  private pathOf(key: string): string {
    if (!key || key.includes('\0')) throw new InvalidRawKey(key, 'empty or contains NUL');
    if (key.startsWith('/') || key.includes('\\') || path.isAbsolute(key)) {
      throw new InvalidRawKey(key, 'keys are relative paths with / separators');
    }
    const segments = key.split('/');
    if (segments.some((s) => s === '' || s === '.' || s === '..')) {
      throw new InvalidRawKey(key, 'empty, "." and ".." path segments are refused');
    }
    if (key.endsWith(TEMP_SUFFIX)) throw new InvalidRawKey(key, `the ${TEMP_SUFFIX} suffix marks unfinished writes`);
    const full = path.join(this.root, ...segments);
    if (!full.startsWith(this.root + path.sep)) throw new InvalidRawKey(key, 'resolves outside the store');
    return full;
  }
}
