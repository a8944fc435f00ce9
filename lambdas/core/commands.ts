/**
 * Maintainer commands: pseudo-header lines at the top of a reply body, in the style of the Debian BTS and
 * RT's CommandByMail (DESIGN section 3):
 *
 *   Status: closed duplicate of K7QM-2XPD
 *   Embargo: 2026-12-01 12:00 UTC
 *
 *   Hi Jane, thanks for the report...
 *
 * The block is the leading `Name: value` lines, up to the first blank line or the first line that is not
 * shaped like a command ("Hi Jane," ends it). A line shaped like a command (one word, a colon, a space) that
 * we do not know is an error, never a guess; any error means the caller changes nothing and tells the
 * maintainer. Each value comes from one line, so it cannot carry CR or LF; other control characters are
 * removed, so a value can never inject a header or hide text when it is put into mail.
 */
import { DURATION_PATTERN } from './config';
import { CLOSE_REASONS, REPORT_STATUSES, type CloseReason, type ReportStatus } from './report';
import { normalizeReportId } from './report-id';
import { parseAffected, parseCvss, parseCwe, parseFixed, type AffectedRange, type FixedVersion, type SeverityFact } from './facts';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type EmbargoEnd = { kind: 'at'; iso: string } | { kind: 'duration'; text: string };
export type EmbargoSetting =
  | EmbargoEnd
  | { kind: 'none' }
  | { kind: 'extend'; to: EmbargoEnd; reason: string }
  /** The report was shared with an outside embargo channel (core/embargo-channels.ts): its rule limits the end. */
  | { kind: 'channel'; channel: string };

export type Command =
  | { name: 'status'; status: Exclude<ReportStatus, 'closed'> }
  | { name: 'status'; status: 'closed'; reason: CloseReason; duplicateOf?: string }
  /** Only on a closed (or disclosed) report: a new workflow generation starts. */
  | { name: 'status'; status: 'reopened' }
  /** Only on a quarantined report (also `Status: received` there): it becomes a report, with a receipt. */
  | { name: 'release' }
  /** A short status update for the reporter (with any text below the commands). */
  | { name: 'update'; text: string }
  | { name: 'embargo'; embargo: EmbargoSetting }
  | { name: 'severity'; severity: Severity; cvss?: SeverityFact }
  /** Several lines allowed; the lines of one message replace the list (`none` empties it). */
  | { name: 'affected'; affected?: AffectedRange }
  | { name: 'fixed'; fixed?: FixedVersion }
  | { name: 'cwe'; cwe?: string }
  /** `me` or a maintainer's (or lead's) address: the report's owner. */
  | { name: 'assign'; to: string }
  | { name: 'cve'; cve: string }
  | { name: 'credit'; credit: string }
  | { name: 'internal'; internal: boolean }
  | { name: 'reporter'; reachable: true }
  /** Legal hold (issue 19, retention): nothing of the report expires or is redacted while it holds. */
  | { name: 'hold'; hold: boolean }
  /** `Encrypt: no`: our mail to the reporter goes in clear text despite their known OpenPGP key (issue 17). */
  | { name: 'encrypt'; encrypt: boolean }
  /** Remove excerpts, attachment names and raw mail now; the facts and the audit trail stay. */
  | { name: 'redact' }
  /** Held mail to open as reports: read in a reply to the held-mail digest only (core/held.ts promoteRefs). */
  | { name: 'promote'; refs: string[] }
  /** Disclosure on GitHub (issue 14): schedule the announcement issue (after its preview) or hold it. */
  | { name: 'announce'; announce: 'yes' | 'hold' }
  /** Create the draft repository security advisory now. */
  | { name: 'advisory'; advisory: 'draft' }
  /** Publish (advisory, closing the announcement): now after the preview, or approved for the embargo end. */
  | { name: 'publish'; publish: 'yes' | 'at-embargo-end' };

export type CommandName = Command['name'];

export interface CommandError {
  /** The offending line, control characters removed and shortened, safe to quote in a reply. */
  line: string;
  reason: string;
  /** The correct form. */
  example: string;
}

