/**
 * Threading (DESIGN section 3): which report an inbound message belongs to. The use case gathers the keys
 * (`threadingKeys`), looks them up in the store, and `decideThread` decides, in this order:
 *   1. a valid per-report reply address (its HMAC cannot be guessed);
 *   2. one of our Message-IDs in In-Reply-To / References;
 *   3. the subject tag, but only from that report's reporter or an authenticated maintainer of it. Report IDs
 *      become public during an embargo, so a stranger's tag opens a new report that relates to the old one.
 * A tampered reply address is never used; the other rules still apply.
 */
import type { SignedHeaders } from './maintainer';
import type { InboundFacts } from './report';
import type { ParsedMessage } from './parsed-message';
import { parseReplyAddress } from './reply-address';
import { normalizeReportId } from './report-id';

export type ReplyAddressKey = { kind: 'none' } | { kind: 'valid'; reportId: string; internal: boolean } | { kind: 'tampered' };

export interface ThreadingKeys {
  replyAddress: ReplyAddressKey;
  /** Our Message-IDs this message answers: In-Reply-To first, then References newest first. */
  ourMessageIds: string[];
  /** Other Message-IDs it answers, same order (e.g. the reporter's own earlier message). */
  foreignMessageIds: string[];
  /** Report IDs named in a subject tag, canonical, in order of appearance. */
  taggedIds: string[];
}

export interface ThreadingOptions {
  key: Buffer;
  messageIdDomain: string;
  /** The project's subject tag template, e.g. `[security report #{id}]`. */
  subjectTag: string;
}

export type ThreadDecision =
  | { kind: 'existing'; reportId: string; via: 'reply-address' | 'message-id' | 'subject-tag'; reason: string }
  | { kind: 'new'; relatesTo: string[]; reason: string };

export interface ThreadLookups {
  /** The report found for the first of `ourMessageIds` (or any foreign ID) in the Message-ID index. */
  byMessageId?: string;
  /** The tagged reports that exist, with their reporter's address. */
  tagged: { id: string; reporter: string }[];
}

/** Message-IDs in a header value: every `<...>`, or bare whitespace-separated tokens without brackets. */
export function messageIdsIn(value: string | undefined): string[] {
  if (!value) return [];
  const bracketed = value.match(/<[^<>\s]+>/g);
  const tokens = bracketed ? bracketed.map((t) => t.slice(1, -1)) : value.split(/\s+/);
  return tokens.map((t) => t.trim()).filter((t) => t.includes('@'));
}

function messageIdDomain(id: string): string {
  return id.slice(id.lastIndexOf('@') + 1).toLowerCase();
}

/** A regular expression for the tag template, tolerant of case, spacing and a missing dash in the ID. */
export function subjectTagPattern(template: string): RegExp {
  const [before, after] = template.split('{id}') as [string, string?];
  const literal = (s: string) =>
    s
      .trim()
      .split(/\s+/)
      .filter((w) => w !== '')
      .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('\\s*');
  return new RegExp(`${literal(before)}\\s*([0-9A-Za-z]{4}[- ]?[0-9A-Za-z]{4})\\s*${literal(after ?? '')}`, 'gi');
}

/** Per template, compiled once: only ever used through matchAll, which matches on a copy (lastIndex untouched). */
const tagPatterns = new Map<string, RegExp>();
function cachedTagPattern(template: string): RegExp {
  let pattern = tagPatterns.get(template);
  if (!pattern) {
    pattern = subjectTagPattern(template);
    if (tagPatterns.size >= 1024) tagPatterns.clear();
    tagPatterns.set(template, pattern);
  }
  return pattern;
}

