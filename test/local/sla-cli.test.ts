/**
 * `secintake sla` against a local stack's data folder (dynalite through the real SDK) seeded with the
 * hand-worked history of test/support/sla-history.ts: the JSON contract, the text chart, the HTML file, errors.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli';
import { startLocalStack } from '../../lambdas/local/stack';
import { slaFigures } from '../../lambdas/core/sla-figures';
import { SLA_NOW, slaConfig, slaHistory } from '../support/sla-history';

describe('secintake sla', () => {
  let data: string;
  let d: string[];
  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), 'secintake-sla-'));
    const config = join(data, 'config.json');
    await writeFile(config, JSON.stringify(slaConfig));
    const stack = await startLocalStack({ config, data, listen: false, resume: false, startAt: SLA_NOW });
    try {
      for (const h of slaHistory()) {
        await stack.deps.store.createReport(h.report);
        await stack.deps.store.appendToReport({ events: h.events });
      }
    } finally {
      await stack.close();
    }
    d = ['--data', data, '--config', config];
  }, 30_000);
  afterAll(async () => {
    await rm(data, { recursive: true, force: true });
  });

  it('--json: one entry per project and period, in the contract\'s shape, with the hand-worked figures', async () => {
    const r = await cli(...d, 'sla', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    for (const p of json.projects) {
      expect(Object.keys(p)).toEqual(expect.arrayContaining(['id', 'period', 'received', 'promises']));
      for (const q of p.promises) expect(Object.keys(q)).toEqual(expect.arrayContaining(['name', 'due', 'met', 'compliance', 'p50Ms', 'p90Ms']));
    }
    const march = json.projects.find((p: { id: string; period: string }) => p.id === 'calpro' && p.period === '2027-03');
    expect(march.received).toBe(6);
    expect(march.promises[0]).toMatchObject({ name: 'acknowledge', due: 5, met: 4, compliance: 0.8, p50Ms: 5 * 3_600_000, p90Ms: 30 * 3_600_000 });
    const bizpro = json.projects.find((p: { id: string; period: string }) => p.id === 'bizpro' && p.period === '2027-04');
    expect(bizpro.promises[1]).toMatchObject({ name: 'respond', due: 3, met: 3, compliance: 1, measure: 'working' });
    // what the store gives back is what the pure module computes from the seeded records
    expect(json).toEqual(JSON.parse(JSON.stringify(slaFigures(slaHistory(), slaConfig, { now: new Date(json.now) }))));
  }, 30_000);

  it('prints a table and a chart per project; --project, --since and --period select', async () => {
    const r = await cli(...d, 'sla', '--project', 'calpro', '--since', '2027-04-01', '--period', 'week');
    expect(r.code).toBe(0);
    expect(r.out).toContain('calpro: 6 report(s)');
    expect(r.out).not.toContain('bizpro');
    expect(r.out).toMatch(/acknowledge\s+6\s+5\s+█+░+\s+83%\s+6h\s+20h\s+elapsed time/);
    expect(r.out).toMatch(/in time by week \(2027-W13 \.\. 2027-W17/);
    const monthly = await cli(...d, 'sla', '--project', 'bizpro');
    expect(monthly.out).toMatch(/respond\s+9\s+7\s+\S+\s+78%\s+16h\s+25h\s+working time/);
  }, 30_000);

  it('--html writes one self-contained page', async () => {
    const file = join(data, 'sla.html');
    const r = await cli(...d, 'sla', '--html', file);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`wrote ${file}`);
    const html = await readFile(file, 'utf8');
    expect(html).toContain('<svg class="trend" data-project="calpro"');
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//);
  }, 30_000);

  it('refuses an unknown project, a bad date or period with one line and exit 2', async () => {
    for (const argv of [['--project', 'nope'], ['--since', 'last tuesday'], ['--period', 'year']]) {
      const r = await cli(...d, 'sla', ...argv);
      expect(r.code).toBe(2);
      expect(r.err.split('\n')).toHaveLength(2);
    }
  }, 30_000);
});
