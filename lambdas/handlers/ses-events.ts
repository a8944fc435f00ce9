/** SES bounce and complaint events (SNS, from the configuration set): recorded on the report they belong to. */
import type { SNSEvent } from 'aws-lambda';
import { awsDeployment } from '../adapters/aws/deployment';
import { deliveryFailuresFromSns } from '../adapters/aws/ses-notification';
import { recordDeliveryFailure } from '../app/delivery-failure';

export const handler = async (event: SNSEvent): Promise<void> => {
  const deps = awsDeployment();
  for (const failure of deliveryFailuresFromSns(event)) {
    const { reportId } = await recordDeliveryFailure(deps, failure);
    deps.log.info('delivery failure', { type: failure.type, reportId: reportId ?? 'none' });
  }
};
