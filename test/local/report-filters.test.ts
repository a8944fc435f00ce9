/** reports --open --overdue --project --status --since, and outbox --report: what a maintainer looks for. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../lambdas/local/cli/main';

const ROOT = join(__dirname, '../..');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe('finding reports', () => {
  let data: string;
  let d: string[];
  let ids: string[];
  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), 'secintake-filters-'));
    d = ['--data', data];
    const imported = await cli(...d, 'import', '--json', join(ROOT, 'examples/mail/report.eml'), join(ROOT, 'examples/mail/report-missing-info.eml'));
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
    expect(new Set(all.map((f) => f.reportId))).toEqual(new Set(ids));
    const one = JSON.parse((await cli(...d, 'outbox', '--json', '--report', ids[0].toLowerCase())).out) as { reportId: string }[];
    expect(one.length).toBeGreaterThan(0);
    expect(one.every((f) => f.reportId === ids[0])).toBe(true);
  });
});
