import type { FigureDimensions, FigureName } from '../core/figure-metrics';

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

/** The deployment-wide counts (dimension `service` only: the alarms watch some of them). */
export const COUNT_NAMES = ['received', 'quarantined', 'receiptsSent', 'deadlinesMissed', 'mailSent', 'intakeFailed'] as const;
export type CountName = (typeof COUNT_NAMES)[number];

/**
 * Counts (received, quarantined, receipts sent, deadlines missed) for the whole deployment, and the per-project
 * SLA figures (issue 19; names, units and dimensions in core/figure-metrics.ts): Powertools Metrics on AWS.
 */
export interface Metrics {
  count(name: CountName, n?: number): void;
  /** One figure of one project (dimension `project`, and `promise` for a promise's figures). */
  figure(name: FigureName, value: number, dimensions: FigureDimensions): void;
  /** False where figures go nowhere (locally): the use cases then skip computing them (and the write they take). */
  readonly figures: boolean;
}

export const noMetrics: Metrics = { count() {}, figure() {}, figures: false };