export function threadingKeys(msg: ParsedMessage, facts: InboundFacts, opts: ThreadingOptions): ThreadingKeys {
  // Envelope recipients first (they are where the mail was delivered), then the visible To and Cc.
  const candidates = [...facts.recipients, ...msg.to.map((a) => a.address), ...msg.cc.map((a) => a.address)];
  let replyAddress: ReplyAddressKey = { kind: 'none' };
  for (const address of candidates) {
    const parsed = parseReplyAddress(address, opts.key);
    if (parsed.kind === 'valid') {
      replyAddress = { kind: 'valid', reportId: parsed.reportId, internal: parsed.internal };
      break;
    }
    if (parsed.kind === 'tampered') replyAddress = { kind: 'tampered' };
  }

  const answered = [...messageIdsIn(msg.inReplyTo), ...msg.references.flatMap((r) => messageIdsIn(r)).reverse()];
  const ours: string[] = [];
  const foreign: string[] = [];
  const domain = opts.messageIdDomain.toLowerCase();
  for (const id of answered) {
    const list = messageIdDomain(id) === domain ? ours : foreign;
    if (!list.includes(id)) list.push(id);
  }

  const taggedIds: string[] = [];
  for (const match of (msg.subject ?? '').slice(0, 2000).matchAll(cachedTagPattern(opts.subjectTag))) {
    const id = normalizeReportId(match[1]!);
    if (id && !taggedIds.includes(id)) taggedIds.push(id);
  }
  return { replyAddress, ourMessageIds: ours, foreignMessageIds: foreign, taggedIds };
}

export function decideThread(
  keys: ThreadingKeys,
  found: ThreadLookups,
  sender: string,
  isMaintainerOf: (reportId: string) => boolean,
): ThreadDecision {
  const tamperedNote = keys.replyAddress.kind === 'tampered' ? 'reply address MAC did not verify (ignored); ' : '';
  if (keys.replyAddress.kind === 'valid') {
    return {
      kind: 'existing',
      reportId: keys.replyAddress.reportId,
      via: 'reply-address',
      reason: `sent to the reply address of ${keys.replyAddress.reportId}`,
    };
  }
  if (found.byMessageId) {
    return {
      kind: 'existing',
      reportId: found.byMessageId,
      via: 'message-id',
      reason: `${tamperedNote}answers a message of ${found.byMessageId}`,
    };
  }
  const from = sender.trim().toLowerCase();
  const tagged = found.tagged.filter((t) => keys.taggedIds.includes(t.id));
  for (const t of tagged) {
    if (from !== '' && t.reporter.trim().toLowerCase() === from) {
      return { kind: 'existing', reportId: t.id, via: 'subject-tag', reason: `${tamperedNote}subject tag ${t.id}, from its reporter` };
    }
    if (isMaintainerOf(t.id)) {
      return {
        kind: 'existing',
        reportId: t.id,
        via: 'subject-tag',
        reason: `${tamperedNote}subject tag ${t.id}, from an authenticated maintainer`,
      };
    }
  }
  if (tagged.length > 0) {
    const ids = tagged.map((t) => t.id);
    return {
      kind: 'new',
      relatesTo: ids,
      reason: `${tamperedNote}subject tag ${ids.join(', ')} from someone who is neither its reporter nor an authenticated maintainer: a new report`,
    };
  }
  if (keys.taggedIds.length > 0) {
    return { kind: 'new', relatesTo: [], reason: `${tamperedNote}subject tag names no known report (${keys.taggedIds.join(', ')})` };
  }
  return { kind: 'new', relatesTo: [], reason: `${tamperedNote}no reply address, known Message-ID or subject tag` };
}

/**
 * The reports a DKIM signature's signed header fields refer to: a valid reply address in the signed To or Cc, or
 * a subject tag in the signed Subject. A maintainer's mail acts only on these (the envelope recipient, an unsigned
 * header or a second Subject above the signed one are not the signer's words).
 */
export function signedReportRefs(signed: SignedHeaders, opts: Pick<ThreadingOptions, 'key' | 'subjectTag'>): string[] {
  const ids: string[] = [];
  for (const address of [...signed.to, ...signed.cc]) {
    const parsed = parseReplyAddress(address, opts.key);
    if (parsed.kind === 'valid' && !ids.includes(parsed.reportId)) ids.push(parsed.reportId);
  }
  for (const match of (signed.subject ?? '').slice(0, 2000).matchAll(cachedTagPattern(opts.subjectTag))) {
    const id = normalizeReportId(match[1]!);
    if (id && !ids.includes(id)) ids.push(id);
  }
  return ids;
}
