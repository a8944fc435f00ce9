/**
 * The Logger and Metrics ports on Powertools for AWS Lambda: JSON log lines with the service name and the
 * Lambda context, and CloudWatch embedded-metric-format counts in namespace `SecurityIntake` (the alarms in
 * infra/constructs/alarms.ts watch `intakeFailed` and `deadlinesMissed` there).
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics as PowertoolsMetrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { FIGURE_METRICS, type FigureDimensions, type FigureName } from '../../core/figure-metrics';
import type { CountName, LogFields, Logger, Metrics } from '../../ports/logger';
import { METRICS_NAMESPACE, SERVICE_NAME } from './metric-names';

export class PowertoolsLoggerAdapter implements Logger {
  constructor(readonly logger: PowertoolsLogger = new PowertoolsLogger({ serviceName: SERVICE_NAME })) {}

  info(message: string, fields?: LogFields): void {
    this.logger.info(message, { ...fields });
  }
  warn(message: string, fields?: LogFields): void {
    this.logger.warn(message, { ...fields });
  }
  error(message: string, fields?: LogFields): void {
    this.logger.error(message, { ...fields });
  }
}

export class PowertoolsMetricsAdapter implements Metrics {
  readonly figures = true;

  constructor(
    readonly metrics: PowertoolsMetrics = new PowertoolsMetrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }),
  ) {}

  /** Published at once: no handler middleware is needed to flush, and a crash later loses no count. */
  count(name: CountName, n = 1): void {
    this.metrics.addMetric(name, MetricUnit.Count, n);
    this.metrics.publishStoredMetrics();
  }

  /**
   * One figure in its own EMF document (a single metric), so that its dimensions (`service`, `project`, and
   * `promise` when the figure is a promise's) do not mix with the deployment-wide counts the alarms watch.
   */
  figure(name: FigureName, value: number, dimensions: FigureDimensions): void {
    const { unit, dimensions: names } = FIGURE_METRICS[name];
    const single = this.metrics.singleMetric();
    for (const d of names) {
      const v = dimensions[d];
      if (v !== undefined) single.addDimension(d, v);
    }
    single.addMetric(name, unit === 'Milliseconds' ? MetricUnit.Milliseconds : MetricUnit.Count, value);
  }
}
