/** Lambda run hourly by an EventBridge schedule (issue 19): sends each project's weekly digest at its instant,
 *  once (see app/weekly-digest.ts). Logs outbox IDs only. */
import { awsDeployment } from '../adapters/aws/deployment';
import { sendWeeklyDigests } from '../app/weekly-digest';

export const handler = async (): Promise<{ sent: string[] }> => {
  const deps = awsDeployment();
  const sent = await sendWeeklyDigests(deps);
  deps.log.info('weekly digests', { sent: sent.length });
  return { sent };
};
