/**
 * Best-effort reading of a report's text for the receipt: which of the policy's `askFor` items seem missing,
 * and whether a version it names is one the project does not support. Both only shape a polite request in the
 * receipt; nothing else depends on them, so a wrong guess costs one superfluous line.
 */
import type { Project } from '../config';

export interface MissingItem {
  key: string;
  text: string;
}

/**
 * Reporter text is hostile input and config hints are regexes: only this much of the text is searched, so a
 * careless hint cannot take quadratic time over a 40 MB body.
 */
const SEARCH_LIMIT = 64 * 1024;

/** A hint that is not a valid regex is used as a literal, case-insensitive substring. */
function hintMatches(hint: string, text: string): boolean {
  const pattern = hintPattern(hint);
  return pattern ? pattern.test(text) : text.toLowerCase().includes(hint.toLowerCase());
}

/** The config's hints, compiled once each (null: not a valid regex). Not global: `test` keeps no state. */
const hintPatterns = new Map<string, RegExp | null>();
const MAX_HINT_PATTERNS = 1024;
function hintPattern(hint: string): RegExp | null {
  let pattern = hintPatterns.get(hint);
  if (pattern === undefined) {
    try {
      pattern = new RegExp(hint, 'i');
    } catch {
      pattern = null;
    }
    if (hintPatterns.size >= MAX_HINT_PATTERNS) hintPatterns.clear();
    hintPatterns.set(hint, pattern);
  }
  return pattern;
}

/** An askFor item is missing when none of its hints match (an item without hints is always asked for). */
export function missingInformation(text: string, project: Project): MissingItem[] {
  const searched = text.slice(0, SEARCH_LIMIT);
  return project.askFor
    .filter((item) => !item.hints.some((hint) => hintMatches(hint, searched)))
    .map(({ key, text: itemText }) => ({ key, text: itemText }));
}

type Version = number[];

/** One comparator of a range: `<1.0`, `<= 3.5`, `3.6.x` (a prefix), `>=1.0.0`. */
interface Comparator {
  op: '<' | '<=' | '>' | '>=' | '=' | 'prefix';
  version: Version;
  /** Fewer than three parts or a wildcard: `<= 3.5` then includes 3.5.x, as in node-semver. */
  partial: boolean;
}

