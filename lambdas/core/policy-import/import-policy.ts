/**
 * `secintake policy import`: a SECURITY.md read into a proposed project config. Every value carries the sentence
 * it came from (`evidence`, keyed by config path); what the file does not promise is listed as `noPromise`; what
 * a person must decide (hedged, ambiguous, not English, asked of the reporter) is `unsure`, with the sentence.
 * Nothing is filled in: a config field is proposed only from a sentence that states it.
 *
 * Pure: text in, proposal out.
 */
import { durationText, type Duration } from '../duration';
import { findAddresses, findKeys, placeholderAddress } from './contacts';
import { readBlocks, sentences, type Block } from './markdown-text';
import { findAskFor, findSubjectTag, findVersions, type AskItem } from './reporter-info';
import { notEnglish } from './sentence-reading';
import { readTimerSentence, type TimerFinding } from './timer-promises';

export interface ProjectFragment {
  id?: string;
  addresses?: string[];
  timers?: {
    acknowledge?: { soft: string; hard?: string };
    respond?: string;
    update?: { after: string; every: string };
    embargo?: { default?: string; max?: string };
  };
  subjectTag?: string;
  askFor?: AskItem[];
  supportedVersions?: { summary: string; supported: string[]; unsupported: string[] };
  securityTxt?: { encryption: string[] };
}

export interface Note {
  sentence: string;
  why: string;
}

export interface PolicyProposal {
  project: ProjectFragment;
  /** Config path -> the sentence the value came from, as the rendered file reads. */
  evidence: Record<string, string>;
  /** For a value whose sentence only refers to its promise ("You should receive this message within ..."): the
   *  sentence it refers to (the enclosing list item, the sentence before). */
  context: Record<string, string>;
  /** Config paths the file makes no promise about. */
  noPromise: string[];
  /** Sentences a person must read and decide on. */
  unsure: Note[];
  /** Sentences set aside as not being project promises (requests to the reporter). */
  ignored: Note[];
}

/** The fields the importer looks for; those not found are listed as `noPromise`. */
export const PROMISE_PATHS = [
  'addresses',
  'timers.acknowledge.soft',
  'timers.acknowledge.hard',
  'timers.respond',
  'timers.update.after',
  'timers.update.every',
  'timers.embargo.default',
  'timers.embargo.max',
  'askFor',
  'supportedVersions',
  'securityTxt.encryption',
] as const;

const same = (a: Duration, b: Duration) => a.amount === b.amount && a.unit === b.unit;