export interface ParsedCommands {
  commands: Command[];
  errors: CommandError[];
  /** The text below the command block (what is relayed to the reporter). */
  rest: string;
}

export interface EmbargoDefaults {
  /** Used for `Embargo: default` (the project's `timers.embargo.default`). */
  defaultDuration: string;
  max: string;
}

export const CREDIT_MAX_LENGTH = 200;
/** Commands that may be given on several lines of one message (each line one item of a list). */
const REPEATABLE: ReadonlySet<CommandName> = new Set(['affected', 'fixed', 'cwe']);
export const UPDATE_MAX_LENGTH = 500;
export const EXTEND_REASON_MAX_LENGTH = 300;
/** Twenty commands exist, three of them repeatable; a longer block is a pasted header block or an attack, not a command list. */
export const MAX_COMMAND_LINES = 24;

export const COMMAND_EXAMPLES: Record<CommandName, string> = {
  status: 'Status: triaged   (or: Status: closed invalid ; Status: closed duplicate of K7QM-2XPD)',
  embargo: 'Embargo: 2027-03-20 12:00 UTC   (or: Embargo: 72h ; Embargo: none)',
  severity: 'Severity: high   (low, medium, high, critical; or a vector: Severity: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H)',
  affected: 'Affected: PyPI bases >=0.2.0, <0.3.1   (one line per range; Affected: none)',
  fixed: 'Fixed: 0.3.1   (or: Fixed: PyPI bases 0.3.1)',
  cwe: 'CWE: CWE-407',
  assign: 'Assign: me   (or: Assign: bob@example.org)',
  cve: 'CVE: CVE-2026-12345',
  credit: 'Credit: Jane Doe (Example Corp)',
  internal: 'Internal: yes   (or: Internal: no)',
  reporter: 'Reporter: reachable   (after a bounce: mail to the reporter resumes)',
  release: 'Release: yes   (a quarantined message becomes a report; the sender gets the receipt)',
  update: 'Update: The fix is in review; we expect a release next week.',
  hold: 'Hold: yes   (legal hold: nothing of the report expires; Hold: no lifts it)',
  redact: 'Redact: yes   (removes the excerpts, attachment names and raw mail now; facts and audit trail stay)',
  announce: 'Announce: yes   (opens the announcement issue after the preview; Announce: hold stops it)',
  advisory: 'Advisory: draft   (creates the draft security advisory on GitHub)',
  publish: 'Publish: yes   (or: Publish: at-embargo-end)',
  encrypt: 'Encrypt: no   (mail to the reporter goes in clear text although we have their OpenPGP key; Encrypt: yes resumes)',
  promote: 'Promote: K7QM-2XPD   (in a reply to the held-mail digest: opens that held message as a report)',
};

/** The correct form of a command, valid at `now` (an embargo date a week ahead, never one already past). */
export function commandExample(name: CommandName, now: Date): string {
  if (name !== 'embargo') return COMMAND_EXAMPLES[name];
  const day = new Date(now.getTime() + 7 * 86_400_000).toISOString().slice(0, 10);
  return `Embargo: ${day} 12:00 UTC   (or: Embargo: 72h ; Embargo: none ; a lead: Embargo: extend ${day} 12:00 UTC reason: <why>)`;
}

/** C0 and C1 controls, DEL, line/paragraph separators and bidi overrides (which can disguise text). */
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

export function stripControlCharacters(s: string): string {
  return s.replace(UNSAFE_CHARACTERS, '');
}

/**
 * One word (letters, digits, hyphens) and a colon. An unknown word counts only when a space or the end of the
 * line follows (so `Thanks:)` or `https://...` end the block), a known one also without (`Status:fixed`).
 */
const COMMAND_LINE = /^([A-Za-z][A-Za-z0-9-]{0,39}):(.*)$/;

type ValueResult<C> = { ok: C } | { error: string };

