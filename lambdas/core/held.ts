/**
 * Held mail (DESIGN section 3: "nothing that might be a person's report is recorded where nobody looks"): an
 * inbound message that became neither a report, nor a follow-up, nor a maintainer's message (a bounce or an
 * auto-reply that belongs to no report, list mail, our own mail coming back) is held: kept with its reason,
 * listed in the maintainers' held-mail digest of its UTC hour, and promotable to a report by an authenticated
 * maintainer (`Promote: <ref>` in a reply to the digest, or `secintake promote <ref>`).
 *
 * Its reference is the ID a report opened from it gets (derived from the SES message ID, as openReport derives
 * it), so the digest, the promotion and the report it becomes all show one name.
 */
import type { CheckResult, Verdicts } from './report';
import { normalizeReportId, reportIdCandidate } from './report-id';
import { quarantineWindowOf } from './timeline';

export interface HeldMessage {
  /** The reference maintainers use (`Promote: <ref>`): the report ID it would open as. */
  ref: string;
  project: string;
  sesMessageId: string;
  rawKey: string;
  /** Arrival, ISO 8601 UTC. */
  receivedAt: string;
  /** When intake held it (ISO): the digest of this UTC hour lists it. Not the arrival: an intake retried after
   *  the arrival's hour ended would otherwise fall in a digest already sent. */
  heldAt: string;
  recipients: string[];
  mailFrom?: string;
  verdicts: Verdicts;
  /** The From address as parsed ('' when none), bounded. */
  from: string;
  /** The subject, bounded: the maintainers need something to decide by (held mail passed the spam checks). */
  subject: string;
  /** What classification made of it (bounce, auto-reply, list, loop) and why. */
  verdict: string;
  reason: string;
  checks: CheckResult[];
}

export function heldRef(sesMessageId: string): string {
  return reportIdCandidate(sesMessageId, 0);
}

/**
 * The workflow execution that sends one project's held-mail digest for one UTC hour: started (idempotently, by
 * name) by the hour's first held message, it sleeps to the end of the hour, sends the digest and ends. Not a
 * report ID (those are `XXXX-XXXX`), so Tick and Arm tell it apart; no `_` (a generation suffix).
 */
const DIGEST_EXECUTION = /^held-([a-z0-9][a-z0-9-]{0,39})-(\d{10})$/;

export function heldDigestExecution(projectId: string, heldAt: string | Date): string {
  const { start } = quarantineWindowOf(heldAt);
  return `held-${projectId}-${start.toISOString().slice(0, 13).replace(/[-T]/g, '')}`;
}

export function parseHeldDigestExecution(name: string): { project: string; start: Date; end: Date } | undefined {
  const m = DIGEST_EXECUTION.exec(name);
  if (!m) return undefined;
  const h = m[2]!;
  const start = new Date(Date.UTC(Number(h.slice(0, 4)), Number(h.slice(4, 6)) - 1, Number(h.slice(6, 8)), Number(h.slice(8, 10))));
  if (Number.isNaN(start.getTime())) return undefined;
  return { project: m[1]!, start, end: new Date(start.getTime() + 3_600_000) };
}

/** The hour key of the store's listing of held mail (the window's start, ISO, to the hour). */
export function heldHour(heldAt: string | Date): string {
  return quarantineWindowOf(heldAt).start.toISOString().slice(0, 13);
}

/**
 * `Promote: K7QM-2XPD, 9W2R-XC4M` lines at the top of a maintainer's reply (the command block: up to the first
 * blank line or line that is no command). Unknown words here are not errors: this reads only Promote lines.
 */
export function promoteRefs(body: string): { refs: string[]; invalid: string[] } {
  const refs: string[] = [];
  const invalid: string[] = [];
  const lines = body.split(/\r\n|\r|\n/);
  let i = 0;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  for (let n = 0; i < lines.length && n < 12; i++, n++) {
    const m = /^([A-Za-z][A-Za-z0-9-]{0,39}):(.*)$/.exec(lines[i]!.trim());
    if (!m) break;
    if (m[1]!.toLowerCase() !== 'promote') continue;
    for (const word of m[2]!.split(/[\s,;]+/).filter((w) => w !== '')) {
      const id = normalizeReportId(word);
      if (id) {
        if (!refs.includes(id)) refs.push(id);
      } else invalid.push(word.slice(0, 40));
    }
  }
  return { refs, invalid };
}
