/** Generated messages of a given size: a plain-text report plus a base64 attachment making up the rest. */
import { createWriteStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';

export function header(i: number, to: string): string {
  return [
    `From: Bench Reporter <bench${i % 7}@reporter.example>`,
    `To: ${to}`,
    `Subject: Benchmark report ${i}`,
    `Date: Fri, 12 Mar 2027 21:01:00 +0000`,
    `Message-ID: <bench-${i}-${randomBytes(4).toString('hex')}@reporter.example>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b0undary"',
    '',
    '--b0undary',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'decode() overflows on crafted input in version 0.3.0. Steps to reproduce are attached.',
    '',
  ].join('\r\n');
}

/** A message of about `bytes` bytes, in memory. */
export function messageOfSize(bytes: number, i: number, to: string): Buffer {
  const head = header(i, to);
  const payload = Math.max(0, Math.floor(((bytes - head.length - 200) * 3) / 4));
  const b64 = randomBytes(payload).toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    `${head}--b0undary\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="poc.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n--b0undary--\r\n`,
  );
}

/** A message of about `bytes` bytes written to a file in chunks, never held whole in memory. */
export async function writeMessageFile(path: string, bytes: number, to: string, attachments = 3): Promise<void> {
  const out = createWriteStream(path);
  out.write(header(0, to));
  const per = Math.floor(bytes / attachments);
  for (let a = 0; a < attachments; a++) {
    out.write(`--b0undary\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="part${a}.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n`);
    let written = 0;
    while (written < per) {
      const chunk = randomBytes(57 * 1000).toString('base64').replace(/.{76}/g, '$&\r\n');
      if (!out.write(chunk + '\r\n')) await once(out, 'drain');
      written += chunk.length + 2;
    }
  }
  out.write('--b0undary--\r\n');
  out.end();
  await once(out, 'finish');
}