export function parseCommands(body: string, now: Date, embargo?: EmbargoDefaults): ParsedCommands {
  const lines = body.split(/\r\n|\r|\n/);
  const commands: Command[] = [];
  const errors: CommandError[] = [];
  const seen = new Set<CommandName>();
  let i = 0;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  for (; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') {
      i++; // the blank line belongs to the block
      break;
    }
    const match = COMMAND_LINE.exec(stripControlCharacters(raw.replace(/\t/g, ' ')).trim());
    if (!match) break;
    const word = match[1]!.toLowerCase();
    const after = match[2]!;
    if (!isCommandName(word) && after !== '' && !/^[ \t]/.test(after)) break;
    const value = after.trim();
    const line = quoteLine(raw);
    if (commands.length + errors.length >= MAX_COMMAND_LINES) {
      errors.push({ line, reason: `more than ${MAX_COMMAND_LINES} command lines; nothing was done`, example: 'Status: triaged' });
      break;
    }
    if (!isCommandName(word)) {
      errors.push({
        line,
        reason: `"${match[1]}" is not a command; known commands: Status, Embargo, Severity, CVE, Credit, Internal, Reporter, Release, Update, Affected, Fixed, CWE, Assign, Hold, Redact, Encrypt, Promote, Announce, Advisory, Publish`,
        example: 'Status: triaged',
      });
      continue;
    }
    if (seen.has(word) && !REPEATABLE.has(word)) {
      errors.push({ line, reason: `${match[1]} is given twice; give it once`, example: commandExample(word, now) });
      continue;
    }
    seen.add(word);
    const result = parseValue(word, value, now, embargo);
    if ('ok' in result) commands.push(result.ok);
    else errors.push({ line, reason: result.error, example: commandExample(word, now) });
  }
  if (commands.length + errors.length === 0) return { commands, errors, rest: body };
  return { commands, errors, rest: lines.slice(i).join('\n') };
}

function isCommandName(word: string): word is CommandName {
  return Object.prototype.hasOwnProperty.call(COMMAND_EXAMPLES, word);
}

function quoteLine(raw: string): string {
  const clean = stripControlCharacters(raw).trim();
  return clean.length > 120 ? `${clean.slice(0, 117)}...` : clean;
}

