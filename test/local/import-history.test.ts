/**
 * `secintake import` of an existing security@ mailbox is history (issue 11, point 6): a reply joins the report
 * of the message it answers (any recorded Message-ID, not only ours), a listed maintainer's mail is recorded as
 * theirs (never a report, never a receipt), deadlines count from when each message arrived (so an old,
 * unanswered report is overdue, not new), and no mail goes out unless --send-receipts (then receipts, and one
 * digest to the maintainers of the imported reports still open). Through the CLI in-process, on a fixed clock.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli';
import { listOutboxFolder } from '../../lambdas/adapters/local/outbox-folder-sender';
import { arrivalOf, headerFields } from '../../lambdas/local/import-mail';

const NOW = '2027-03-15T09:00:00.000Z';

function message(lines: string[], body: string): string {
  return [...lines, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\n');
}

/** An mbox as a mail client keeps it: `From ` separator lines, body lines starting with "From " escaped. */
const mbox = (...messages: string[]) => messages.map((m) => `From someone@example Mon Feb 22 10:00:00 2027\n${m}\n`).join('');

const report = message(
  [
    'Received: from mx.reporter.example by mx.hashberg.io; Mon, 22 Feb 2027 10:00:00 +0000',
    'From: Jane Reporter <jane@reporter.example>',
    'To: security@hashberg.io',
    'Subject: Heap overflow in decode()',
    'Date: Mon, 22 Feb 2027 09:59:30 +0000',
    'Message-ID: <first@reporter.example>',
  ],
  'decode() overflows on a 70-byte input in 0.3.0.\n>From the stack trace it is the length check.',
);
const followup = message(
  [
    'Received: from mx.reporter.example by mx.hashberg.io; Tue, 23 Feb 2027 08:00:00 +0000',
    'From: Jane Reporter <jane@reporter.example>',
    'To: security@hashberg.io',
    'Subject: Re: Heap overflow in decode()',
    'Date: Tue, 23 Feb 2027 08:00:00 +0000',
    'Message-ID: <second@reporter.example>',
    'In-Reply-To: <first@reporter.example>',
    'References: <first@reporter.example>',
  ],
  'A proof of concept is attached in my next mail.',
);
const maintainerReply = message(
  [
    'Received: from mail.hashberg.io by mx.hashberg.io; Wed, 24 Feb 2027 12:00:00 +0000',
    'From: Alice Maintainer <alice@hashberg.io>',
    'To: Jane Reporter <jane@reporter.example>',
    'Cc: security@hashberg.io',
    'Subject: Re: Heap overflow in decode()',
    'Date: Wed, 24 Feb 2027 12:00:00 +0000',
    'Message-ID: <answer@hashberg.io>',
    'In-Reply-To: <second@reporter.example>',
    'References: <first@reporter.example> <second@reporter.example>',
  ],
  'Status: triaged\n\nThanks Jane, we can reproduce it.',
);
const unanswered = message(
  [
    'Received: from mx.other.example by mx.hashberg.io; Mon, 22 Feb 2027 11:00:00 +0000',
    'From: Sam <sam@other.example>',
    'To: security@hashberg.io',
    'Subject: XSS in the docs site search',
    'Date: Mon, 22 Feb 2027 10:58:00 +0000',
    'Message-ID: <xss@other.example>',
  ],
  'The search box reflects its query unescaped.',
);

