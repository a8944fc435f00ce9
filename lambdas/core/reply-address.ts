/**
 * Per-report reply addresses: `security+<id>.<mac>@domain` (DESIGN section 3). The MAC is an HMAC of the
 * report ID under a deployment secret, so a stranger who knows a (public) report ID cannot forge the address
 * that files mail into that report.
 *
 * Internal notes carry an internal variant, `security+<id>i.<mac>@domain`, with its own MAC (the flag cannot be
 * added or removed): a reply to it stays among the maintainers unless it says `Internal: no`. Only maintainers
 * ever see it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { crockfordBase32, normalizeReportId } from './report-id';

/** Characters of base32 MAC kept: 50 bits, far beyond what guessing by mail can reach. */
const MAC_LENGTH = 10;
const TAG_PATTERN = /^([0-9a-z]{8})(i?)\.([0-9a-z]{10})$/i;

export type ReplyAddressParse =
  | { kind: 'none' }
  | { kind: 'valid'; reportId: string; base: string; internal: boolean }
  | { kind: 'tampered'; base: string };

function mac(key: Buffer, canonicalId: string, internal = false): string {
  const data = internal ? `${canonicalId}#internal` : canonicalId;
  // a message's mail asks for the same few (each mail's envelope, its reply address): an HMAC context costs more
  // than the rest of the address; remembered by the key's bytes, so another key never meets this one's MACs
  const memoKey = `${key.toString('base64')} ${data}`;
  const known = macs.get(memoKey);
  if (known !== undefined) return known;
  const digest = createHmac('sha256', key).update(data, 'utf8').digest();
  const value = crockfordBase32(digest, MAC_LENGTH).toLowerCase();
  if (macs.size >= MAX_MACS) macs.clear();
  macs.set(memoKey, value);
  return value;
}

/** Recently computed MACs (a few per message; bounded). */
const macs = new Map<string, string>();
const MAX_MACS = 256;

function splitAddress(address: string): { local: string; domain: string } | undefined {
  const bare = address.trim().replace(/^<(.*)>$/, '$1');
  const at = bare.lastIndexOf('@');
  if (at <= 0 || at === bare.length - 1) return undefined;
  return { local: bare.slice(0, at), domain: bare.slice(at + 1) };
}

/** The address without any `+tag`, lower-cased: what the project's configured address looks like. */
export function baseAddress(address: string): string {
  const parts = splitAddress(address);
  if (!parts) return address.trim().toLowerCase();
  const plus = parts.local.indexOf('+');
  const local = plus >= 0 ? parts.local.slice(0, plus) : parts.local;
  return `${local}@${parts.domain}`.toLowerCase();
}

/** The reply address of one report, built on the project's security address. */
export function replyAddress(securityAddress: string, reportId: string, key: Buffer, opts: { internal?: boolean } = {}): string {
  const id = normalizeReportId(reportId);
  if (!id) throw new TypeError(`${JSON.stringify(reportId)} is not a report ID (expected e.g. K7QM-2XPD)`);
  const base = splitAddress(baseAddress(securityAddress));
  if (!base) throw new TypeError(`${JSON.stringify(securityAddress)} is not an email address`);
  const compactId = id.replace('-', '').toLowerCase();
  const internal = opts.internal === true;
  return `${base.local}+${compactId}${internal ? 'i' : ''}.${mac(key, id, internal)}@${base.domain}`;
}

/**
 * Reads a recipient address. `none`: no tag, or a tag that is not one of ours (someone's own sub-addressing);
 * `valid`: ours, MAC checked; `tampered`: shaped like ours but the MAC does not match. Never used for threading
 * when tampered.
 */
export function parseReplyAddress(address: string, key: Buffer): ReplyAddressParse {
  const parts = splitAddress(address);
  if (!parts) return { kind: 'none' };
  const base = baseAddress(address);
  const plus = parts.local.indexOf('+');
  if (plus < 0) return { kind: 'none' };
  const tag = TAG_PATTERN.exec(parts.local.slice(plus + 1));
  if (!tag) return { kind: 'none' };
  const id = normalizeReportId(tag[1]!);
  if (!id) return { kind: 'none' };
  const internal = tag[2]!.toLowerCase() === 'i';
  const expected = Buffer.from(mac(key, id, internal), 'utf8');
  const given = Buffer.from(tag[3]!.toLowerCase(), 'utf8');
  // Both are MAC_LENGTH ASCII characters (the pattern guarantees it), as timingSafeEqual requires.
  if (!timingSafeEqual(expected, given)) return { kind: 'tampered', base };
  return { kind: 'valid', reportId: id, base, internal };
}
