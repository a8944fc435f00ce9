/**
 * Timer promises in a SECURITY.md: for every time phrase, the promise it belongs to (acknowledge, respond,
 * update, embargo, fix), read from the words nearest to it in its clause; the enclosing list item or the sentence
 * before when the clause names none ("| Step | Time |" rows read with their header; "- Within 2 business days."
 * under "- We confirm receipt of your report").
 */
import type { Duration } from '../duration';
import { findTimes, type TimePhrase } from './duration-phrases';
import { clauses, disclaims, followUpAdvice, hedge, limitsReporter, VAGUE_TIME } from './sentence-reading';

export type PromiseKind = 'acknowledge' | 'respond' | 'update' | 'embargo' | 'fix';

const KEYWORDS: Record<PromiseKind, RegExp> = {
  acknowledge:
    /\backnowledg\w*|\breceipt\b|\breceived?\b|\bhear (?:back|from us)\b|\b(?:come|get) back to you\b|\b(?:first|initial) (?:response|reply|contact|answer)\b|\brespond(?:s|ed)?\b|\breply\b|\bresponse\b|\banswer\b|\bcontact you\b|\bconfirm\w*\b/gi,
  respond:
    /\bdetailed (?:response|reply|answer)\b|\bassess\w*|\btriag\w*|\bevaluat\w*|\bvalidat\w*|\binvestigat\w*|\bnext steps\b|\bfull (?:response|reply)\b|\bconfirm (?:the|whether|if) (?:vulnerability|issue|report|problem)\b|\bdetermin\w* (?:whether|if|the)\b|\bhandl(?:e|ed|ing)\b/gi,
  update: /\bupdates?\b|\binform\w*|\bprogress\b|\bstatus\b|\bkeep you (?:posted|informed|updated)\b/gi,
  embargo: /\bdisclos\w*|\bembargo\w*|\bpublish\w*|\bpublic\w*|\badvisor(?:y|ies)\b|\bannounc\w*|\bCVE\b/gi,
  fix: /\baddressed\b|\bfix\w*|\bpatch\w*|\bremediat\w*|\bresolv\w*|\bmitigat\w*|\breleas\w*/gi,
};

export interface TimerFinding {
  kind: 'value';
  path: string;
  value: Duration;
  sentence: string;
  /** The sentence that names the promise, when `sentence` only refers to it ("this message"). */
  context?: string;
}
export interface SentenceNote {
  kind: 'unsure' | 'ignored';
  sentence: string;
  why: string;
}
export type Finding = TimerFinding | SentenceNote;

const MAX_TIMES = 12;
const clip = (s: string) => (s.length > 1000 ? `${s.slice(0, 1000)}…` : s);

const text = (d: Duration) => `${d.amount}${d.unit}`;

function nearest(text: string, at: TimePhrase): { kind: PromiseKind; distance: number }[] {
  const out: { kind: PromiseKind; distance: number }[] = [];
  for (const kind of Object.keys(KEYWORDS) as PromiseKind[]) {
    let best = Infinity;
    for (const m of text.matchAll(KEYWORDS[kind])) {
      const d = m.index >= at.end ? m.index - at.end : m.index + m[0].length <= at.index ? at.index - (m.index + m[0].length) : 0;
      best = Math.min(best, d);
    }
    if (best < Infinity) out.push({ kind, distance: best });
  }
  return out.sort((x, y) => x.distance - y.distance);
}

/**
 * Which promise a time in a clause belongs to; `undefined` when no word says. English names the promise before
 * its time ("acknowledge ... within 48 hours and provide a detailed response within 7 days"), so the words between
 * the previous time and this one are read first, and the words after it only when those name nothing.
 */
