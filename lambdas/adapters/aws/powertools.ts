/**
 * The Logger and Metrics ports on Powertools for AWS Lambda: JSON log lines with the service name and the
 * Lambda context, and CloudWatch embedded-metric-format counts in namespace `SecurityIntake` (the alarms in
 * infra/constructs/alarms.ts watch `intakeFailed` and `deadlinesMissed` there).
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics as PowertoolsMetrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { LogFields, Logger, Metrics } from '../../ports/logger';
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

type CountName = Parameters<Metrics['count']>[0];

export class PowertoolsMetricsAdapter implements Metrics {
  constructor(
    readonly metrics: PowertoolsMetrics = new PowertoolsMetrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }),
  ) {}

  /** Published at once: no handler middleware is needed to flush, and a crash later loses no count. */
  count(name: CountName, n = 1): void {
    this.metrics.addMetric(name, MetricUnit.Count, n);
    this.metrics.publishStoredMetrics();
  }
}
