/**
 * Peak memory of parsing the largest message SES accepts (S3 action limit: 40 MB): generates a ~40 MB message
 * with three attachments in a temp folder (streamed to disk, never built in memory), then parses it with
 * MailparserParser from a file stream in a fresh child process (so generating it does not count), and prints
 * that process's peak RSS (process.resourceUsage().maxRSS) and the parse time.
 *
 *   npx tsx bench/parse-rss.ts [megabytes]
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { MailparserParser } from '../lambdas/adapters/mailparser-parser';

const MiB = 1024 * 1024;

async function write(out: Writable, text: string | Buffer): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/** One base64 attachment of `bytes` random bytes, written in 57-byte multiples so every line is 76 chars. */
async function writeAttachment(out: Writable, name: string, bytes: number): Promise<string> {
  await write(out, `--sep\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="${name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n`);
  const hash = createHash('sha256');
  const block = 57 * 1024;
  for (let left = bytes; left > 0; left -= block) {
    const chunk = randomBytes(Math.min(block, left));
    hash.update(chunk);
    await write(out, chunk.toString('base64').replace(/.{76}/g, '$&\r\n').replace(/\r\n$/, '') + '\r\n');
  }
  return hash.digest('hex');
}

async function generate(file: string, totalMB: number): Promise<string[]> {
  const out = createWriteStream(file);
  await write(
    out,
    'From: Rita Reporter <rita@example.org>\r\nTo: security@bases.example\r\nSubject: Proof of concept, large\r\n' +
      'Date: Fri, 12 Mar 2027 16:02:00 -0500\r\nMessage-ID: <big@example.org>\r\nMIME-Version: 1.0\r\n' +
      'Content-Type: multipart/mixed; boundary="sep"\r\n\r\n--sep\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n' +
      'The attached core dumps reproduce the overflow.\r\n'.repeat(2000),
  );
  // base64 grows the content by 4/3 plus CRLF every 76 characters: 78/57 in all
  const perAttachment = Math.floor(((totalMB * 1e6 - 200_000) / 3) * (57 / 78));
  const hashes: string[] = [];
  for (const name of ['core.1', 'core.2', 'pcap.bin']) hashes.push(await writeAttachment(out, name, perAttachment));
  await write(out, '--sep--\r\n');
  out.end();
  await once(out, 'finish');
  return hashes;
}

async function parseFile(file: string, hashes: string[]): Promise<void> {
  const size = statSync(file).size;
  const before = process.memoryUsage().rss;
  const started = process.hrtime.bigint();
  const message = await new MailparserParser().parse(createReadStream(file), {
    limits: { maxMessageBytes: 40 * MiB, maxHeaderBytes: 256 * 1024, maxMimeDepth: 20, maxParts: 500 },
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const peak = process.resourceUsage().maxRSS * 1024;
  const ok = message.attachments.map((a) => a.sha256).join() === hashes.join();
  console.log(
    JSON.stringify(
      {
        messageBytes: size,
        attachments: message.attachments.length,
        sha256Match: ok,
        parseMs: Math.round(ms),
        throughputMBps: +(size / 1e6 / (ms / 1000)).toFixed(1),
        rssBeforeParseMiB: +(before / MiB).toFixed(1),
        peakRssMiB: +(peak / MiB).toFixed(1),
      },
      null,
      2,
    ),
  );
  if (!ok) process.exitCode = 1;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--parse') return parseFile(process.argv[3], process.argv.slice(4));
  const totalMB = Number(process.argv[2] ?? 40);
  const dir = mkdtempSync(path.join(tmpdir(), 'parse-rss-'));
  const file = path.join(dir, 'big.eml');
  try {
    const hashes = await generate(file, totalMB);
    // execArgv carries tsx's loader, so the child runs this same TypeScript file
    const child = spawn(process.execPath, [...process.execArgv, __filename, '--parse', file, ...hashes], { stdio: 'inherit' });
    const [code] = (await once(child, 'exit')) as [number | null];
    process.exitCode = code ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
