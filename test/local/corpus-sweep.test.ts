/**
 * The whole shared corpus through `secintake import --json` (in-process: the same code path as the command):
 * every message gets an outcome, nothing crashes, no automatic mail (bounces, auto-replies, read receipts, ARF
 * feedback, other reports) becomes a new human report, what belongs to no report is held for the digest, and no
 * mail is sent (an import is history). Prints the outcome counts.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../lambdas/local/cli/main';
import { listOutboxFolder } from '../../lambdas/adapters/local/outbox-folder-sender';
import { testTimeout } from '../support/timeouts';

import { CORPUS, describeWithCorpus } from '../support/corpus';
const AUTOMATIC = new Set(['bounce-dsn', 'auto-reply', 'mdn-read-receipt', 'feedback-report-arf', 'other-report']);

/**
 * INDEX.tsv entries we believe are wrong (the import treats every .eml as one message):
 * - sisimai-set-of-emails/maildir/not/rb-issue-368-bug.eml is tagged `mbox-multiple-messages`, but its second
 *   `From ` line is the quoted bounced message inside the bounce's text body ("bounced E-Mail:" above it): one
 *   message. (Its category bounce-dsn is right, although sisimai files it under "not".)
 * - sisimai-set-of-emails/maildir/bsd/rhost-cox-01.eml is not tagged `mbox-multiple-messages`, but after the
 *   bounce's closing boundary a second complete message starts (`From double-bounce@...`, its own Received
 *   and From headers): two concatenated messages.
 */

interface Line {
  file: string;
  outcome: string;
  reportId?: string;
  checks: Array<{ name: string; result: string; reason: string }>;
  reason: string;
}

describeWithCorpus('corpus sweep through secintake import --json', () => {
  let data: string;
  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), 'secintake-sweep-'));
  });
  afterAll(async () => {
    await rm(data, { recursive: true, force: true });
  });

  it('gives every message an outcome and never opens a human report for automatic mail', async () => {
    const out: string[] = [];
    const code = await run(['--data', data, 'import', '--json', CORPUS], { out: (t) => void out.push(t), err: () => {} });

    const lines = out.join('').trim().split('\n').map((l) => JSON.parse(l) as Line & { summary?: { messages: number; outcomes: Record<string, number> } });
    const summary = lines.pop()!.summary!;
    const results = lines as Line[];
    const index = new Map(
      (await readFile(join(CORPUS, 'INDEX.tsv'), 'utf8'))
        .trim()
        .split('\n')
        .slice(1)
        .map((row) => row.split('\t'))
        .map(([path, , category]) => [path, category] as const),
    );
    const rel = (file: string) => file.slice(CORPUS.length + 1);

    // every indexed message was read, each exactly once, and each has an outcome
    expect(new Set(results.map((r) => rel(r.file)))).toEqual(new Set(index.keys()));
    expect(summary.messages).toBe(results.length);
    for (const r of results) expect(['report', 'followup', 'maintainer', 'quarantined', 'ignored', 'failed']).toContain(r.outcome);

    const failed = results.filter((r) => r.outcome === 'failed').map((r) => `${rel(r.file)}: ${r.reason}`);
    // regression: four corpus messages with an empty or malformed From once crashed the receipt
    expect(failed).toEqual([]);
    expect(code).toBe(0);

    // an import is history: no mail at all without --send-receipts (no receipt, notice, forward or digest)
    const sent = await listOutboxFolder(join(data, 'outbox'));
    expect(sent).toEqual([]);
    const reports = results.filter((r) => r.outcome === 'report');

    // what became neither a report, a follow-up nor a maintainer's message is held for the digest, with a reason
    // and a reference (only copies of a message already on a report are not: they are on it)
    const unheld = results
      .filter((r) => r.outcome === 'ignored' && !r.reportId && !/held as [0-9A-Z]{4}-[0-9A-Z]{4}/.test(r.reason))
      .map((r) => `${rel(r.file)}: ${r.reason}`);
    expect(unheld).toEqual([]);
    const held = results.filter((r) => /held as /.test(r.reason)).length;

    const automaticAsReports = results
      .filter((r) => AUTOMATIC.has(index.get(rel(r.file)) ?? '') && r.outcome === 'report')
      .map((r) => `${index.get(rel(r.file))} ${rel(r.file)}: ${r.reason}`);
    expect(automaticAsReports).toEqual([]);

    const byCategory: Record<string, Record<string, number>> = {};
    for (const r of results) {
      const cat = index.get(rel(r.file)) ?? '?';
      byCategory[cat] ??= {};
      byCategory[cat][r.outcome] = (byCategory[cat][r.outcome] ?? 0) + 1;
    }
    // eslint-disable-next-line no-console
    console.log(
      `corpus sweep: ${summary.messages} messages; outcomes ${JSON.stringify(summary.outcomes)}\n` +
        `by INDEX category: ${JSON.stringify(byCategory, null, 1)}\n` +
        `${reports.length} new reports, ${held} messages held for the digest, no mail sent (history)`,
    );
  }, testTimeout(360_000));
});