function kindOf(clause: string, at: TimePhrase, others: TimePhrase[] = []): PromiseKind | { unsure: string } | undefined {
  if (at.cadence) {
    return mentions('update', clause) || /\bcommunicat\w*|\bcontact\b|\bhear from us\b/i.test(clause)
      ? 'update'
      : { unsure: `a cadence (${at.text}) not said to be of updates` };
  }
  const previous = Math.max(0, ...others.filter((o) => o.end <= at.index).map((o) => o.end));
  const next = Math.min(clause.length, ...others.filter((o) => o.index >= at.end).map((o) => o.index));
  const before = clause.slice(previous, at.end);
  const window = { ...at, index: at.index - previous, end: at.end - previous };
  const fromBefore = choose(before, window);
  if (fromBefore !== undefined) return fromBefore;
  const around = choose(clause.slice(previous, next), window);
  // "typically 7 days and at most 30 days": the second time shares the first one's words
  return around !== undefined ? around : choose(clause, at);
}

function choose(text: string, at: TimePhrase): PromiseKind | { unsure: string } | undefined {
  let kinds = nearest(text, at);
  // a detailed response beats the generic "response" of an acknowledgment
  if (kinds.some((k) => k.kind === 'respond') && !/acknowledg|receipt|received/i.test(text)) {
    kinds = kinds.filter((k) => k.kind !== 'acknowledge');
  }
  // an acknowledgment's "status update" is not a cadence: updates come only with one (above)
  kinds = kinds.filter((k) => k.kind !== 'update');
  if (!kinds.length) return undefined;
  const [first, second] = kinds;
  if (second && second.distance - first.distance < 8) {
    return { unsure: `more than one promise around one time (${first.kind}, ${second.kind})` };
  }
  return first.kind;
}

function mentions(kind: PromiseKind, s: string): boolean {
  return [...s.matchAll(KEYWORDS[kind])].length > 0;
}

/**
 * Findings of one sentence. `context` is the text a clause without a promise word refers to (the enclosing list
 * item, the sentence before).
 */
export function readTimerSentence(sentence: string, context: string[]): Finding[] {
  const times = findTimes(sentence);
  if (!times.length) {
    if (VAGUE_TIME.test(sentence) && /\b(?:we|will|team|maintainers?)\b/i.test(sentence) && !limitsReporter(sentence)) {
      const kinds = (Object.keys(KEYWORDS) as PromiseKind[]).filter((k) => mentions(k, sentence));
      if (kinds.length) return [{ kind: 'unsure', sentence, why: `a promise with no time ("${VAGUE_TIME.exec(sentence)![0]}"): no timer can hold it` }];
    }
    return [];
  }
  // a "sentence" of dozens of times is a table flattened into prose, or hostile: a person reads it
  if (times.length > MAX_TIMES) return [{ kind: 'unsure', sentence: clip(sentence), why: `${times.length} times in one sentence: not read` }];
  if (limitsReporter(sentence)) {
    if (/\bdisclos\w*|\bpublic\w*|\bembargo\w*|\bpublish\w*/i.test(sentence)) {
      return [{ kind: 'unsure', sentence, why: 'asks the reporter to wait before disclosing: an embargo the project asks for, not a promise it makes (timers.embargo)' }];
    }
    return [{ kind: 'ignored', sentence, why: 'asks something of the reporter: not a project promise' }];
  }
  if (followUpAdvice(sentence)) return [{ kind: 'unsure', sentence, why: 'tells the reporter what to do when no answer came: it implies a promise but does not state one' }];
  if (disclaims(sentence)) return [{ kind: 'unsure', sentence, why: 'says the time is not guaranteed' }];

  const out: Finding[] = [];
  for (const clause of clauses(sentence)) {
    const inClause = findTimes(clause);
    // "If a report turns out to be out of scope, we close it within 3 days": a promise for some reports only.
    // (A threshold for updates is the one condition the config holds: "(> 1 week), we will send weekly updates".)
    const conditional = /^\s*if\b/i.test(sentence) && !inClause.some((t) => t.threshold || t.cadence);
    const hedged = !inClause.length ? undefined : conditional ? 'a promise under a condition (only for some reports): the config holds one time for all' : hedge(clause);
    if (hedged) {
      out.push({ kind: 'unsure', sentence, why: hedged });
      continue;
    }
    for (const t of inClause) {
      if (t.problem) {
        out.push({ kind: 'unsure', sentence, why: `"${t.text}": ${t.problem}` });
        continue;
      }
      // "the 60-day clock", "not on the 60-day schedule": a period named elsewhere, not a promise made here
      if (/\bthe\s*$/i.test(clause.slice(Math.max(0, t.index - 5), t.index))) {
        out.push({ kind: 'unsure', sentence, why: `"the ${t.text}" refers to a time stated elsewhere` });
        continue;
      }
      // "(> 1 week), we will send you weekly updates": a threshold beside a cadence of updates is when they start
      const updates = t.threshold && inClause.some((o) => o.cadence && !o.problem && kindOf(clause, o) === 'update');
      let kind = updates ? 'update' : kindOf(clause, t, inClause);
      let from: string | undefined;
      for (const c of kind === undefined ? context : []) {
        kind = kindOf(`${c} ${t.text}`, { ...t, index: c.length + 1, end: c.length + 1 + t.text.length });
        if (kind !== undefined) {
          from = c;
          break;
        }
      }
      if (kind === undefined) {
        out.push({ kind: 'unsure', sentence, why: `a time ("${t.text}") with no promise named` });
      } else if (typeof kind === 'object') {
        out.push({ kind: 'unsure', sentence, why: kind.unsure });
      } else {
        out.push(...valuesOf(kind, t, clause, sentence, inClause).map((f) => (from && f.kind === 'value' ? { ...f, context: from } : f)));
      }
    }
  }
  return out;
}

