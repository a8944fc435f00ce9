/**
 * One CloudWatch dashboard for the deployment (issue 19). Per project: reports received and quarantined, the
 * acknowledgment time p50/p90, compliance per promise, missed deadlines, time to disclosure and between updates
 * (the SLA figures the Tick publishes, core/figure-metrics.ts: dimensions `project` and `promise`); for the
 * whole deployment: the counts the use cases emit, intake failures, the functions' errors, and the state of
 * every alarm the stack already has, linked from it (each alarm widget opens its alarm).
 *
 * Every metric is built here from the same FIGURE_METRICS / COUNT_NAMES the code publishes with, and a test
 * (test/infra/dashboard.test.ts) compares them with what the Powertools adapter really writes.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../lambdas/adapters/aws/metric-names';
import { FIGURE_METRICS, type FigureDimensions, type FigureName } from '../../lambdas/core/figure-metrics';
import type { CountName } from '../../lambdas/ports/logger';

export interface DashboardProject {
  id: string;
  /** The promises its policy makes (acknowledge always; respond, update, embargo when configured). */
  promises: string[];
}

export interface DashboardProps {
  name: string;
  alarms: cloudwatch.IAlarm[];
  functions: Record<string, lambda.IFunction>;
  projects: DashboardProject[];
}

const DAY = Duration.days(1);
const WEEK = Duration.days(7);
const HOUR_MS = 3_600_000;

/** A deployment-wide count (dimension `service`). */
export const countMetric = (metricName: CountName, label: string, period = DAY) =>
  new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service: SERVICE_NAME }, statistic: 'Sum', period, label });

/** A figure of one project, with exactly the dimensions it is published with. */
export function figureMetric(name: FigureName, dims: FigureDimensions, opts: { statistic?: string; period?: Duration; label?: string } = {}) {
  const dimensionsMap: Record<string, string> = { service: SERVICE_NAME };
  for (const d of FIGURE_METRICS[name].dimensions) {
    const value = dims[d];
    if (value === undefined) throw new Error(`metric ${name} needs the dimension ${d}`);
    dimensionsMap[d] = value;
  }
  return new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap, statistic: opts.statistic ?? 'Sum', period: opts.period ?? DAY, ...(opts.label ? { label: opts.label } : {}) });
}

/** Promises of a policy, as the figures name them. */
export function promisesOf(timers: { respond?: unknown; update?: unknown; embargo?: unknown }): string[] {
  return ['acknowledge', ...(timers.respond ? ['respond'] : []), ...(timers.update ? ['update'] : []), ...(timers.embargo ? ['embargo'] : [])];
}

/** Metric math IDs must be unique in a graph: `prefix` + a counter. */
let ids = 0;
const nextId = (prefix: string) => `${prefix}${++ids}`;

/** `metric` divided by `unitMs`: milliseconds shown in hours or days. */
function scaled(metric: cloudwatch.IMetric, unitMs: number, label: string) {
  const id = nextId('t');
  return new cloudwatch.MathExpression({ expression: `${id} / ${unitMs}`, usingMetrics: { [id]: metric }, label, period: WEEK });
}

/** Compliance in percent: met in time / due (met + missed) over each week. */
function compliance(project: string, promise: string) {
  const met = nextId('met');
  const missed = nextId('missed');
  return new cloudwatch.MathExpression({
    expression: `100 * FILL(${met}, 0) / (FILL(${met}, 0) + FILL(${missed}, 0))`,
    usingMetrics: {
      [met]: figureMetric('promiseMet', { project, promise }, { period: WEEK }),
      [missed]: figureMetric('promiseMissed', { project, promise }, { period: WEEK }),
    },
    label: promise,
    period: WEEK,
  });
}

export class Dashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    ids = 0; // the same IDs on every synthesis
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: props.name, defaultInterval: Duration.days(90) });
    const projects = props.projects;

    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# Security intake: how promises are kept\nPer project, from the SLA figures each report's workflow publishes (compliance = met in time / due, weekly; times in the promise's own measure, working hours for \`bh\`/\`bd\` promises). The same figures, per month or quarter and per report: \`secintake sla\`. Alarms are at the bottom; each opens its alarm.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Reports received and quarantined, per project (per day)',
        left: projects.flatMap((p) => [figureMetric('reportsReceived', { project: p.id }, { label: `${p.id} received` }), figureMetric('reportsQuarantined', { project: p.id }, { label: `${p.id} quarantined` })]),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Acknowledgment time p50 / p90, per project (hours, weekly)',
        left: projects.flatMap((p) =>
          ['p50', 'p90'].map((stat) => scaled(figureMetric('promiseTakenMs', { project: p.id, promise: 'acknowledge' }, { statistic: stat, period: WEEK }), HOUR_MS, `${p.id} ${stat}`)),
        ),
        leftYAxis: { min: 0, label: 'hours' },
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      ...projects.map(
        (p) =>
          new cloudwatch.GraphWidget({
            title: `${p.id}: compliance per promise (% met in time, weekly)`,
            left: p.promises.map((promise) => compliance(p.id, promise)),
            leftYAxis: { min: 0, max: 100, label: '%' },
            width: projects.length === 1 ? 24 : 12,
          }),
      ),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Deadlines missed, per project and promise (per day)',
        left: projects.flatMap((p) => p.promises.map((promise) => figureMetric('promiseMissed', { project: p.id, promise }, { label: `${p.id} ${promise}` }))),
        right: [countMetric('deadlinesMissed', 'escalations (all projects)')],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Time to disclosure and between updates, per project (p50, days, weekly)',
        left: projects.flatMap((p) => [
          scaled(figureMetric('disclosureMs', { project: p.id }, { statistic: 'p50', period: WEEK }), 24 * HOUR_MS, `${p.id} disclosure`),
          scaled(figureMetric('updateIntervalMs', { project: p.id }, { statistic: 'p50', period: WEEK }), 24 * HOUR_MS, `${p.id} update interval`),
        ]),
        right: projects.map((p) => figureMetric('reportsDisclosed', { project: p.id }, { period: WEEK, label: `${p.id} disclosed` })),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Quarantine and intake failures (per day)',
        left: [countMetric('quarantined', 'quarantined (all)'), ...projects.map((p) => figureMetric('reportsQuarantined', { project: p.id }, { label: `${p.id} quarantined` }))],
        right: [countMetric('intakeFailed', 'intake failed (all)'), ...projects.map((p) => figureMetric('intakeFailures', { project: p.id }, { label: `${p.id} intake failed` }))],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Mail in and out (per day)',
        left: [countMetric('received', 'messages received')],
        right: [countMetric('mailSent', 'mail sent'), countMetric('receiptsSent', 'receipts sent')],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Function errors (per hour)',
        left: Object.entries(props.functions).map(([name, fn]) => fn.metricErrors({ period: Duration.hours(1), statistic: 'Sum', label: name })),
        width: 24,
      }),
    );
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms (each opens its alarm)', alarms: props.alarms, width: 24 }));
    // and each alarm as a graph of its metric against its threshold
    for (let i = 0; i < props.alarms.length; i += 4) {
      this.dashboard.addWidgets(...props.alarms.slice(i, i + 4).map((alarm) => new cloudwatch.AlarmWidget({ alarm, width: 6, height: 5 })));
    }
  }
}
