/**
 * The validated config, remembered in the data folder (`config-cache.json`) under a key made of the file's
 * exact text and the identity of the compiled CLI: validating with zod costs more than everything else a
 * read-only command does, and a config rarely changes between two commands. Any change to the file or to the
 * CLI (a new build, hence possibly a new schema) misses the cache and validates again. Without a build identity
 * (the sources run by tsx or jest) nothing is cached.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Config } from '../../core/config';

/** Set by scripts/build-cli.js at compile time (esbuild `define`); undefined when running the sources. */
const BUILD_ID: string | undefined = process.env.SECINTAKE_BUILD_ID;

export async function loadConfigCached(file: string, dataDir: string): Promise<Config> {
  const load = async () => (await import('./config-file')).loadConfigFile(file);
  if (!BUILD_ID || !existsSync(dataDir)) return load();
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch {
    return load(); // the loader words the error
  }
  const key = createHash('sha256').update(`${BUILD_ID}\0${path.resolve(file)}\0`).update(text).digest('hex');
  const cacheFile = path.join(dataDir, 'config-cache.json');
  try {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as { key: string; config: Config };
    if (cached.key === key) return cached.config;
  } catch {
    // no cache yet, or unreadable: validate
  }
  const config = await load();
  try {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ key, config }), { mode: 0o600 });
    renameSync(tmp, cacheFile);
  } catch {
    // a read-only folder: validate every time
  }
  return config;
}
