/**
 * The SLA figures published as metrics by the Tick (issue 19), through the real use cases on dynalite: a report
 * opened, acknowledged by a DKIM-signed reply 2 h later, its detailed response never sent, an embargo set and
 * broken by a disclosure. Each figure is published at the first turn after it became known, once.
 */
import { tick } from '../../lambdas/app/tick';
import { FIGURE_METRICS, type FigureDimensions, type FigureName } from '../../lambdas/core/figure-metrics';
import type { Metrics } from '../../lambdas/ports/logger';
import { loadExample, mail, openReport, startHarness, type Harness } from '../support/intake-harness';

const config = loadExample('bases'); // ack 24h, respond 48h, update after 7d every 7d, embargo 72h
const project = config.projects[0];
const ALICE = project.maintainers[0].address;
const HOUR = 3600_000;

class RecordingMetrics implements Metrics {
  readonly figures = true;
  readonly points: string[] = [];
  readonly counts: string[] = [];
  count(name: string) {
    this.counts.push(name);
  }
  figure(name: FigureName, value: number, d: FigureDimensions) {
    // every point is a declared metric with exactly its declared dimensions
    expect(Object.keys(d).filter((k) => d[k as keyof FigureDimensions] !== undefined)).toEqual([...FIGURE_METRICS[name].dimensions]);
    this.points.push(`${name}${d.promise ? `[${d.promise}]` : ''}=${value}`);
  }
  take() {
    return this.points.splice(0);
  }
}

let h: Harness;
afterEach(() => h?.close());

test('published where each figure becomes known, once', async () => {
  h = await startHarness(config);
  const metrics = new RecordingMetrics();
  h.deps.metrics = metrics;
  const created = h.clock.now().getTime();
  const { id, replyTo } = await openReport(h);
  const turn = async (at: number) => {
    h.clock.set(new Date(at));
    await tick(h.deps, { reportId: id, execution: id });
    return metrics.take();
  };

  expect(await turn(created)).toEqual([`reportsReceived=1`]);
  expect(await turn(created)).toEqual([]); // a second turn at the same instant publishes nothing

  h.clock.set(new Date(created + 2 * HOUR));
  await h.deliverSigned(mail({ from: `Alice <${ALICE}>`, to: replyTo, subject: `Re: [security report #${id}] overflow`, body: 'Embargo: 72h\n\nThanks, we can reproduce it.' }), { recipients: [replyTo] });
  // the reply wakes the workflow; its turn publishes the acknowledgment, 2 h after arrival (a relayed reply is
  // also a status update: it meets the first update point, as `secintake sla` counts it)
  expect(await turn(created + 2 * HOUR)).toEqual([`promiseMet[acknowledge]=1`, `promiseTakenMs[acknowledge]=${2 * HOUR}`, `promiseMet[update]=1`, `promiseTakenMs[update]=${2 * HOUR}`]);

  // nothing more is relayed: the detailed response (48 h) is missed, published at the turn at its deadline
  expect(await turn(created + 47 * HOUR)).toEqual([]);
  expect(await turn(created + 48 * HOUR + 1000)).toEqual([`promiseMissed[respond]=1`]);
  expect(await turn(created + 49 * HOUR)).toEqual([]);

  // disclosed before the embargo's end (2 h + 72 h): the embargo is broken, and the disclosure counted
  h.clock.set(new Date(created + 50 * HOUR));
  await h.deliverSigned(mail({ from: `Alice <${ALICE}>`, to: replyTo, subject: `Re: [security report #${id}] overflow`, body: 'Status: disclosed\n' }), { recipients: [replyTo] });
  expect(await turn(created + 50 * HOUR)).toEqual([`promiseMissed[embargo]=1`, `reportsDisclosed=1`, `disclosureMs=${50 * HOUR}`]);
  expect(await turn(created + 80 * HOUR)).toEqual([]);
}, 60_000);

test('where figures go nowhere (the local stack), the Tick writes nothing for them', async () => {
  h = await startHarness(config);
  const { id } = await openReport(h);
  await tick(h.deps, { reportId: id, execution: id });
  expect((await h.store.getReport(id))!.figuresAt).toBeUndefined();
}, 60_000);

test('a turn with nothing new writes nothing; a claim taken by another turn is not published again', async () => {
  h = await startHarness(config);
  const metrics = new RecordingMetrics();
  h.deps.metrics = metrics;
  const { id } = await openReport(h);
  const { publishFigures } = await import('../../lambdas/app/figures');
  const first = await publishFigures(h.deps, (await h.store.getReport(id))!, project, h.clock.now());
  expect(metrics.take()).toEqual(['reportsReceived=1']);
  h.clock.advance(HOUR);
  const again = await publishFigures(h.deps, first, project, h.clock.now());
  expect(metrics.take()).toEqual([]);
  expect(again.version).toBe(first.version); // no write
  // two turns from the same stale read after the acknowledgment was missed: only one publishes it
  h.clock.advance(30 * HOUR);
  const stale = (await h.store.getReport(id))!;
  await publishFigures(h.deps, stale, project, h.clock.now());
  await publishFigures(h.deps, stale, project, h.clock.now());
  expect(metrics.take()).toEqual(['promiseMissed[acknowledge]=1']);
}, 60_000);
