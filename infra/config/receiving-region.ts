/**
 * SES receives mail only in some regions (AWS General Reference, "Amazon SES endpoints": Email Receiving
 * endpoints `inbound-smtp.<region>.amazonaws.com`, list as of 2024-01). A stack in any other region would deploy
 * a receipt rule that never sees a message, so synth refuses it. AWS adds regions over time: a region added
 * after this list can be allowed with `-c allowReceivingRegion=<region>` once you have checked the endpoint exists.
 */
export const SES_RECEIVING_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'ca-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-central-1',
  'ap-northeast-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
] as const;

export class UnsupportedReceivingRegion extends Error {
  override readonly name = 'UnsupportedReceivingRegion';
  constructor(readonly region: string) {
    super(
      `SES does not receive email in ${region}. Set aws.region in the config to one of ` +
        `${SES_RECEIVING_REGIONS.join(', ')} (the MX record points at inbound-smtp.<region>.amazonaws.com), ` +
        `or, if AWS has since added ${region}, synth with -c allowReceivingRegion=${region}.`,
    );
  }
}

/** Throws UnsupportedReceivingRegion unless SES receives mail in `region` (or the caller explicitly allows it). */
export function checkReceivingRegion(region: string, allowed?: string): void {
  if (allowed && allowed === region) return;
  if (!(SES_RECEIVING_REGIONS as readonly string[]).includes(region)) throw new UnsupportedReceivingRegion(region);
}
