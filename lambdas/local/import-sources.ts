/**
 * What `secintake import PATH...` reads: .eml files, folders (recursively, sorted, so a run is repeatable), and
 * mbox files split on their `From ` separator lines. Messages are read whole: an import is a one-off batch of
 * files already on this disk, bounded by config.limits.maxMessageBytes per message at intake.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface ImportMessage {
  /** The file, and for an mbox the 1-based message number: `inbox.mbox:3`. */
  source: string;
  raw: Buffer;
}

export class ImportPathError extends Error {
  override readonly name = 'ImportPathError';
  constructor(readonly file: string, reason: string) {
    super(`cannot import ${file}: ${reason}`);
  }
}

/** Files in a folder that are never mail: licences, notes, indexes, dotfiles. */
const NOT_MAIL = /^(\..*|LICEN[CS]E.*|COPYING.*|README.*|.*\.(md|tsv|csv|json|ya?ml|py|js|ts|sh))$/i;
const SINGLE_MESSAGE_EXT = new Set(['.eml', '.msg', '.txt']);
const MBOX_EXT = new Set(['.mbox', '.mbx']);
// RFC 4155: a separator line is "From " + envelope sender + date; a message body line starting with "From "
// is escaped as ">From " by the writer (mboxrd), so a bare one at line start separates messages.
const FROM_LINE = /^From \S*.*$/;

/** Every file the paths name, folders expanded, in a stable order. Throws ImportPathError for a missing path. */
export async function expandPaths(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    const stat = await fs.stat(p).catch(() => undefined);
    if (!stat) throw new ImportPathError(p, 'no such file or folder');
    if (stat.isDirectory()) await walk(p, files);
    else files.push(p);
  }
  return files;
}

async function walk(dir: string, into: string[]): Promise<void> {
  const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    if (NOT_MAIL.test(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, into);
    else if (entry.isFile()) into.push(full);
  }
}

/**
 * An mbox is a file named *.mbox / mbox, or a file that is not a single-message type (.eml, .msg, .txt) and
 * starts with a `From ` line. A single .eml that starts with a `From ` line (saved from a mailbox) stays one
 * message: splitting it would cut bounces that quote unescaped `From ` lines in two.
 */
export function isMbox(file: string, head: Buffer): boolean {
  const ext = path.extname(file).toLowerCase();
  if (MBOX_EXT.has(ext) || path.basename(file).toLowerCase() === 'mbox') return true;
  if (SINGLE_MESSAGE_EXT.has(ext)) return false;
  return head.subarray(0, 5).toString('latin1') === 'From ';
}

/** Splits an mbox: drops each separator line, un-escapes `>From ` (mboxrd) by one level. */
export function splitMbox(data: Buffer): Buffer[] {
  const text = data.toString('latin1'); // byte-preserving: 8-bit bodies survive the round trip
  const lines = text.split(/(?<=\n)/);
  const messages: string[][] = [];
  let current: string[] | undefined;
  let previousBlank = true;
  for (const line of lines) {
    const bare = line.replace(/\r?\n$/, '');
    if (previousBlank && FROM_LINE.test(bare)) {
      current = [];
      messages.push(current);
      previousBlank = false;
      continue;
    }
    previousBlank = bare === '';
    if (!current) continue; // text before the first separator is not a message
    current.push(/^>+From /.test(line) ? line.slice(1) : line);
  }
  return messages
    .map((m) => Buffer.from(m.join(''), 'latin1'))
    .filter((m) => m.toString('latin1').trim().length > 0);
}

/** The messages of one file. */
export async function readMessages(file: string): Promise<ImportMessage[]> {
  const data = await fs.readFile(file).catch((err: Error) => {
    throw new ImportPathError(file, err.message);
  });
  if (!isMbox(file, data)) return [{ source: file, raw: data }];
  const parts = splitMbox(data);
  return parts.map((raw, i) => ({ source: parts.length === 1 ? file : `${file}:${i + 1}`, raw }));
}
