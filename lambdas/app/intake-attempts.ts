/** Intake runs at most this often for one SES message: Lambda's first try and its asynchronous retries (the
 *  stack sets `retryAttempts` to this minus one); then the event goes to the failure queue. The last attempt
 *  tells a maintainer whose reply could not be relayed, so that a failure is never silent. */
export const INTAKE_ATTEMPTS = 3;
