/**
 * What is known about the vulnerability, as the maintainers state it (issue 13): affected and fixed versions in
 * OSV terms, the severity as a CVSS vector with its computed base score, CWE identifiers. Pure parsing and
 * validation; the CVSS arithmetic is FIRST's, through ae-cvss-calculator (loaded on first use: most mail never
 * carries a vector).
 */

/** OSV ecosystems (https://ossf.github.io/osv-schema/#affectedpackage-field), as OSV spells them. */
export const OSV_ECOSYSTEMS = [
  'AlmaLinux', 'Alpine', 'Android', 'Bitnami', 'CRAN', 'Chainguard', 'Debian', 'GHC', 'GIT', 'GitHub Actions', 'Go',
  'Hackage', 'Hex', 'Linux', 'Mageia', 'Maven', 'NuGet', 'OSS-Fuzz', 'Packagist', 'Photon OS', 'Pub', 'PyPI', 'Red Hat',
  'Rocky Linux', 'RubyGems', 'SUSE', 'SwiftURL', 'Ubuntu', 'Wolfi', 'crates.io', 'npm', 'openSUSE',
] as const;

export interface AffectedRange {
  ecosystem: string;
  package: string;
  /** Constraints as written, normalised: `>=0.2.0, <0.3.1`. */
  range: string;
}

export interface FixedVersion {
  version: string;
  ecosystem?: string;
  package?: string;
}

export interface SeverityFact {
  /** The CVSS vector as given (upper-cased prefix), when the severity came from one. */
  vector?: string;
  score?: number;
  rating: 'none' | 'low' | 'medium' | 'high' | 'critical';
}

export interface Facts {
  affected: AffectedRange[];
  fixed: FixedVersion[];
  severity?: SeverityFact;
  cwe: string[];
}

type Result<T> = { ok: T } | { error: string };

const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+_~-]{0,63}$/;
const CONSTRAINT = /^(>=|<=|==|=|>|<)?\s*(\S+)$/;

function ecosystemOf(word: string): string | undefined {
  return OSV_ECOSYSTEMS.find((e) => e.toLowerCase() === word.toLowerCase());
}

/** Splits `<ecosystem> <package> <rest>`, accepting two-word ecosystems (`Red Hat`, `GitHub Actions`). */
function ecosystemAndPackage(value: string): { ecosystem: string; pkg: string; rest: string } | undefined {
  const words = value.trim().split(/\s+/);
  for (const n of [2, 1]) {
    const eco = ecosystemOf(words.slice(0, n).join(' '));
    if (eco && words.length > n) return { ecosystem: eco, pkg: words[n]!, rest: words.slice(n + 1).join(' ') };
  }
  return undefined;
}

/** `Affected: PyPI bases >=0.2.0, <0.3.1` */
export function parseAffected(value: string): Result<AffectedRange> {
  const parts = ecosystemAndPackage(value);
  if (!parts) {
    const first = value.trim().split(/\s+/)[0] ?? '';
    return { error: `"${first}" is not an OSV ecosystem (for example PyPI, npm, Maven, Go, crates.io, RubyGems, NuGet, Packagist); write "<ecosystem> <package> <range>"` };
  }
  if (!/^[^\s,;<>=]{1,214}$/.test(parts.pkg)) return { error: `"${parts.pkg}" is not a package name` };
  if (parts.rest.trim() === '') return { error: 'the version range is missing, e.g. ">=0.2.0, <0.3.1"' };
  const constraints: string[] = [];
  for (const piece of parts.rest.split(',').map((p) => p.trim())) {
    const m = CONSTRAINT.exec(piece);
    if (!m || !VERSION.test(m[2]!) || !/\d/.test(m[2]!)) {
      return { error: `"${piece}" is not a version constraint (use >=, >, <=, <, = and a version, separated by commas)` };
    }
    constraints.push(`${m[1] === '==' ? '=' : (m[1] ?? '=')}${m[2]}`);
  }
  const lower = constraints.filter((c) => c.startsWith('>'));
  const upper = constraints.filter((c) => c.startsWith('<'));
  if (lower.length > 1 || upper.length > 1) return { error: 'a range has at most one lower and one upper bound; write several Affected lines for several ranges' };
  return { ok: { ecosystem: parts.ecosystem, package: parts.pkg, range: constraints.join(', ') } };
}

