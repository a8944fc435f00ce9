/** The HMAC key for per-report reply addresses: Secrets Manager on AWS, a generated key file locally. */
export interface SecretKeySource {
  replyAddressKey(): Promise<Buffer>;
}
