/**
 * The dashboard in the synthesized template (issue 19), and the tie between what it draws and what the code
 * publishes: every figure the Powertools adapter writes (namespace, name, dimension names and values) is a
 * metric on the dashboard, and every metric of our namespace on the dashboard is one the code can write.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { PowertoolsMetricsAdapter } from '../../lambdas/adapters/aws/powertools';
import { METRICS_NAMESPACE } from '../../lambdas/adapters/aws/metric-names';
import { FIGURE_METRICS, type FigureName } from '../../lambdas/core/figure-metrics';
import { COUNT_NAMES } from '../../lambdas/ports/logger';
import { promisesOf } from '../../infra/constructs/dashboard';
import { buildStack, testConfig } from './stack-fixture';

const config = testConfig();
const { stack } = buildStack(config);
const template = Template.fromStack(stack);

interface Widget {
  type: string;
  properties: { title?: string; markdown?: string; metrics?: unknown[][]; annotations?: { alarms?: string[] }; alarms?: string[] };
}

/** The dashboard body as JSON, with every CloudFormation token (alarm ARNs, function names, region) as TOKEN. */
function dashboardBody(): { widgets: Widget[] } {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as { Properties: { DashboardBody: unknown } }[];
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0].Properties.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return JSON.parse(text);
}

/** `namespace name dim=value ...` (dimensions sorted) of each metric line of each graph widget. */
function metricKeys(widgets: Widget[]) {
  const keys: string[] = [];
  for (const w of widgets) {
    for (const line of w.properties.metrics ?? []) {
      const parts = line.filter((x): x is string => typeof x === 'string');
      if (parts.length < 2 || 'expression' in ((line.at(-1) ?? {}) as object)) continue;
      const [namespace, name, ...dims] = parts;
      const pairs: string[] = [];
      for (let i = 0; i + 1 < dims.length; i += 2) pairs.push(`${dims[i]}=${dims[i + 1]}`);
      keys.push([namespace, name, ...pairs.sort()].join(' '));
    }
  }
  return keys;
}

/** What the real adapter writes for one figure, as the same kind of key. */
function emittedKey(name: FigureName, project: string, promise?: string): string {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    new PowertoolsMetricsAdapter().figure(name, 1, { project, ...(promise ? { promise } : {}) });
  } finally {
    spy.mockRestore();
  }
  const record = JSON.parse(lines.join('').trim());
  const [directive] = record._aws.CloudWatchMetrics;
  const [dims] = directive.Dimensions as string[][];
  return [directive.Namespace, directive.Metrics[0].Name, ...dims.map((d) => `${d}=${record[d]}`).sort()].join(' ');
}

describe('the dashboard', () => {
  const body = dashboardBody();
  const keys = new Set(metricKeys(body.widgets));
  const titles = body.widgets.map((w) => w.properties.title ?? '');

  test('has the widgets the issue asks for', () => {
    expect(titles).toEqual(
      expect.arrayContaining([
        'Reports received and quarantined, per project (per day)',
        'Acknowledgment time p50 / p90, per project (hours, weekly)',
        'bases: compliance per promise (% met in time, weekly)',
        'falconpy: compliance per promise (% met in time, weekly)',
        'Deadlines missed, per project and promise (per day)',
        'Quarantine and intake failures (per day)',
        'Function errors (per hour)',
        'Alarms (each opens its alarm)',
      ]),
    );
  });

  test('every figure the code publishes, for every project and promise of the config, is drawn with the same name and dimensions', () => {
    for (const project of config.projects) {
      for (const name of Object.keys(FIGURE_METRICS) as FigureName[]) {
        const promises = FIGURE_METRICS[name].dimensions.includes('promise') ? promisesOf(project.timers) : [undefined];
        for (const promise of promises) {
          if (name === 'promiseTakenMs' && promise !== 'acknowledge') continue; // only the acknowledgment's times are drawn
          expect(keys).toContain(emittedKey(name, project.id, promise));
        }
      }
    }
    // bases promises acknowledge and respond; falconpy only acknowledge (48bh)
    expect(keys).toContain(`${METRICS_NAMESPACE} promiseMissed project=bases promise=respond service=security-intake`);
    expect([...keys].some((k) => k.includes('project=falconpy promise=respond'))).toBe(false);
  });

  test('every metric of our namespace on it is one the code writes, with exactly its dimensions', () => {
    const ours = [...keys].filter((k) => k.startsWith(`${METRICS_NAMESPACE} `));
    expect(ours.length).toBeGreaterThan(20);
    for (const key of ours) {
      const [, name, ...pairs] = key.split(' ');
      const dims = pairs.map((p) => p.split('=')[0]).sort();
      if ((COUNT_NAMES as readonly string[]).includes(name)) expect(dims).toEqual(['service']);
      else {
        expect(Object.keys(FIGURE_METRICS)).toContain(name);
        expect(dims).toEqual(['service', ...FIGURE_METRICS[name as FigureName].dimensions].sort());
      }
    }
  });

  test('the p50/p90 of the acknowledgment time and the compliance are computed from those metrics', () => {
    const lines = body.widgets.flatMap((w) => w.properties.metrics ?? []);
    const stats = lines.filter((l) => l.includes('promiseTakenMs')).map((l) => (l.at(-1) as { stat?: string }).stat);
    expect(stats.sort()).toEqual(['p50', 'p50', 'p90', 'p90']);
    const expressions = lines.map((l) => (l.at(-1) as { expression?: string }).expression).filter(Boolean);
    expect(expressions.filter((e) => e!.startsWith('100 * FILL(met'))).toHaveLength(3); // bases: 2 promises, falconpy: 1
  });

  test('every alarm of the stack is linked from it: in the alarm status widget and as its own alarm widget', () => {
    const alarmIds = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarmIds.length).toBeGreaterThan(3);
    const status = body.widgets.find((w) => w.type === 'alarm');
    expect(status?.properties.alarms).toHaveLength(alarmIds.length);
    const alarmGraphs = body.widgets.filter((w) => w.properties.annotations?.alarms?.length === 1);
    expect(alarmGraphs).toHaveLength(alarmIds.length);
    // and the ARNs are the alarms' own (tokens resolved by CloudFormation): each alarm's logical ID is in the body
    const raw = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    for (const id of alarmIds) expect(raw).toContain(id);
  });
});
