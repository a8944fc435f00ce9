/**
 * A POSIX ustar archive (IEEE 1003.1-1988) of a few in-memory files: what `secintake export` writes, readable by
 * every `tar` (and gzipped when the name ends in .gz). Names here are ours (report IDs, numbers, hex IDs), never
 * from mail, and under 100 bytes.
 */
import { gzipSync } from 'node:zlib';

export interface ArchiveFile {
  name: string;
  body: Buffer;
  mtime: Date;
}

function header(file: ArchiveFile): Buffer {
  const h = Buffer.alloc(512);
  const name = Buffer.from(file.name, 'utf8');
  if (name.length > 100) throw new Error(`archive member name too long: ${file.name}`);
  const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, '0') + '\0';
  name.copy(h, 0);
  h.write(octal(0o600, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(file.body.length, 12), 124, 'ascii');
  h.write(octal(Math.floor(file.mtime.getTime() / 1000), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // the checksum counts its own field as spaces
  h.write('0', 156, 'ascii');
  h.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

export function tarArchive(files: ArchiveFile[], gzip = false): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    parts.push(header(f), f.body, Buffer.alloc((512 - (f.body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024)); // two zero blocks end the archive
  const tar = Buffer.concat(parts);
  return gzip ? gzipSync(tar) : tar;
}
