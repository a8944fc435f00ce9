/**
 * Structured logs carry IDs (reportId, sesMessageId) and outcomes, never report content: no subjects, bodies,
 * addresses of reporters. Powertools Logger on AWS; a JSON-lines or silent logger locally.
 */
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** Counts (received, quarantined, receipts sent, deadlines missed): Powertools Metrics on AWS. */
export interface Metrics {
  count(name: 'received' | 'quarantined' | 'receiptsSent' | 'deadlinesMissed' | 'mailSent' | 'intakeFailed', n?: number): void;
}

export const noMetrics: Metrics = { count() {} };
