/**
 * Reading an outbox folder (see outbox-folder-sender.ts for how it is written): a module of its own, without
 * nodemailer, so listing the outbox loads nothing else.
 */
import { closeSync, openSync, readSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const FILE_PATTERN = /^(\d{6,})-(.+)\.eml$/;

export interface OutboxEntry {
  n: number;
  file: string;
  to: string;
  subject: string;
  date: string;
  kind: string;
  /** The report the mail belongs to (our X-Security-Intake stamp). */
  reportId?: string;
}

/** Header bytes read per file: enough for our headers, never the body. */
const HEADER_READ_BYTES = 16 * 1024;

/** The header block's fields we show, unfolded, RFC 2047 words decoded. */
function readHeaders(head: string): Map<string, string> {
  const end = head.search(/\r?\n\r?\n/);
  const block = end >= 0 ? head.slice(0, end) : head;
  const fields = new Map<string, string>();
  let last = '';
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && last) fields.set(last, `${fields.get(last)} ${line.trim()}`);
    else {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      last = line.slice(0, colon).trim().toLowerCase();
      if (!fields.has(last)) fields.set(last, line.slice(colon + 1).trim());
    }
  }
  for (const [k, v] of fields) fields.set(k, decodeWords(v));
  return fields;
}

/** RFC 2047 encoded words (`=?utf-8?Q?...?=` / `?B?`), as MailComposer writes them. */
export function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (word, charset: string, enc: string, text: string) => {
      try {
        const bytes =
          enc.toUpperCase() === 'B'
            ? Buffer.from(text, 'base64')
            : Buffer.from(
                text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
                'latin1',
              );
        return new TextDecoder(charset.split('*')[0]).decode(bytes);
      } catch {
        return word;
      }
    });
}

/** The messages in an outbox folder, oldest first. */
export async function listOutboxFolder(folder: string): Promise<OutboxEntry[]> {
  let names: string[];
  try {
    names = readdirSync(folder).filter((n) => FILE_PATTERN.test(n)).sort();
  } catch {
    return [];
  }
  const entries: OutboxEntry[] = [];
  // synchronous reads of one header block each: thousands of small files, read in a blink without a thread pool
  const buf = Buffer.alloc(HEADER_READ_BYTES);
  for (const file of names) {
    const fd = openSync(path.join(folder, file), 'r');
    try {
      const bytesRead = readSync(fd, buf, 0, HEADER_READ_BYTES, 0);
      const fields = readHeaders(buf.subarray(0, bytesRead).toString('utf8'));
      const match = FILE_PATTERN.exec(file)!;
      entries.push({
        n: Number(match[1]),
        file,
        to: [fields.get('to'), fields.get('cc')].filter(Boolean).join(', '),
        subject: fields.get('subject') ?? '',
        date: fields.get('date') ?? '',
        kind: fields.get('x-security-intake-kind') ?? match[2],
        ...(fields.get('x-security-intake') ? { reportId: fields.get('x-security-intake') } : {}),
      });
    } finally {
      closeSync(fd);
    }
  }
  return entries.sort((a, b) => a.n - b.n);
}