/** `Fixed: 0.3.1` or `Fixed: PyPI bases 0.3.1` */
export function parseFixed(value: string): Result<FixedVersion> {
  const parts = ecosystemAndPackage(value);
  const version = (parts ? parts.rest : value).trim();
  if (!VERSION.test(version) || !/\d/.test(version)) return { error: `"${version}" is not a version` };
  return { ok: parts ? { version, ecosystem: parts.ecosystem, package: parts.pkg } : { version } };
}

export function parseCwe(value: string): Result<string> {
  const m = /^CWE-(\d{1,5})$/i.exec(value.trim());
  return m ? { ok: `CWE-${Number(m[1])}` } : { error: `"${value}" is not a CWE ID (CWE-<number>, e.g. CWE-79)` };
}

const BASE_METRICS: Record<'3' | '4', Record<string, string>> = {
  '3': { AV: 'NALP', AC: 'LH', PR: 'NLH', UI: 'NR', S: 'UC', C: 'NLH', I: 'NLH', A: 'NLH' },
  '4': { AV: 'NALP', AC: 'LH', AT: 'NP', PR: 'NLH', UI: 'NPA', VC: 'HLN', VI: 'HLN', VA: 'HLN', SC: 'HLN', SI: 'HLN', SA: 'HLN' },
};

export function ratingOf(score: number): SeverityFact['rating'] {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

/** A CVSS 3.0, 3.1 or 4.0 vector with every base metric once: its base score and rating. */
export function parseCvss(value: string): Result<SeverityFact> {
  const v = value.trim();
  const m = /^CVSS:(3\.0|3\.1|4\.0)\/(.+)$/i.exec(v);
  if (!m) return { error: `"${v.slice(0, 60)}" is not a CVSS vector (CVSS:3.1/AV:N/AC:L/... or CVSS:4.0/AV:N/...)` };
  const version = m[1]!;
  const major = version.startsWith('4') ? '4' : '3';
  const seen = new Map<string, string>();
  for (const part of m[2]!.split('/')) {
    const kv = /^([A-Za-z]{1,3}):([A-Za-z])$/.exec(part);
    if (!kv) return { error: `"${part}" is not a metric (NAME:VALUE)` };
    const key = kv[1]!.toUpperCase();
    if (seen.has(key)) return { error: `the metric ${key} is given twice` };
    seen.set(key, kv[2]!.toUpperCase());
  }
  for (const [key, allowed] of Object.entries(BASE_METRICS[major])) {
    const given = seen.get(key);
    if (given === undefined) return { error: `the base metric ${key} is missing from the CVSS ${version} vector` };
    if (!allowed.includes(given)) return { error: `${key}:${given} is not a CVSS ${version} value (${key} is one of ${allowed.split('').join(', ')})` };
  }
  const vector = `CVSS:${version}/${m[2]!.toUpperCase()}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cvss = require('ae-cvss-calculator') as typeof import('ae-cvss-calculator');
  let score: number | undefined;
  try {
    const scored = version === '4.0' ? new cvss.Cvss4P0(vector) : version === '3.1' ? new cvss.Cvss3P1(vector) : new cvss.Cvss3P0(vector);
    score = scored.calculateScores().base;
  } catch {
    score = undefined;
  }
  if (typeof score !== 'number' || !Number.isFinite(score)) return { error: `the CVSS ${version} vector could not be scored` };
  return { ok: { vector, score, rating: ratingOf(score) } };
}
