/** reports --open --overdue --project --status --since, and outbox --report: what a maintainer looks for. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli';

const ROOT = join(__dirname, '../..');

describe('finding reports', () => {
  let data: string;
  let d: string[];
  let ids: string[];
  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), 'secintake-filters-'));
    d = ['--data', data];
    // an import counts deadlines from when each message arrived (its Date field): the examples, dated a minute
    // ago, with receipts on so that the outbox has the mail of each report
    const now = (await cli(...d, 'clock', 'now')).out.trim();
    const dated = new Date(Date.parse(now) - 60_000).toUTCString().replace('GMT', '+0000');
    const files: string[] = [];
    for (const name of ['report.eml', 'report-missing-info.eml']) {
      const file = join(data, name);
      await writeFile(file, (await readFile(join(ROOT, 'examples/mail', name), 'utf8')).replace(/^Date: .*$/m, `Date: ${dated}`));
      files.push(file);
    }
    const imported = await cli(...d, 'import', '--json', '--send-receipts', ...files);
    ids = imported.out.trim().split('\n').slice(0, -1).map((l) => JSON.parse(l).reportId);
    expect(ids).toHaveLength(2);
  });
  afterAll(() => rm(data, { recursive: true, force: true }));

  const listed = async (...args: string[]) => JSON.parse((await cli(...d, 'reports', '--json', ...args)).out).map((r: { id: string }) => r.id).sort();

  it('filters by state, project, status and date', async () => {
    expect(await listed('--open')).toEqual([...ids].sort());
    expect(await listed('--project', 'bases', '--status', 'received,triaged')).toEqual([...ids].sort());
    expect(await listed('--status', 'closed')).toEqual([]);
    expect(await listed('--since', '2999-01-01')).toEqual([]);
    // round-robin: one report each for alice and bob (in import order)
    expect(await listed('--owner', 'alice@hashberg.io')).toEqual([ids[0]]);
    expect(await listed('--owner', 'BOB@hashberg.io')).toEqual([ids[1]]);
    expect(await listed('--owner', 'nobody@hashberg.io')).toEqual([]);
    expect((await cli(...d, 'reports', '--status', 'closed')).out).toBe('No report matches.\n');
    const bad = await cli(...d, 'reports', '--since', 'yesterday');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('is not a date');
  });

  it('--overdue lists the reports whose acknowledgment passed unanswered, soonest deadline first', async () => {
    expect(await listed('--overdue')).toEqual([]);
    expect((await cli(...d, 'clock', 'advance', '30h')).code).toBe(0);
    expect(await listed('--overdue')).toEqual([...ids].sort());
    const rows = JSON.parse((await cli(...d, 'reports', '--json', '--overdue')).out) as { overdue: string[]; nextDeadline?: { dueAt: string } }[];
    expect(rows[0].overdue).toContain('acknowledge');
    const due = rows.map((r) => r.nextDeadline?.dueAt ?? '\uffff');
    expect(due).toEqual([...due].sort());
  });

  it('outbox --report shows one report\'s mail, and --json names the report of each', async () => {
    const all = JSON.parse((await cli(...d, 'outbox', '--json')).out) as { reportId: string }[];
    // every report's mail, and the maintainers' one digest of the import (under its own pseudo ID)
    expect(new Set(all.map((f) => f.reportId).filter((id) => !id.startsWith('import-')))).toEqual(new Set(ids));
    expect(all.filter((f) => f.reportId.startsWith('import-bases-'))).toHaveLength(1);
    const one = JSON.parse((await cli(...d, 'outbox', '--json', '--report', ids[0].toLowerCase())).out) as { reportId: string }[];
    expect(one.length).toBeGreaterThan(0);
    expect(one.every((f) => f.reportId === ids[0])).toBe(true);
  });
});
