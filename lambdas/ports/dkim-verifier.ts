import type { Readable } from 'node:stream';
import type { DkimSignature } from '../core/maintainer';

/**
 * Verifies every DKIM-Signature of a stored message and says what each one covers. SES gives one verdict for
 * the whole message; acting on a maintainer's mail needs to know which header fields and how much of the body
 * a passing signature covers (DESIGN section 3), so intake verifies the bytes itself, on AWS and locally alike.
 */
export interface DkimVerifier {
  /** Never throws for a bad or unverifiable signature: its result says why. */
  verify(raw: Readable | Buffer): Promise<DkimSignature[]>;
}
