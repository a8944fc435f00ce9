/** Where the Powertools Metrics adapter publishes and the CDK alarms look: both sides import these. */
export const METRICS_NAMESPACE = 'SecurityIntake';
/** Powertools adds it as the `service` dimension of every metric. */
export const SERVICE_NAME = 'security-intake';
