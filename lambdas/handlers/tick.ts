/** Lambda for the workflow's `Tick` state: payload `{ reportId, execution }`, returns the plan. */
import { awsDeployment } from '../adapters/aws/deployment';
import { tick, type TickInput, type TickOutput } from '../app/tick';

export const handler = async (event: TickInput): Promise<TickOutput> => tick(awsDeployment(), event);