function valuesOf(kind: PromiseKind, t: TimePhrase, clause: string, sentence: string, all: TimePhrase[]): Finding[] {
  const soft = t.soft!;
  switch (kind) {
    case 'acknowledge':
      if (t.threshold) return [{ kind: 'unsure', sentence, why: `"${t.text}" is a threshold, not an acknowledgment time` }];
      return [
        { kind: 'value', path: 'timers.acknowledge.soft', value: soft, sentence },
        ...(t.hard ? [{ kind: 'value' as const, path: 'timers.acknowledge.hard', value: t.hard, sentence }] : []),
      ];
    case 'respond':
      if (t.hard) return [{ kind: 'unsure', sentence, why: `a range (${t.text}) for the detailed response: the config holds one time` }];
      return [{ kind: 'value', path: 'timers.respond', value: soft, sentence }];
    case 'update': {
      if (t.hard) return [{ kind: 'unsure', sentence, why: `a range (${t.text}) for updates: the config holds one cadence` }];
      if (t.threshold) return [{ kind: 'value', path: 'timers.update.after', value: soft, sentence }];
      if (!t.cadence) return [{ kind: 'unsure', sentence, why: `a time (${t.text}) around updates that is not a cadence` }];
      // "weekly updates" with no start named: the first is due one period in, as a reader expects
      const after = all.some((o) => o.threshold && !o.problem) ? [] : [{ kind: 'value' as const, path: 'timers.update.after', value: soft, sentence }];
      return [...after, { kind: 'value', path: 'timers.update.every', value: soft, sentence }];
    }
    case 'embargo': {
      if (t.cadence || t.threshold) return [{ kind: 'unsure', sentence, why: `"${t.text}" around disclosure is not an embargo length` }];
      const USUAL = /\b(?:typically|usually|normally|by default|default|generally|standard)\b/i;
      const MOST = /\b(?:at most|at the latest|maximum|max|no more than|up to|no longer than|not exceed\w*)\b/i;
      const before = clause.slice(Math.max(0, t.index - 30), t.index);
      const usual = MOST.test(before) ? false : USUAL.test(before) || (USUAL.test(clause) && !MOST.test(clause));
      if (t.hard) {
        return [
          { kind: 'value', path: 'timers.embargo.default', value: soft, sentence },
          { kind: 'value', path: 'timers.embargo.max', value: t.hard, sentence },
        ];
      }
      return [{ kind: 'value', path: usual ? 'timers.embargo.default' : 'timers.embargo.max', value: soft, sentence }];
    }
    case 'fix':
      return [{ kind: 'unsure', sentence, why: `a time to fix (${t.text}): the config has no fix timer; an embargo (timers.embargo) may be what is meant` }];
  }
}

export { text as durationString };