function parseValue(name: CommandName, value: string, now: Date, embargo?: EmbargoDefaults): ValueResult<Command> {
  if (value === '') return { error: 'the value is missing' };
  switch (name) {
    case 'status':
      return parseStatus(value);
    case 'embargo': {
      const setting = parseEmbargo(value, now, embargo);
      return 'ok' in setting ? { ok: { name, embargo: setting.ok } } : setting;
    }
    case 'severity': {
      const severity = value.toLowerCase();
      if ((SEVERITIES as readonly string[]).includes(severity)) return { ok: { name, severity: severity as Severity } };
      if (/^cvss:/i.test(value)) {
        const cvss = parseCvss(value);
        if ('error' in cvss) return cvss;
        const rating = cvss.ok.rating === 'none' ? 'low' : cvss.ok.rating;
        return { ok: { name, severity: rating, cvss: cvss.ok } };
      }
      return { error: `"${value}" is not a severity; use low, medium, high or critical, or a CVSS 3.1 / 4.0 vector` };
    }
    case 'affected': {
      if (value.toLowerCase() === 'none') return { ok: { name } };
      const r = parseAffected(value);
      return 'ok' in r ? { ok: { name, affected: r.ok } } : r;
    }
    case 'fixed': {
      if (value.toLowerCase() === 'none') return { ok: { name } };
      const r = parseFixed(value);
      return 'ok' in r ? { ok: { name, fixed: r.ok } } : r;
    }
    case 'cwe': {
      if (value.toLowerCase() === 'none') return { ok: { name } };
      const r = parseCwe(value);
      return 'ok' in r ? { ok: { name, cwe: r.ok } } : r;
    }
    case 'assign': {
      const to = value.toLowerCase();
      return to === 'me' || /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(to) ? { ok: { name, to } } : { error: `"${value}" is not "me" or an address` };
    }
    case 'cve':
      return /^CVE-\d{4}-\d{4,7}$/i.test(value)
        ? { ok: { name, cve: value.toUpperCase() } }
        : { error: `"${value}" is not a CVE ID (CVE-YYYY-NNNN, four or more digits)` };
    case 'credit':
      return value.length > CREDIT_MAX_LENGTH
        ? { error: `the credit is ${value.length} characters long; at most ${CREDIT_MAX_LENGTH}` }
        : { ok: { name, credit: value } };
    case 'internal': {
      const v = value.toLowerCase();
      if (v === 'yes' || v === 'no') return { ok: { name, internal: v === 'yes' } };
      return { error: `"${value}" is not yes or no` };
    }
    case 'encrypt': {
      const v = value.toLowerCase();
      if (v === 'yes' || v === 'no') return { ok: { name, encrypt: v === 'yes' } };
      return { error: `"${value}" is not yes or no` };
    }
    case 'hold': {
      const v = value.toLowerCase();
      if (v === 'yes' || v === 'no') return { ok: { name, hold: v === 'yes' } };
      return { error: `"${value}" is not yes or no` };
    }
    case 'redact':
      return value.toLowerCase() === 'yes' ? { ok: { name } } : { error: `"${value}" is not understood; the only value is "yes"` };
    case 'promote':
      // read by the held-mail path (core/held.ts promoteRefs) in a reply to the digest; on a report it is a mistake
      return { error: 'Promote opens held mail as new reports: send it in a reply to the held-mail digest, not in a reply about a report' };
    case 'announce': {
      const v = value.toLowerCase();
      return v === 'yes' || v === 'hold' ? { ok: { name, announce: v } } : { error: `"${value}" is not yes or hold` };
    }
    case 'advisory':
      return value.toLowerCase() === 'draft' ? { ok: { name, advisory: 'draft' } } : { error: `"${value}" is not understood; write "Advisory: draft"` };
    case 'publish': {
      const v = value.toLowerCase().replace(/\s+/g, '-');
      return v === 'yes' || v === 'at-embargo-end' ? { ok: { name, publish: v } } : { error: `"${value}" is not yes or at-embargo-end` };
    }
    case 'reporter':
      return value.toLowerCase() === 'reachable'
        ? { ok: { name, reachable: true } }
        : { error: `"${value}" is not understood; the only value is "reachable"` };
    case 'release':
      return value.toLowerCase() === 'yes' ? { ok: { name } } : { error: `"${value}" is not understood; write "Release: yes"` };
    case 'update':
      return value.length > UPDATE_MAX_LENGTH
        ? { error: `the update line is ${value.length} characters long; at most ${UPDATE_MAX_LENGTH} (write longer text below the commands)` }
        : { ok: { name, text: value } };
  }
}