function parseVersion(text: string): Version {
  return text
    .replace(/^v/i, '')
    .split('.')
    .map((part) => Number(part));
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const COMPARATOR = /^(<=|>=|<|>|=)?v?(\d+(?:\.\d+)*)((?:\.(?:x|\*))*)$/i;

/** Parses "<1.0", "<= 3.5", "3.6.x", ">=1.0 <2.0" (all must hold); undefined when not understood. */
function parseRange(range: string): Comparator[] | undefined {
  const tokens = range.replace(/(<=|>=|<|>|=)\s+/g, '$1').trim().split(/\s+/);
  const comparators: Comparator[] = [];
  for (const token of tokens) {
    const m = COMPARATOR.exec(token);
    if (!m) return undefined;
    const version = parseVersion(m[2]);
    const op = (m[1] as Comparator['op'] | undefined) ?? (m[3] || !m[1] ? 'prefix' : '=');
    comparators.push({ op, version, partial: version.length < 3 || m[3] !== '' });
  }
  return comparators.length ? comparators : undefined;
}

function satisfies(v: Version, c: Comparator): boolean {
  const prefix = c.version.every((part, i) => (v[i] ?? 0) === part);
  switch (c.op) {
    case 'prefix':
      return prefix;
    case '=':
      return compare(v, c.version) === 0;
    case '<':
      return compare(v, c.version) < 0;
    case '<=':
      return compare(v, c.version) <= 0 || (c.partial && prefix);
    case '>':
      return compare(v, c.version) > 0 && !(c.partial && prefix);
    case '>=':
      return compare(v, c.version) >= 0;
  }
}

/** Whether `version` falls in any of `ranges` (each a string; `||` separates alternatives). */
export function inAnyRange(version: string, ranges: string[]): boolean {
  const v = parseVersion(version);
  return ranges
    .flatMap((r) => r.split('||'))
    .some((alternative) => {
      const comparators = parseRange(alternative);
      return comparators !== undefined && comparators.every((c) => satisfies(v, c));
    });
}

/**
 * Version-like tokens that follow the word "version" (or "ver", "v.") within a few words, or that are
 * written `v1.2.3`. Dates and IP addresses are not versions: tokens with more than 4 parts are skipped.
 */
/** Per project's names: the pattern of a version after them, compiled once (matchAll works on a copy of it). */
const byNamePatterns = new Map<string, RegExp>();
function byNamePattern(alternatives: string): RegExp {
  let pattern = byNamePatterns.get(alternatives);
  if (!pattern) {
    pattern = new RegExp(`(?<![\\w-])(?:${alternatives})(?:[ \\t]+(?:<=|>=|<|>|=)?[ \\t]*|[ \\t]*(?:<=|>=|<|>|=)[ \\t]*|@)v?(\\d+(?:\\.\\d+){0,3})(?:\\.x)?(?![\\w.]*\\.\\d)`, 'gi');
    if (byNamePatterns.size >= 1024) byNamePatterns.clear();
    byNamePatterns.set(alternatives, pattern);
  }
  return pattern;
}

export function mentionedVersions(text: string, names: string[] = []): string[] {
  const searched = text.slice(0, SEARCH_LIMIT);
  const found = new Set<string>();
  // the project's own name before a version, as reporters write it: "Quillpad 1.9.0", "quillpad v1.9", "Quillpad 1.9.x"
  const named = names.map((n) => n.trim()).filter((n) => n.length >= 2).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (named.length) {
    for (const m of searched.matchAll(byNamePattern(named.join('|')))) found.add(m[1]!);
  }
  // comparisons as written in prose: "<=1.9", "< 2.0" after the word version(s)
  for (const m of searched.matchAll(/\bversions?\s*(?:<=|<|=)\s*v?(\d+(?:\.\d+){0,3})\b/gi)) found.add(m[1]!);
  const nearWord = /\b(?:versions?|ver\.?)(?![a-z])[^\n\d]{0,40}?((?:v?\d+(?:\.\d+){0,3}(?:\.x)?[,;/ ]*(?:and |or |& )?){1,4})/gi;
  for (const m of searched.matchAll(nearWord)) {
    for (const token of m[1].match(/v?\d+(?:\.\d+){0,3}/gi) ?? []) found.add(token.replace(/^v/i, ''));
  }
  for (const m of searched.matchAll(/(?<![\w.])v(\d+(?:\.\d+){1,3})(?![\w.]*\.\d)/gi)) found.add(m[1]);
  return [...found];
}

/**
 * A sentence for the receipt when a version the report names is in the project's unsupported ranges (and
 * not also in a supported one); undefined when no version is named or all named versions are supported.
 */
export function versionSupportNote(text: string, project: Project): string | undefined {
  const policy = project.supportedVersions;
  if (!policy) return undefined;
  const named = mentionedVersions(text, [project.name, project.id]);
  if (named.length === 0) {
    // no version named: the reporter learns which versions are supported, and that it helps to say which
    return `Your report names no version. Supported versions: ${policy.summary}. Please tell us which version you tested.`;
  }
  if (policy.unsupported.length === 0 && policy.supported.length === 0) return undefined;
  // outside: in an unsupported range and not in a supported one; or, when only supported ranges are given, in none
  const outside = named.filter((v) =>
    inAnyRange(v, policy.supported) ? false : policy.unsupported.length ? inAnyRange(v, policy.unsupported) : policy.supported.length > 0,
  );
  if (outside.length === 0) return undefined;
  const list = outside.join(', ');
  return (
    `Your report mentions version ${list}, which the ${project.name} project does not support ` +
    `(supported: ${policy.summary}). The maintainers will still read it, but a fix may only be made for ` +
    'supported versions; if the problem also affects a supported version, please say which.'
  );
}
