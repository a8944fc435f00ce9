/** Lambda for the workflow's `Sleep` state (`.waitForTaskToken`): stores the token on the report. */
import { awsDeployment } from '../adapters/aws/deployment';
import { arm, type ArmInput } from '../app/arm';

export const handler = async (event: ArmInput): Promise<void> => arm(awsDeployment(), event);
