/**
 * Report IDs: unique per deployment, short, easy to read aloud, not sequential (DESIGN section 3).
 *
 * 8 characters of Crockford base32 (digits and letters without I, L, O, U, so nothing reads as 1 or 0 and
 * nothing spells much), shown as two groups of four: `K7QM-2XPD`. 40 bits: collisions are rare but possible,
 * so the caller retries with `attempt + 1` when a conditional write finds the ID taken.
 */
import { createHash } from 'node:crypto';

/** Crockford's base32 alphabet (https://www.crockford.com/base32.html). */
export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The canonical form: `XXXX-XXXX`, upper case. */
export const REPORT_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

/** Encodes bytes as Crockford base32, most significant bit first, `length` characters. */
export function crockfordBase32(bytes: Uint8Array, length: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += CROCKFORD_ALPHABET[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= length) break;
  }
  if (out.length < length) throw new RangeError(`need more than ${bytes.length} bytes for ${length} characters`);
  return out;
}

/**
 * The report ID to try for a message. Deterministic: the seed is the SES messageId, so a redelivery of the
 * same message yields the same ID and creating the report stays idempotent. `attempt` > 0 after a collision.
 */
export function reportIdCandidate(seed: string, attempt: number): string {
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError(`attempt must be a whole number >= 0, got ${attempt}`);
  // The separator keeps ("a1", 0) and ("a", 10) apart.
  const digest = createHash('sha256').update(`${seed}\u0000${attempt}`, 'utf8').digest();
  const chars = crockfordBase32(digest, 8);
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}

/**
 * Reads an ID as a person may have typed or dictated it: any case, with or without the dash (or a space),
 * with the confusable letters O (as 0) and I / L (as 1). Returns the canonical form, or undefined.
 */
export function normalizeReportId(s: string): string | undefined {
  if (typeof s !== 'string' || s.length > 32) return undefined;
  const compact = s
    .trim()
    .toUpperCase()
    .replace(/^#/, '')
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (!/^[0-9A-HJKMNP-TV-Z]{8}$/.test(compact)) return undefined;
  return `${compact.slice(0, 4)}-${compact.slice(4)}`;
}
