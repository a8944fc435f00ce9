/**
 * Retention on the local stack, when its clock moves (issue 19): the same use case as the daily schedule on AWS,
 * then what DynamoDB's TTL would do, which dynalite never does: items whose `expiresAt` has passed are deleted.
 */
import type { Deps } from '../app/deps';
import { applyRetention, type RetentionResult } from '../app/retention';
import type { DynamoReportStore } from '../adapters/aws/dynamo-report-store';
import { epochSeconds } from '../core/retention';

export async function localRetention(deps: Deps, store: DynamoReportStore): Promise<RetentionResult & { deleted: number }> {
  const result = await applyRetention(deps);
  const deleted = await store.deleteExpired(epochSeconds(deps.clock.now()));
  if (deleted || result.redacted.length || result.expiring.length) {
    deps.log.info('retention', { redacted: result.redacted.length, expiring: result.expiring.length, deleted });
  }
  return { ...result, deleted };
}
