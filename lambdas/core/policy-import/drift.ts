/**
 * `secintake policy check`: does the config still hold what the project's SECURITY.md promises? Each timer the
 * file promises is compared with the config's; an address the file names must be served; a timer the config
 * enforces must still be promised, unless the config's `defaults` says it was chosen where the file is silent.
 */
import type { Project } from '../config';
import { parseDuration, type Duration } from '../duration';
import type { PolicyProposal } from './import-policy';

export interface Drift {
  path: string;
  message: string;
  /** The sentence of the SECURITY.md behind it, when there is one. */
  quote?: string;
}

const TIMER_PATHS = [
  'timers.acknowledge.soft',
  'timers.acknowledge.hard',
  'timers.respond',
  'timers.update.after',
  'timers.update.every',
  'timers.embargo.default',
  'timers.embargo.max',
] as const;

function at(root: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), root);
}

function sameDuration(a: string, b: string): boolean {
  let x: Duration;
  let y: Duration;
  try {
    x = parseDuration(a);
    y = parseDuration(b);
  } catch {
    return a.trim() === b.trim();
  }
  return x.amount === y.amount && x.unit === y.unit;
}

/** A `defaults` note for the path or a parent says the value was chosen where the file is silent. */
function chosen(project: Project, path: string): boolean {
  const notes = project.defaults ?? {};
  const parts = path.split('.');
  for (let n = parts.length; n > 0; n--) {
    const note = notes[parts.slice(0, n).join('.')];
    if (note !== undefined) return /\b(?:not stated|not promised|chosen|none|no email|not in security\.md)\b/i.test(note);
  }
  return false;
}

export function policyDrift(proposal: PolicyProposal, project: Project): Drift[] {
  const drift: Drift[] = [];
  for (const path of TIMER_PATHS) {
    const inFile = at(proposal.project, path) as string | undefined;
    const inConfig = at(project, path) as string | undefined;
    const quote = proposal.evidence[path];
    if (inFile && inConfig && !sameDuration(inFile, inConfig)) {
      drift.push({ path, quote, message: `SECURITY.md says ${inFile}, the config says ${inConfig}` });
    } else if (inFile && !inConfig) {
      drift.push({ path, quote, message: `SECURITY.md promises ${inFile}; the config has no ${path}` });
    } else if (!inFile && inConfig && !chosen(project, path)) {
      drift.push({ path, message: `the config enforces ${inConfig}, but SECURITY.md no longer promises it (if it was chosen, say so in defaults["${path}"])` });
    }
  }
  const served = new Set(project.addresses.map((a) => a.toLowerCase()));
  const named = new Set((proposal.project.addresses ?? []).map((a) => a.toLowerCase()));
  for (const a of proposal.project.addresses ?? []) {
    if (!served.has(a.toLowerCase())) drift.push({ path: 'addresses', quote: proposal.evidence.addresses, message: `SECURITY.md names ${a}, which the config does not serve` });
  }
  if (named.size || !chosen(project, 'addresses')) {
    for (const a of project.addresses) {
      if (!named.has(a.toLowerCase())) drift.push({ path: 'addresses', message: `the config serves ${a}, which SECURITY.md does not name` });
    }
  }
  const fileVersions = proposal.project.supportedVersions;
  const configVersions = project.supportedVersions;
  if (fileVersions && (fileVersions.supported.length || fileVersions.unsupported.length)) {
    const norm = (l: string[] | undefined) => [...(l ?? [])].map((v) => v.replace(/\s+/g, '')).sort().join(', ');
    for (const key of ['supported', 'unsupported'] as const) {
      if (norm(fileVersions[key]) !== norm(configVersions?.[key])) {
        drift.push({
          path: `supportedVersions.${key}`,
          quote: proposal.evidence.supportedVersions,
          message: `SECURITY.md lists ${norm(fileVersions[key]) || 'none'}, the config ${norm(configVersions?.[key]) || 'none'}`,
        });
      }
    }
  }
  return drift;
}