function parseStatus(value: string): ValueResult<Command> {
  const words = value
    .toLowerCase()
    .replace(/[():,]/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '');
  const status = words[0]!;
  if ((status === 'reopened' || status === 'reopen') && words.length === 1) return { ok: { name: 'status', status: 'reopened' } };
  if (!(REPORT_STATUSES as readonly string[]).includes(status)) {
    return { error: `"${words[0]}" is not a status; use one of ${REPORT_STATUSES.join(', ')}, or reopened` };
  }
  if (status !== 'closed') {
    return words.length === 1
      ? { ok: { name: 'status', status: status as Exclude<ReportStatus, 'closed'> } }
      : { error: `only "closed" takes a reason; write just "Status: ${status}"` };
  }
  const reason = words.slice(1);
  if (reason.length === 0) {
    return { error: `closed needs a reason: ${CLOSE_REASONS.join(', ')} (duplicate of <report ID>)` };
  }
  if (reason[0] === 'duplicate') {
    const idText = reason[1] === 'of' ? reason.slice(2) : reason.slice(1);
    const id = idText.length === 1 ? normalizeReportId(idText[0]!) : undefined;
    if (!id) return { error: 'a duplicate needs the report ID it duplicates, e.g. "duplicate of K7QM-2XPD"' };
    return { ok: { name: 'status', status: 'closed', reason: 'duplicate', duplicateOf: id } };
  }
  const single = reason.join(' ').replace(/^won'?t ?fix$/, 'wontfix').replace(/^not ?supported$/, 'not-supported');
  if ((CLOSE_REASONS as readonly string[]).includes(single) && single !== 'duplicate') {
    return { ok: { name: 'status', status: 'closed', reason: single as CloseReason } };
  }
  return { error: `"${reason.join(' ')}" is not a reason to close; use ${CLOSE_REASONS.join(', ')}` };
}

/** No embargo in this field is longer than a couple of years; the policy's own maximum is checked later. */
export const MAX_EMBARGO_DAYS = 730;
/** How many of each unit make a day, at the least (a business day is at most 24 h, a business hour 1 h). */
const DAYS_PER_UNIT = { m: 1440, h: 24, d: 1, bh: 24, bd: 1 } as const;

const AT_UTC = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?\s*(?:UTC|GMT|Z)$/i;
const AT_OFFSET = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?\s*([+-])(\d{2}):?(\d{2})$/;

function parseEmbargo(value: string, now: Date, embargo?: EmbargoDefaults): ValueResult<EmbargoSetting> {
  const v = value.trim();
  const lower = v.toLowerCase();
  if (lower === 'none') return { ok: { kind: 'none' } };
  const channel = /^channel(?:\s+(.*))?$/i.exec(v);
  if (channel) {
    const name = (channel[1] ?? '').trim().toLowerCase();
    return /^[a-z0-9][a-z0-9-]{0,39}$/.test(name) ? { ok: { kind: 'channel', channel: name } } : { error: 'a channel needs its name, e.g. "Embargo: channel linux-distros"' };
  }
  const extend = /^extend\s+(.+?)\s+reason:\s*(.*)$/i.exec(v) ?? (/^extend\b/i.test(v) ? undefined : null);
  if (extend === undefined) return { error: 'an extension needs a date and a reason: "Embargo: extend <date or duration> reason: <why>"' };
  if (extend) {
    const reason = extend[2]!.trim();
    if (reason.length < 3) return { error: 'an extension needs a reason after "reason:"' };
    if (reason.length > EXTEND_REASON_MAX_LENGTH) return { error: `the reason is ${reason.length} characters long; at most ${EXTEND_REASON_MAX_LENGTH}` };
    const to = parseEmbargo(extend[1]!, now, embargo);
    if ('error' in to) return to;
    if (to.ok.kind !== 'at' && to.ok.kind !== 'duration') return { error: 'an extension needs a date or a duration' };
    return { ok: { kind: 'extend', to: to.ok, reason } };
  }
  if (lower === 'default') {
    if (!embargo) return { error: 'this project has no default embargo length; give a date or a duration' };
    return { ok: { kind: 'duration', text: embargo.defaultDuration } };
  }
  const duration = DURATION_PATTERN.exec(lower);
  if (duration) {
    const count = Number(duration[1]);
    if (!(count > 0)) return { error: 'the duration must be more than zero' };
    // bounded before any date arithmetic: `100000bd` or a 400-digit number would overflow the calendar walk
    const days = count / DAYS_PER_UNIT[duration[2] as keyof typeof DAYS_PER_UNIT];
    if (!Number.isFinite(days) || days > MAX_EMBARGO_DAYS) {
      return { error: `${v} is longer than any embargo (at most ${MAX_EMBARGO_DAYS} days)` };
    }
    return { ok: { kind: 'duration', text: lower } };
  }
  const utc = AT_UTC.exec(v);
  const offset = utc ? undefined : AT_OFFSET.exec(v);
  const m = utc ?? offset;
  if (!m) {
    return { error: `"${v}" is not a date with a time zone, a duration, or none` };
  }
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  let ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return { error: `"${v}" is not a real date and time` };
  }
  if (offset) {
    const sign = offset[7] === '-' ? -1 : 1;
    const minutes = Number(offset[8]) * 60 + Number(offset[9]);
    if (minutes > 14 * 60) return { error: `"${v}" has an offset beyond +/-14:00` };
    ms -= sign * minutes * 60_000;
  }
  if (ms <= now.getTime()) return { error: `${new Date(ms).toISOString()} is already past` };
  return { ok: { kind: 'at', iso: new Date(ms).toISOString() } };
}
