/**
 * The reporter's own answers, read from their words (issue 13): how they wish to be credited (a `Credit:` line, or
 * the answer to the policy's credit question such as "please credit me as ..."), a disclosure date they ask for,
 * a preferred contact. Conservative: only forms a person recognises at a glance; what is found is shown to the
 * maintainers as the reporter's wish, never applied as their decision.
 */
import type { ReporterPreferences } from './report';

const MAX = 200;

const clipped = (s: string) => {
  const t = s.trim().replace(/^["'“”‘’«»]+|["'“”‘’«»]+$/g, '').replace(/[.,;:!]+$/, '').trim();
  return t.length > MAX ? `${t.slice(0, MAX - 3)}...` : t;
};

/** `Credit: ...` and the like on a line of their own (not global: `exec` keeps no state). */
const LINE = {
  credit: /^[ \t]*credit[ \t]*:[ \t]*(\S[^\r\n]*)$/im,
  disclosure: /^[ \t]*disclosure[ \t]*:[ \t]*(\S[^\r\n]*)$/im,
  contact: /^[ \t]*contact[ \t]*:[ \t]*(\S[^\r\n]*)$/im,
};

/** What the text says, in the reporter's words; empty when it says nothing recognisable. */
export function reporterPreferencesOf(text: unknown): Omit<ReporterPreferences, 'from'> {
  if (typeof text !== 'string' || text === '') return {};
  const body = text.length > 100_000 ? text.slice(0, 100_000) : text;
  const flat = body.replace(/\s+/g, ' ');
  const found: Omit<ReporterPreferences, 'from'> = {};

  const line = (name: keyof typeof LINE) => LINE[name].exec(body)?.[1];
  const anonymous = /\b(do not|don't|please don't|rather not) (credit|name|mention|identify) me\b|\b(remain|stay|be credited as|credit me as) anonymous(ly)?\b|\bno credit\b/i.test(flat);
  const creditLine = line('credit');
  const quoted = /\b(?:credit|acknowledge|identify|name|mention|list) me (?:publicly )?as:? ?["“'‘]([^"”'’]{2,200})["”'’]/i.exec(flat)?.[1];
  const plain = /\b(?:credit|acknowledge) me as:? ([^.;\n]{2,120}?)(?:[.;]| when | in the | if |$)/i.exec(flat)?.[1];
  const credit = anonymous ? 'anonymous (asked not to be named)' : (creditLine ?? quoted ?? plain);
  if (credit && clipped(credit) !== '') found.credit = anonymous ? credit : clipped(credit);

  const disclosureLine = line('disclosure');
  const date = /\b(?:publish|disclose|disclosure|go public|embargo ends?)\b[^.]{0,60}?\b(?:on|after|by|until|date)\b:? ?(\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?: ?(?:UTC|Z))?)?)/i.exec(flat)?.[1];
  const disclosure = disclosureLine ?? date;
  if (disclosure && clipped(disclosure) !== '') found.disclosureDate = clipped(disclosure);

  const contact = line('contact');
  if (contact && clipped(contact) !== '') found.contact = clipped(contact);
  return found;
}
