/** Lambda run daily by an EventBridge schedule (issue 19): applies each project's retention (see app/retention.ts);
 *  DynamoDB's TTL then deletes what expired. Logs counts and IDs only. */
import { awsDeployment } from '../adapters/aws/deployment';
import { applyRetention, type RetentionResult } from '../app/retention';

export const handler = async (): Promise<RetentionResult> => {
  const deps = awsDeployment();
  const result = await applyRetention(deps);
  deps.log.info('retention applied', { redacted: result.redacted.length, expiring: result.expiring.length, released: result.released.length });
  return result;
};
