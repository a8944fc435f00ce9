/**
 * Every string a record keeps from mail has a bound (trust boundary 1): a DynamoDB item holds at most 400 KB,
 * and a 1 MB subject or 10,000 attachments must still become a normal report. What does not fit is marked as
 * cut; the raw message, the source of truth, keeps it whole.
 */
export const BOUNDS = {
  subject: 1000,
  name: 200,
  address: 320,
  messageId: 998,
  fileName: 200,
  contentType: 100,
  reason: 500,
  excerpt: 4000,
  /** Attachments listed per message record; the rest are counted. */
  attachments: 100,
  /** Recipients and other lists per record. */
  list: 50,
} as const;

/** `text` cut to `max` characters (whole UTF-16 code points), with a marker saying how much was cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--; // never split a surrogate pair
  return `${text.slice(0, end)} [... ${text.length - end} more characters, kept in the raw message]`;
}

/** The first `max` items, for lists whose length the mail decides. */
export function firstOf<T>(items: T[], max: number): T[] {
  return items.length <= max ? items : items.slice(0, max);
}
