/**
 * Times as people write them in policies, read into config durations:
 * "within 24 hours" -> 24h; "2 working days" -> 2bd; "48 - 72 business hours" -> 48bh..72bh (a range: soft and
 * hard); "one week" -> 7d; "weekly", "every 14 days" -> a cadence of 7d, 14d; "90 days" -> 90d; "(> 1 week)" -> a
 * threshold of 7d. Months and years have no config unit: they are found, and marked for a person.
 */
import type { Duration, DurationUnit } from '../duration';

export interface TimePhrase {
  /** The words as written in the sentence. */
  text: string;
  index: number;
  end: number;
  soft?: Duration;
  /** The outer bound of a range ("48 - 72 business hours"). */
  hard?: Duration;
  /** "weekly", "every 14 days", "once a week": how often, not how soon. */
  cadence: boolean;
  /** "> 1 week", "more than a week", "longer than 30 days": a threshold, not a deadline. */
  threshold: boolean;
  /** Found but not readable as a config duration (months, years, minutes of a range...). */
  problem?: string;
}

const WORD_NUMBERS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, eighteen: 18, twenty: 20,
  'twenty-one': 21, 'twenty one': 21, 'twenty-four': 24, 'twenty four': 24, thirty: 30, 'thirty-six': 36,
  'forty-five': 45, 'forty five': 45, 'forty-eight': 48, 'forty eight': 48, sixty: 60, 'seventy-two': 72,
  'seventy two': 72, ninety: 90, 'one hundred twenty': 120, 'one hundred and twenty': 120, 'one hundred eighty': 180,
  half: 0.5,
};

const NUM_WORDS = Object.keys(WORD_NUMBERS)
  .sort((x, y) => y.length - x.length)
  .map((w) => w.replace(/[- ]/g, '[- ]'))
  .join('|');
// "3", "1.5", "three", "three (3)", "72-hour" (the hyphen is taken by the unit)
const NUM = `(?:\\d{1,4}(?:\\.\\d{1,2})?|(?:${NUM_WORDS})(?:\\s*\\(\\d{1,4}\\))?)`;
const UNIT =
  '(?:business|working|work|calendar)?[\\s-]?(?:hours?|hrs?|h|days?|d|weeks?|wks?|months?|years?|minutes?|mins?)\\b|workdays?\\b|weekdays?\\b|business[\\s-]weeks?\\b';
const RANGE_SEP = '\\s*(?:-|–|—|to|or|and)\\s*';

const PHRASE = new RegExp(
  `(?<!\\w)(?:(between|from)\\s+)?(${NUM})(?:${RANGE_SEP}(${NUM}))?(?:\\s*|-)(${UNIT})`,
  'gi',
);
const CADENCE_WORD = /\b(?:(bi-?weekly|fortnightly|every other week)|(weekly|once (?:a|per|every) week|every week)|(daily|every day|once (?:a|per) day)|(monthly|once (?:a|per) month|every month)|(quarterly))\b/gi;

function numberOf(text: string): number | undefined {
  const digits = /\((\d{1,4})\)/.exec(text) ?? /^(\d{1,4}(?:\.\d{1,2})?)$/.exec(text.trim());
  if (digits) return Number(digits[1]);
  return WORD_NUMBERS[text.trim().toLowerCase().replace(/\s+/g, ' ')] ?? WORD_NUMBERS[text.trim().toLowerCase().replace(/-/g, ' ')];
}

/** The config unit of a written unit, and the factor to it ("weeks" -> days x 7); months and years have none. */
function unitOf(word: string): { unit: DurationUnit; factor: number } | { problem: string } {
  const w = word.toLowerCase().replace(/[\s-]+/g, ' ').trim();
  const business = /^(business|working|work) /.test(w) || /^(workday|weekday)/.test(w);
  const base = w.replace(/^(business|working|work|calendar) /, '');
  if (/^business weeks?$/.test(w) || (business && /^w/.test(base) && !/^(workday|weekday)/.test(w))) {
    return { problem: 'business weeks: choose working days (e.g. 5bd per week) or calendar days' };
  }
  if (/^(workday|weekday)/.test(w)) return { unit: 'bd', factor: 1 };
  if (/^(hours?|hrs?|h)$/.test(base)) return business ? { unit: 'bh', factor: 1 } : { unit: 'h', factor: 1 };
  if (/^(days?|d)$/.test(base)) return business ? { unit: 'bd', factor: 1 } : { unit: 'd', factor: 1 };
  if (/^(weeks?|wks?)$/.test(base)) return { unit: 'd', factor: 7 };
  if (/^(minutes?|mins?)$/.test(base)) return business ? { problem: 'business minutes' } : { unit: 'm', factor: 1 };
  if (/^months?$/.test(base)) return { problem: 'months have no fixed length: choose days (e.g. 90d)' };
  return { problem: 'years have no config unit: choose days' };
}

const tidy = (n: number) => Number(n.toPrecision(12));

/** Every time phrase in a sentence, left to right. */
export function findTimes(sentence: string): TimePhrase[] {
  const found: TimePhrase[] = [];
  for (const m of sentence.matchAll(PHRASE)) {
    const [all, between, first, second, unitWord] = m;
    // "a"/"an" only count before a singular unit ("a week", "an hour"): "a 2 days" is not a thing
    const a = numberOf(first);
    const b = second === undefined ? undefined : numberOf(second);
    if (a === undefined || (second !== undefined && b === undefined)) continue;
    if (/^(a|an)$/i.test(first.trim()) && (second !== undefined || /s\b/i.test(unitWord.trim()))) continue;
    if (/^(a|an|one)$/i.test(first.trim()) && /^\s*(d|h)$/i.test(unitWord)) continue;
    // "and" joins two numbers only in "between N and M"
    if (second !== undefined && /\band\b/i.test(all) && !between) continue;
    const before = sentence.slice(Math.max(0, m.index - 40), m.index);
    const phrase: TimePhrase = {
      text: all.trim(),
      index: m.index,
      end: m.index + all.length,
      cadence: /\b(?:every|once)\s*$/i.test(before) || /\bonce\s+(?:every|per|each)\s*$/i.test(before),
      threshold: /(?:>|more than|longer than|over|exceeds?|beyond|greater than|at least)\s*\(?\s*$/i.test(before),
    };
    const unit = unitOf(unitWord);
    if ('problem' in unit) phrase.problem = unit.problem;
    else if (a <= 0 || (b !== undefined && b < a)) phrase.problem = 'not a forward time span';
    else {
      phrase.soft = { amount: tidy(a * unit.factor), unit: unit.unit };
      if (b !== undefined && b !== a) phrase.hard = { amount: tidy(b * unit.factor), unit: unit.unit };
    }
    found.push(phrase);
  }
  for (const m of sentence.matchAll(CADENCE_WORD)) {
    // "once a week": the cadence word takes the time inside it
    for (let i = found.length - 1; i >= 0; i--) if (found[i].index < m.index + m[0].length && m.index < found[i].end) found.splice(i, 1);
    const [all, fortnight, week, day, month] = m;
    const phrase: TimePhrase = { text: all, index: m.index, end: m.index + all.length, cadence: true, threshold: false };
    if (fortnight) phrase.soft = { amount: 14, unit: 'd' };
    else if (week) phrase.soft = { amount: 7, unit: 'd' };
    else if (day) phrase.soft = { amount: 1, unit: 'd' };
    else phrase.problem = month ? 'monthly: months have no fixed length, choose days (e.g. 30d)' : 'quarterly: choose days';
    found.push(phrase);
  }
  return found.sort((x, y) => x.index - y.index);
}
