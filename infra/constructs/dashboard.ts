/**
 * One CloudWatch dashboard for the deployment (issue 19): what came in and what was missed, from the counts the
 * use cases emit (Powertools Metrics, namespace SecurityIntake), the functions' errors, and the state of every
 * alarm the stack already has, linked from it. The per-project SLA figures are `secintake sla` (not metrics).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../lambdas/adapters/aws/metric-names';

export interface DashboardProps {
  name: string;
  alarms: cloudwatch.IAlarm[];
  functions: Record<string, lambda.IFunction>;
}

const count = (metricName: string, label: string) =>
  new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service: SERVICE_NAME }, statistic: 'Sum', period: Duration.days(1), label });

export class Dashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: props.name, defaultInterval: Duration.days(28) });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Reports received and quarantined (per day)',
        left: [count('received', 'received'), count('quarantined', 'quarantined')],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Deadlines missed (per day)',
        left: [count('deadlinesMissed', 'missed deadlines')],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Intake failures and mail sent (per day)',
        left: [count('intakeFailed', 'intake failed')],
        right: [count('mailSent', 'mail sent'), count('receiptsSent', 'receipts sent')],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function errors (per hour)',
        left: Object.entries(props.functions).map(([name, fn]) => fn.metricErrors({ period: Duration.hours(1), statistic: 'Sum', label: name })),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: 24 }));
  }
}
