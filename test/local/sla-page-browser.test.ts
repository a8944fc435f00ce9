/**
 * The `sla --html` page in a real browser: Debian's headless Chromium driven by playwright-core (never a
 * downloaded browser). The page is opened from a file with every request but that file refused and counted;
 * the charts are checked as rendered (sizes and positions), and a screenshot is taken.
 * Skips, saying so, where /usr/bin/chromium is missing (`.ci/run` installs it: apt-get install chromium).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { slaFigures } from '../../lambdas/core/sla-figures';
import { slaPage } from '../../lambdas/local/sla-page';
import { SLA_NOW, slaConfig, slaHistory } from '../support/sla-history';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`sla page browser test SKIPPED: no Chromium at ${CHROMIUM} (install it with: apt-get install chromium; .ci/run does)`);
}

(haveChromium ? describe : describe.skip)(`sla --html page in headless Chromium (${CHROMIUM})`, () => {
  let dir: string;
  let browser: BrowserContext;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'secintake-sla-page-'));
    const file = join(dir, 'sla.html');
    await writeFile(file, slaPage(slaFigures(slaHistory(), slaConfig, { now: SLA_NOW })));
    // a new, empty profile of its own; the flags keep Chromium off the (closed) network
    browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1200, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
    const url = pathToFileURL(file).href;
    await page.route('**/*', (route) => {
      const wanted = route.request().url();
      if (wanted === url) return route.continue();
      requests.push(wanted);
      return route.abort();
    });
    await page.goto(url);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the page fetches nothing: everything is inline', () => {
    expect(requests).toEqual([]);
  });

  test('each project has a compliance trend drawn at the right heights', async () => {
    const points = await page.$$eval('svg.trend[data-project="calpro"] circle[data-promise="acknowledge"]', (cs) =>
      cs.map((c) => ({ period: c.getAttribute('data-period'), y: c.getBoundingClientRect().top, w: c.getBoundingClientRect().width })),
    );
    // March 80%, April 5 of 6; nothing was due in May, so no point there
    expect(points.map((p) => p.period)).toEqual(['2027-03', '2027-04']);
    expect(points.every((p) => p.w > 0)).toBe(true);
    expect(points[1].y).toBeLessThan(points[0].y); // higher on screen: better

    const box = await page.locator('svg.trend[data-project="bizpro"]').boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    // 100% of bizpro's responses in April sit on the top grid line, level with the "100%" label
    const top = await page.$eval('svg.trend[data-project="bizpro"] circle[data-promise="respond"][data-period="2027-04"]', (c) => c.getBoundingClientRect());
    const label = await page.$$eval('svg.trend[data-project="bizpro"] text', (ts) => ts.filter((t) => t.textContent === '100%').map((t) => t.getBoundingClientRect())[0]);
    expect(Math.abs(top.top + top.height / 2 - (label.top + label.height / 2))).toBeLessThan(6);
    expect(await page.locator('svg.trend[data-project="calpro"] polyline[data-promise="update"]').count()).toBe(0); // one point only
    await expect(page.locator('section[data-project="calpro"] .legend').innerText()).resolves.toMatch(/acknowledge[\s\S]*respond[\s\S]*update[\s\S]*embargo/);
  });

  test('the distribution of times: bar heights follow the counts', async () => {
    // bizpro acknowledged in 0.5 | 1.5, 2, 2 | 4, 8, 8, 10, 10 working hours
    const bars = await page.$$eval('section[data-project="bizpro"] svg.times[data-promise="acknowledge"] rect', (rs) =>
      rs.map((r) => ({ bin: r.getAttribute('data-bin'), n: Number(r.getAttribute('data-count')), h: r.getBoundingClientRect().height })),
    );
    expect(bars.filter((b) => b.n).map((b) => [b.bin, b.n])).toEqual([['< 1h', 1], ['1-4h', 3], ['4-12h', 5]]);
    const tallest = bars.find((b) => b.bin === '4-12h')!.h;
    expect(tallest).toBeGreaterThan(50);
    expect(bars.find((b) => b.bin === '1-4h')!.h / tallest).toBeCloseTo(3 / 5, 1);
    expect(bars.find((b) => b.bin === '< 1h')!.h / tallest).toBeCloseTo(1 / 5, 1);
    await expect(page.locator('section[data-project="bizpro"] figcaption', { hasText: 'acknowledge:' }).innerText()).resolves.toContain('p50 4h, p90 10h (working time)');
  });

  test('a screenshot of the page and of one chart', async () => {
    const shot = await page.screenshot({ fullPage: true, path: join(tmpdir(), `secintake-sla-page-${process.pid}.png`) });
    expect(shot.subarray(1, 4).toString()).toBe('PNG');
    const chart = await page.locator('svg.trend[data-project="calpro"]').screenshot();
    expect(chart.length).toBeGreaterThan(1000);
  });
});
