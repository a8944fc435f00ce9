/**
 * What kind of sentence this is, before any time in it is taken as a promise: English or not, a promise made by
 * the project or a request to the reporter, hedged, negated. The importer never guesses: anything that is not
 * plainly the project's own promise goes to a person ("unsure") or is set aside with its reason.
 */

const NON_LATIN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Cyrillic}\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Greek}\p{Script=Thai}\p{Script=Devanagari}]/gu;

const ENGLISH = new Set(
  ('the we will to of and you your a an in for is be are our with within please this that on by it or as any if ' +
    'us report reports security vulnerability vulnerabilities hours days business working receive response ' +
    'acknowledge weeks provide send email after before all not can should')
    .split(' '),
);
const FOREIGN = new Set(
  ('der die das und wir werden innerhalb stunden tagen sie ihre ihren eine einer nicht bitte wird melden ' +
    'le la les et nous vous dans heures jours une des est pour sous votre sera sont ' +
    'el los las y nosotros dentro horas días dias una para por su será en ' +
    'il gli noi entro ore giorni della delle sarà ' +
    'os nós uma em seu será ' +
    'het wij binnen uur dagen een zal ' +
    'och vi inom timmar dagar')
    .split(' '),
);

/** A sentence in a language this importer does not read (anything but English). */
export function notEnglish(sentence: string): boolean {
  const letters = sentence.match(/\p{L}/gu)?.length ?? 0;
  if (letters === 0) return false;
  const other = sentence.match(NON_LATIN)?.length ?? 0;
  if (other / letters > 0.3) return true;
  const words = sentence.toLowerCase().match(/\p{L}+/gu) ?? [];
  let english = 0;
  let foreign = 0;
  for (const w of words) {
    if (ENGLISH.has(w)) english++;
    if (FOREIGN.has(w)) foreign++;
  }
  return foreign >= 2 && foreign > english;
}

/** Asks something of the reporter ("please do not ask more than once every 14 days"): never a project promise. */
const REPORTER_LIMIT =
  /^\s*(?:please|kindly)\b|\b(?:please|kindly)\s+(?:do not|don't|refrain|avoid|wait|allow|give|hold|keep|refrain)\b|\b(?:you|reporters?|researchers?|submitters?)\s+(?:must|should|shall|may|are asked to|agree to)\s+(?:not|refrain|wait|allow|give|keep|avoid|hold)\b|\bdo not\s+(?:ask|contact|disclose|publish|follow up|send|share|post|ping|open)\b|\bwe\s+(?:ask|request|expect)\s+(?:that\s+)?(?:you|reporters?|researchers?)\b|\b(?:allow|give|grant)\s+us\b|\bno more than once\b|\brefrain\b/i;
/** A promise addressed to the reporter ("you should receive ...", "you can expect ...") is still the project's. */
const PROMISE_TO_REPORTER = /\byou\s+(?:should|will|can|may|shall)\s+(?:expect|receive|hear|get|be (?:contacted|notified|informed))\b|\bexpect (?:to hear|a (?:response|reply))/i;

export function limitsReporter(sentence: string): boolean {
  return REPORTER_LIMIT.test(sentence) && !PROMISE_TO_REPORTER.test(sentence);
}

/** "If you have not heard back within 48 hours, please follow up": implies a promise, states none. */
export function followUpAdvice(sentence: string): boolean {
  if (/\bescalat\w*/i.test(sentence) && /\bif\b/i.test(sentence)) return true;
  if (/\bif\b[^.;]*\b(?:does not|do not|doesn't|don't|did not|didn't|fails? to|has not|have not|hasn't|haven't)\b[^.;]*\b(?:respond\w*|response|reply|acknowledg\w*|hear|engage\w*)/i.test(sentence)) return true;
  return /\bif\s+(?:you\s+)?(?:have not|haven't|do not|don't|did not|didn't|have yet to|are not|aren't)\s+(?:yet\s+)?(?:heard|hear|received?|get|got|gotten|been contacted)\b|\bif\s+(?:there is |you get |you receive )?no\s+(?:response|reply|answer|acknowledg\w*)\b/i.test(
    sentence,
  );
}

/** Says it does not promise ("we cannot guarantee a response within 24 hours"). */
export function disclaims(sentence: string): boolean {
  return /\b(?:cannot|can't|can not|do not|don't|does not|doesn't|will not|won't|unable to|not able to|no)\s+(?:\w+\s+)?(?:guarantee|promise|commit|sla)\b|\bnot guaranteed\b|\bno (?:guarantee|sla|service level)/i.test(
    sentence,
  );
}

/** Hedged: the time is a possibility, not a promise ("may take", "depending on severity", "varies"). */
export function hedge(sentence: string): string | undefined {
  const m =
    /\b(?:may|might|could|depending on|depends on|dependent on|varies|vary|varying|case[- ]by[- ]case|if possible|where possible|when possible|unless)\b/i.exec(
      sentence,
    );
  if (m) return `hedged ("${m[0]}"): a possibility, not a promise`;
  if (/\b(?:severity|critical|cvss|priority)\b/i.test(sentence)) return 'the time depends on severity: the config holds one time per promise';
  return undefined;
}

/** Vague times: a promise with no time a timer can hold. */
export const VAGUE_TIME =
  /\b(?:promptly|as soon as (?:possible|practical|practicable|we can)|asap|in a timely (?:manner|fashion)|timely|quickly|shortly|a few (?:business |working )?(?:hours|days|weeks)|several (?:business |working )?(?:days|weeks)|a couple of (?:business |working )?(?:days|weeks)|reasonable (?:time|timeframe|time ?frame|amount of time|period))\b/i;

/** Splits a sentence into clauses that each carry one promise: at ";", ", and", "and we" / "and will". */
export function clauses(sentence: string): string[] {
  return sentence
    .split(/;\s+|,\s+and\s+|\s+and\s+(?=(?:we|you|they|our|the team|will|i)\b)|,\s+(?:then|after which|followed by)\s+/i)
    .map((c) => c.trim())
    .filter(Boolean);
}