describe('secintake import of a mailbox is history', () => {
  let data: string;
  let d: string[];
  beforeEach(async () => {
    data = await mkdtemp(join(tmpdir(), 'secintake-history-'));
    d = ['--data', data];
    expect((await cli(...d, 'clock', 'set', NOW)).code).toBe(0);
  });
  afterEach(async () => {
    await rm(data, { recursive: true, force: true });
  });

  const importJson = async (...args: string[]) => {
    const r = await cli(...d, 'import', '--json', ...args);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    return { code: r.code, summary: lines.pop().summary, results: lines as Array<{ outcome: string; reportId?: string; reason: string }> };
  };

  it('a report, the reporter\'s own follow-up and a maintainer\'s CC\'d reply import as one report with three messages, and no mail is sent', async () => {
    const file = join(data, 'security.mbox');
    await writeFile(file, mbox(report, followup, maintainerReply));
    const { code, results } = await importJson(file);
    expect(code).toBe(0);
    expect(results.map((r) => r.outcome)).toEqual(['report', 'followup', 'maintainer']);
    const id = results[0]!.reportId!;
    expect(results.map((r) => r.reportId)).toEqual([id, id, id]);

    const reports = JSON.parse((await cli(...d, 'reports', '--json')).out);
    expect(reports.map((r: { id: string }) => r.id)).toEqual([id]);
    const view = JSON.parse((await cli(...d, 'show', id, '--json')).out);
    expect(view.messages.map((m: { role: string; at: string }) => [m.role, m.at])).toEqual([
      ['reporter', '2027-02-22T10:00:00.000Z'],
      ['reporter', '2027-02-23T08:00:00.000Z'],
      ['maintainer', '2027-02-24T12:00:00.000Z'],
    ]);
    // the mbox's escaped ">From" line is the reporter's "From" again
    expect(view.messages[0].excerpt).toContain('\nFrom the stack trace');
    // history is recorded, not re-run: the maintainer's old command line changed nothing
    expect(view.report.status).toBe('received');
    // the maintainer answered the reporter directly back then, two days in: acknowledged, late (24h promised)
    expect(view.deadlines.find((x: { name: string }) => x.name === 'acknowledge')).toMatchObject({ state: 'missed', metAt: '2027-02-24T12:00:00.000Z' });
    expect((await cli(...d, 'show', id)).out).toMatch(/acknowledge .* met late at 2027-02-24T12:00:00.000Z/);
    expect(view.outbox).toEqual([]);
    expect(await listOutboxFolder(join(data, 'outbox'))).toEqual([]);

    // time moves on: what was due before the import is not reminded now
    expect((await cli(...d, 'clock', 'advance', '30m')).code).toBe(0);
    expect(await listOutboxFolder(join(data, 'outbox'))).toEqual([]);
  }, 30_000);

  it('a three-week-old unanswered report is overdue, not new; --send-receipts sends its receipt and one digest to the maintainers', async () => {
    const file = join(data, 'old.mbox');
    await writeFile(file, mbox(unanswered));
    const { results, summary } = await importJson('--send-receipts', file);
    expect(results.map((r) => r.outcome)).toEqual(['report']);
    expect(summary.digests).toBe(1);
    const id = results[0]!.reportId!;
    const view = JSON.parse((await cli(...d, 'show', id, '--json')).out);
    expect(view.report.createdAt).toBe('2027-02-22T11:00:00.000Z'); // the top Received field
    expect(view.deadlines.find((x: { name: string }) => x.name === 'acknowledge')).toMatchObject({ state: 'missed' });
    const sent = await listOutboxFolder(join(data, 'outbox'));
    expect(sent.map((m) => [m.kind, m.to])).toEqual([
      ['receipt', 'sam@other.example'],
      ['import-digest', 'alice@hashberg.io, bob@hashberg.io'],
    ]);
    const digest = (await cli(...d, 'outbox', 'show', '2')).out;
    expect(digest).toContain(id);
    expect(digest).toMatch(/overdue: acknowledge/);
  }, 30_000);

  it('a listed maintainer\'s own new mail is maintainer mail: never a report, never a receipt', async () => {
    const file = join(data, 'alice.eml');
    await writeFile(file, message(['From: alice@hashberg.io', 'To: security@hashberg.io', 'Subject: note to self', 'Date: Mon, 22 Feb 2027 10:00:00 +0000', 'Message-ID: <note@hashberg.io>'], 'testing the alias'));
    const { results } = await importJson('--send-receipts', file);
    expect(results).toEqual([expect.objectContaining({ outcome: 'maintainer', reason: expect.stringContaining('not a report') })]);
    expect(JSON.parse((await cli(...d, 'reports', '--json')).out)).toEqual([]);
    expect(await listOutboxFolder(join(data, 'outbox'))).toEqual([]);
  }, 30_000);

  it('an imported bounce is held; secintake promote opens it as a report (its notice to the maintainers, no receipt)', async () => {
    const file = join(data, 'bounce.eml');
    await writeFile(file, message(['From: MAILER-DAEMON@mx.other.example', 'To: security@hashberg.io', 'Subject: Undelivered Mail Returned to Sender', 'Date: Mon, 22 Feb 2027 10:00:00 +0000', 'Message-ID: <dsn@mx.other.example>', 'X-Failed-Recipients: gone@other.example'], 'This is the mail system. Also: your login page has an XSS, details below.'));
    const { results } = await importJson(file);
    expect(results).toEqual([expect.objectContaining({ outcome: 'ignored', reason: expect.stringMatching(/^bounce: held as [0-9A-Z]{4}-[0-9A-Z]{4}/) })]);
    const ref = /held as (\S+),/.exec(results[0]!.reason)![1]!;
    const promoted = await cli(...d, 'promote', ref);
    expect(promoted).toMatchObject({ code: 0, out: `${ref}: opened as report ${ref} (no receipt: it looked automatic; the maintainers got its notice)\n` });
    expect((await listOutboxFolder(join(data, 'outbox'))).map((m) => [m.kind, m.to])).toEqual([['notice', 'alice@hashberg.io, bob@hashberg.io']]);
    expect(await cli(...d, 'promote', 'ZZZZ-ZZZZ')).toMatchObject({ code: 1, err: expect.stringContaining('no held message ZZZZ-ZZZZ') });
  }, 30_000);
});

test('arrival: the top Received field\'s date, else Date, never in the future, else now', () => {
  const now = new Date(NOW);
  const at = (head: string) => arrivalOf(headerFields(Buffer.from(`${head}\n\nbody`), 65536), now).toISOString();
  expect(at('Received: by b; Tue, 23 Feb 2027 08:00:00 +0100 (CET)\nReceived: by a; Mon, 22 Feb 2027 08:00:00 +0000\nDate: Sun, 21 Feb 2027 08:00:00 +0000')).toBe('2027-02-23T07:00:00.000Z');
  expect(at('Received: by b; not a date\nDate: Sun, 21 Feb 2027 08:00:00 +0000')).toBe('2027-02-21T08:00:00.000Z');
  expect(at('Date: Sun, 21 Feb 2038 08:00:00 +0000')).toBe(NOW);
  expect(at('Subject: no dates')).toBe(NOW);
});
