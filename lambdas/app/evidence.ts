/**
 * The reporter's files for the maintainers (issue 13): the notice and forwarded follow-ups carry the attachments
 * themselves, as many as fit in one message under the sending limit (SES v1 SendRawEmail: 10 MB per message,
 * base64 included, so about 7 MB of files); the rest are listed with how to get them (`secintake attachments`).
 * Parts are passed on untouched (encrypted PGP/S-MIME parts included): never opened, converted or renamed here.
 */
import type { DraftAttachment } from '../core/drafts/draft';
import type { InboundFacts } from '../core/report';
import type { ParsedMessage } from '../core/parsed-message';
import { MAX_OUTBOUND_MESSAGE_BYTES } from '../ports/mail-sender';
import type { Deps } from './deps';
import { BOUNDS, clip } from '../core/bounded';

/** Files up to this many bytes in all go with one message: base64 grows them by 4/3, and the text needs room. */
/** At most this many files go with one mail. */
export const MAX_ATTACHED_FILES = 20;
export const EVIDENCE_BUDGET = Math.floor((MAX_OUTBOUND_MESSAGE_BYTES - 512 * 1024) * 0.74);

export interface Evidence {
  attached: DraftAttachment[];
  /** What did not fit (or could not be read), by name and size: fetched with `secintake attachments <id>`. */
  left: Array<{ filename?: string; size: number }>;
  /** Where the whole stored message can be opened (a file path on the local stack), when something was left. */
  location?: string;
}

/**
 * The parse options that keep the bytes of exactly the files `evidenceFor` attaches (the smallest that fit the
 * budget together), and no others: intake's own parse uses them, so a new report's notice needs no second parse,
 * and memory stays bounded whatever the message holds.
 */
export const EVIDENCE_PARSE = { keepSmallestAttachmentsWithin: EVIDENCE_BUDGET } as const;

/** Smallest first (a stable sort: of equal sizes, message order). */
function bySize<T extends { size: number }>(parts: T[]): T[] {
  return [...parts].sort((x, y) => x.size - y.size);
}

/** The files that go with a mail: smallest first, as many as fit the budget together (the rest do not fit). */
function fitting<T extends { size: number }>(parts: T[]): T[] {
  const out: T[] = [];
  let total = 0;
  for (const a of bySize(parts)) {
    if (total + a.size > EVIDENCE_BUDGET) break;
    total += a.size;
    out.push(a);
  }
  return out;
}

export async function evidenceFor(deps: Deps, facts: InboundFacts, msg: ParsedMessage): Promise<Evidence> {
  if (!msg.attachments.length) return { attached: [], left: [] };
  // a message with more files than a record lists is not one to mail around: the list and the command suffice
  if (msg.attachments.length > MAX_ATTACHED_FILES) return { attached: [], left: msg.attachments.map((a) => ({ filename: a.filename, size: a.size })) };
  let parts: ParsedMessage['attachments'];
  // decrypted mail (issue 17) carries its files already: the stored raw holds only the ciphertext; intake's
  // parse kept the bytes of the files that fit (EVIDENCE_PARSE): no second parse of the raw message then
  if (msg.encryption?.decrypted && msg.attachments.every((a) => a.content)) parts = msg.attachments;
  else if (fitting(msg.attachments).every((a) => a.content)) parts = msg.attachments;
  else try {
    parts = (await deps.parser.parse(await deps.raw.get(facts.rawKey), { limits: deps.config.limits, ...EVIDENCE_PARSE })).attachments;
  } catch {
    // the maintainers still get the list; the files stay in the stored message
    return { attached: [], left: msg.attachments.map((a) => ({ filename: a.filename, size: a.size })) };
  }
  const attached: DraftAttachment[] = [];
  const left: Evidence['left'] = [];
  let total = 0;
  // smallest first: as many files as possible reach the maintainers' inbox
  for (const a of bySize(parts)) {
    if (!a.content || total + a.size > EVIDENCE_BUDGET) {
      left.push({ filename: a.filename, size: a.size });
      continue;
    }
    total += a.size;
    // names and types bounded as on every record (the original name stays in the stored message)
    attached.push({ filename: a.filename === undefined ? undefined : clip(a.filename, BOUNDS.fileName), contentType: clip(a.contentType, BOUNDS.contentType), content: a.content as Buffer, sha256: a.sha256 });
  }
  const location = left.length && deps.raw.locate ? await deps.raw.locate(facts.rawKey).catch(() => undefined) : undefined;
  return { attached, left, ...(location ? { location } : {}) };
}
