/**
 * The reporter's files for the maintainers (app/evidence.ts), read once: intake's own parse keeps the bytes of
 * exactly the files the notice carries (the smallest that fit the budget together), so a new report's notice
 * needs no second parse of the raw message, and the files it carries are the ones a second parse would give.
 * Real intake on dynalite, the file raw store and the real parser.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EVIDENCE_BUDGET, evidenceFor } from '../../lambdas/app/evidence';
import type { InboundFacts } from '../../lambdas/core/report';
import { loadExample, startHarness, type Harness } from '../support/intake-harness';
import { testTimeout } from '../support/timeouts';

const config = loadExample('bases');
const project = config.projects[0];

let h: Harness;
beforeEach(async () => {
  h = await startHarness(config);
});
afterEach(() => h.close());

const MB = 1024 * 1024;
const b64 = (b: Buffer) => b.toString('base64').replace(/.{76}/g, '$&\r\n');

function withFiles(files: Array<[string, Buffer]>): string {
  return [
    'From: Jane <jane@reporter.example>',
    `To: ${project.addresses[0]}`,
    'Subject: overflow, files attached',
    `Message-ID: <files-${randomBytes(4).toString('hex')}@reporter.example>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'decode() overflows in 0.3.0; files attached.',
    ...files.flatMap(([name, content]) => [
      '--b',
      `Content-Type: application/octet-stream; name="${name}"`,
      `Content-Disposition: attachment; filename="${name}"`,
      'Content-Transfer-Encoding: base64',
      '',
      b64(content),
    ]),
    '--b--',
    '',
  ].join('\r\n');
}

test('a new report with files: the raw message is read once, and the notice carries the smallest files that fit together', async () => {
  // smallest first: 2 MB and 2.5 MB fit together; the 4 MB one would go over the budget (about 7 MB)
  const files: Array<[string, Buffer]> = [
    ['big.bin', randomBytes(4 * MB)],
    ['small.bin', randomBytes(2 * MB)],
    ['middle.bin', randomBytes(2.5 * MB)],
  ];
  expect(2 * MB + 2.5 * MB).toBeLessThanOrEqual(EVIDENCE_BUDGET);
  expect(2 * MB + 2.5 * MB + 4 * MB).toBeGreaterThan(EVIDENCE_BUDGET);
  const get = jest.spyOn(h.raw, 'get');
  const r = await h.deliver(withFiles(files));
  expect(r.outcome).toBe('report');
  expect(get).toHaveBeenCalledTimes(1);
  const notice = h.sender.sent.find((m) => m.outboxId === 'notice')!;
  expect(notice.parsed.attachments.map((a) => a.filename)).toEqual(['small.bin', 'middle.bin']);
  expect(notice.parsed.attachments[0]!.content.equals(files[1]![1])).toBe(true);
  expect(notice.parsed.attachments[1]!.content.equals(files[2]![1])).toBe(true);
  expect(notice.parsed.text).toMatch(/"big\.bin" \(application\/octet-stream, 4\.0 MB[^)]*\) sha256 [0-9a-f]{64} \[not attached: too large for one mail\]/);
  // the sent mail's record names each file by the hash of the bytes it carried
  const sent = (await h.store.listMessages(r.reportId!)).find((m) => m.direction === 'out' && m.id === 'notice')!;
  expect(sent.attachments.map((a) => [a.filename, a.size, a.sha256])).toEqual(
    [files[1]!, files[2]!].map(([name, content]) => [name, content.length, createHash('sha256').update(content).digest('hex')]),
  );
}, testTimeout(120_000));

test("the files from intake's parse are those a second parse of the stored message gives", async () => {
  const files: Array<[string, Buffer]> = [
    ['a.bin', randomBytes(3 * MB)],
    ['b.bin', randomBytes(3 * MB)],
    ['c.bin', randomBytes(3 * MB)],
    ['d.txt', Buffer.from('tiny')],
    ['e.bin', randomBytes(8 * MB)],
  ];
  const rawKey = 'inbound/evidence-compare';
  await h.raw.put(rawKey, Buffer.from(withFiles(files)));
  const facts: InboundFacts = {
    sesMessageId: 'evidence-compare',
    recipients: [project.addresses[0]],
    verdicts: { spf: 'UNKNOWN', dkim: 'UNKNOWN', dmarc: 'UNKNOWN', spam: 'UNKNOWN', virus: 'UNKNOWN' },
    receivedAt: h.clock.now().toISOString(),
    rawKey,
  };
  const limits = config.limits;
  const bare = await h.deps.parser.parse(await h.raw.get(rawKey), { limits });
  const kept = await h.deps.parser.parse(await h.raw.get(rawKey), { limits, keepSmallestAttachmentsWithin: EVIDENCE_BUDGET });
  expect(kept.attachments.map((a) => a.content !== undefined)).toEqual([true, true, false, true, false]);
  const get = jest.spyOn(h.raw, 'get');
  const fromBare = await evidenceFor(h.deps, facts, bare); // no bytes kept: parses the stored message again
  expect(get).toHaveBeenCalledTimes(1);
  const fromKept = await evidenceFor(h.deps, facts, kept);
  expect(get).toHaveBeenCalledTimes(1);
  // (Buffers compared with equals: jest's deep equality walks them byte by byte)
  const shape = (e: typeof fromKept) => ({ ...e, attached: e.attached.map(({ content, ...meta }) => ({ ...meta, size: content.length })) });
  expect(shape(fromKept)).toEqual(shape(fromBare));
  expect(fromKept.attached.every((a, i) => a.content.equals(fromBare.attached[i]!.content))).toBe(true);
  expect(fromKept.attached.map((a) => a.filename)).toEqual(['d.txt', 'a.bin', 'b.bin']);
  expect(fromKept.left.map((a) => a.filename)).toEqual(['c.bin', 'e.bin']);
}, testTimeout(120_000));