export function importPolicy(markdown: string, opts: { projectId?: string } = {}): PolicyProposal {
  const blocks = readBlocks(markdown);
  const evidence: Record<string, string> = {};
  const unsure: Note[] = [];
  const ignored: Note[] = [];
  const values = new Map<string, TimerFinding>();
  const foreign: string[] = [];

  blocks.forEach((b, i) => {
    if (b.kind === 'heading') return;
    const list = b.kind === 'row' ? [b.text] : sentences(b.text);
    list.forEach((s, k) => {
      if (notEnglish(s)) {
        foreign.push(s);
        return;
      }
      for (const f of readTimerSentence(s, contextOf(blocks, i, list, k))) {
        if (f.kind !== 'value') (f.kind === 'ignored' ? ignored : unsure).push({ sentence: f.sentence, why: f.why });
        else {
          const prior = values.get(f.path);
          // a nested list item reads under its parent ("- Communicate with you ... / - You should receive this message ...")
          if (!f.context && b.parent !== undefined) f.context = blocks[b.parent].text;
          if (!prior) values.set(f.path, f);
          else if (!same(prior.value, f.value)) {
            unsure.push({ sentence: f.sentence, why: `says ${durationText(f.value)} for ${f.path}, where another sentence says ${durationText(prior.value)} (kept)` });
          }
        }
      }
    });
  });
  for (const s of foreign.filter((t) => /\d/.test(t))) unsure.push({ sentence: s, why: 'not in English: not read (the importer reads English only)' });
  if (foreign.length && !foreign.some((t) => /\d/.test(t))) {
    unsure.push({ sentence: foreign[0], why: `${foreign.length} sentence(s) not in English were not read (the importer reads English only)` });
  }

  const project: ProjectFragment = opts.projectId ? { id: opts.projectId } : {};
  const timers: NonNullable<ProjectFragment['timers']> = {};
  const context: Record<string, string> = {};
  const take = (path: string) => {
    const f = values.get(path);
    if (f) evidence[path] = f.sentence;
    if (f?.context) context[path] = f.context;
    return f ? durationText(f.value) : undefined;
  };
  const soft = take('timers.acknowledge.soft');
  const hard = take('timers.acknowledge.hard');
  if (soft) timers.acknowledge = hard ? { soft, hard } : { soft };
  else if (hard) (unsure.push({ sentence: evidence['timers.acknowledge.hard'], why: 'an outer bound with no promise' }), delete evidence['timers.acknowledge.hard']);
  const respond = take('timers.respond');
  if (respond) timers.respond = respond;
  const after = take('timers.update.after');
  const every = take('timers.update.every');
  if (every) timers.update = { after: after ?? every, every };
  else if (after) (unsure.push({ sentence: evidence['timers.update.after'], why: 'updates after a time, with no cadence named' }), delete evidence['timers.update.after']);
  const embargoDefault = take('timers.embargo.default');
  const embargoMax = take('timers.embargo.max');
  if (embargoDefault || embargoMax) timers.embargo = { ...(embargoDefault ? { default: embargoDefault } : {}), ...(embargoMax ? { max: embargoMax } : {}) };
  if (Object.keys(timers).length) project.timers = timers;

  const addresses = findAddresses(blocks);
  const sure = addresses.filter((a) => !a.unsure);
  if (sure.length) {
    project.addresses = sure.map((a) => a.address);
    evidence.addresses = [...new Set(sure.map((a) => a.sentence))].join(' / ');
  }
  for (const a of addresses.filter((x) => x.unsure)) unsure.push({ sentence: a.sentence, why: `${a.address}: ${a.unsure}` });
  for (const a of sure.filter((x) => placeholderAddress(x.address))) unsure.push({ sentence: a.sentence, why: `${a.address} looks like a placeholder: replace it with the real address` });

  const tag = findSubjectTag(blocks);
  if (tag) {
    project.subjectTag = tag.tag;
    evidence.subjectTag = tag.sentence;
  }
  const ask = findAskFor(blocks);
  if (ask) {
    project.askFor = ask.items;
    evidence.askFor = ask.sentence;
  }
  const versions = findVersions(blocks, opts.projectId);
  unsure.push(...versions.unsure);
  if (versions.found) {
    const { sentence, ...v } = versions.found;
    project.supportedVersions = v;
    evidence.supportedVersions = sentence;
  }
  const keys = findKeys(blocks);
  const uris = keys.filter((k) => k.uri).map((k) => k.uri!);
  if (uris.length) {
    project.securityTxt = { encryption: uris };
    evidence['securityTxt.encryption'] = keys.find((k) => k.uri)!.sentence;
  }
  for (const k of keys.filter((x) => x.unsure)) unsure.push({ sentence: k.sentence, why: k.unsure! });

  const noPromise = PROMISE_PATHS.filter((p) => !(p in evidence) && !(p === 'timers.update.after' && 'timers.update.every' in evidence));
  if (timers.update && !values.has('timers.update.after')) evidence['timers.update.after'] = evidence['timers.update.every'];
  return { project, evidence, context, noPromise, unsure: dedupe(unsure), ignored: dedupe(ignored) };
}

/** What a sentence without a promise word may refer to: the sentence before, the enclosing item, the list's intro. */
function contextOf(blocks: Block[], i: number, list: string[], k: number): string[] {
  const b = blocks[i];
  const out: string[] = [];
  if (k > 0) out.push(list[k - 1]);
  if (b.parent !== undefined) out.push(blocks[b.parent].text);
  if (b.kind === 'row' && b.header) out.push(b.header.join(' '));
  return out;
}

/** Notes are for a person to read: a sentence longer than a screen is cut (evidence is never cut). */
const MAX_NOTE = 1000;

function dedupe(notes: Note[]): Note[] {
  const seen = new Set<string>();
  return notes.map((n) => (n.sentence.length > MAX_NOTE ? { ...n, sentence: `${n.sentence.slice(0, MAX_NOTE)}…` } : n)).filter((n) => {
    const key = `${n.sentence}\u0000${n.why}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
