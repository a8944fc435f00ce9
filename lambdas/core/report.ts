/**
 * The records a report is made of (DESIGN section 5). These are the shapes the core reasons about; the
 * DynamoDB adapter maps them onto one table.
 */

import type { ChannelShare, EffectiveEmbargo } from './embargo-channels';
import type { Facts } from './facts';
import type { DisclosureRecord } from './disclosure';

export interface ReporterPreferences {
  /** How they wish to be credited, as they wrote it ("anonymous" when they asked not to be named). */
  credit?: string;
  /** A disclosure date they asked for (ISO date or instant, as recognised). */
  disclosureDate?: string;
  /** A preferred contact other than this address. */
  contact?: string;
  /** Which message each came from (the SES message ID). */
  from?: string;
}

export const REPORT_STATUSES = [
  'received',
  'acknowledged',
  'triaged',
  'fixing',
  'fixed',
  'disclosed',
  'closed',
] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export const CLOSE_REASONS = ['invalid', 'duplicate', 'wontfix', 'not-supported'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

/** What intake did with one inbound message. */
export type Outcome = 'report' | 'followup' | 'maintainer' | 'quarantined' | 'ignored';

/** SES receipt verdicts; imported or locally received mail has UNKNOWN ones unless verified locally. */
export type Verdict = 'PASS' | 'FAIL' | 'GRAY' | 'PROCESSING_FAILED' | 'DISABLED' | 'UNKNOWN';
export interface Verdicts {
  spf: Verdict;
  dkim: Verdict;
  dmarc: Verdict;
  spam: Verdict;
  virus: Verdict;
  /** The From address(es), lower-cased, that these verdicts judged (SES `commonHeaders.from`; locally mailauth's
   *  header From). A maintainer's mail counts only when this is exactly the From we parsed. */
  evaluatedFrom?: string[];
}

/** The facts SES (or the local SMTP server, or `import`) knows about a message before anyone parses it. */
export interface InboundFacts {
  sesMessageId: string;
  /** Envelope recipients (RCPT TO), lower-cased. */
  recipients: string[];
  verdicts: Verdicts;
  /** Arrival instant, ISO 8601 UTC. */
  receivedAt: string;
  /** Where the raw message is stored (raw-store key). */
  rawKey: string;
  /** Envelope sender (MAIL FROM); '' for the null return path of bounces. */
  mailFrom?: string;
  /** Set by `secintake import`: history, not live mail. A reply threads to any recorded Message-ID, a listed
   *  maintainer's mail is recorded as theirs (never a report, never run as commands), past-due timers are not
   *  fired, and no mail is sent but receipts when `sendReceipts` (receive-mail.ts, open-report.ts). */
  imported?: { sendReceipts: boolean };
}

/** One named classification check (Haraka style): its result is kept on the record. */
export interface CheckResult {
  name: 'loop' | 'bounce' | 'auto-reply' | 'list' | 'spam' | 'virus' | 'parse' | 'human' | 'auth' | string;
  result: 'pass' | 'fail' | 'skip';
  reason: string;
}

export interface Address {
  address: string;
  name?: string;
}

export interface AttachmentMeta {
  filename?: string;
  contentType: string;
  size: number;
  sha256: string;
  /** PGP/MIME, S/MIME and TNEF parts are kept, flagged, never interpreted. */
  flag?: 'pgp' | 'smime' | 'tnef';
}

export type Role = 'reporter' | 'maintainer' | 'stranger' | 'system';

export interface Report {
  id: string;
  project: string;
  status: ReportStatus;
  closeReason?: CloseReason;
  duplicateOf?: string;
  reporter: Address;
  subject: string;
  /** Arrival of the first message: every timer counts from here. ISO 8601 UTC. */
  createdAt: string;
  /** SES messageId of the message that created the report (makes creation idempotent). */
  origin: string;
  /** The project's security address the report came in at: our mail is sent from it. */
  securityAddress: string;
  /** Message-ID of the reporter's first message; our mail threads under it. */
  rootMessageId?: string;
  quarantine?: { reason: string };
  /** The reporter wrote encrypted (issue 17): how, and whether we could read it. */
  encryption?: { kind: 'pgp-mime' | 'inline-pgp' | 'smime'; decrypted: boolean; reason?: string };
  /** The reporter's OpenPGP public key (attached, Autocrypt, or sent later): our mail to them is encrypted to it. */
  reporterKey?: { armored: string; fingerprint: string; source: 'attached' | 'autocrypt'; from: string };
  /** `Encrypt: no` from a maintainer: mail to the reporter goes in clear text despite a known key. */
  encryptOff?: { by: string; at: string };
  /** Reports this one refers to (a stranger quoting a public report ID opens a new one). */
  relatesTo?: string[];
  severity?: string;
  cve?: string;
  /** The credit the maintainers confirmed (`Credit:`); the reporter's own wish is in `reporterPreferences`. */
  credit?: string;
  /** The maintainer who coordinates this report (assignment in the project's config, or `Assign:`). */
  owner?: string;
  /** What the maintainers stated about the vulnerability: affected/fixed versions, CVSS, CWE. */
  facts?: Facts;
  /** What the reporter asked for in their own words: never the maintainers' decision. */
  reporterPreferences?: ReporterPreferences;
  /** The embargo's end: once the report was shared with an outside channel, the effective end (the earliest of
   *  the project's and the channels'; core/embargo-channels.ts). */
  embargo?: {
    until: string;
    setAt: string;
    setBy: string;
    /** Never stored: `show` adds the effective embargo with where each limit comes from. */
    effective?: EffectiveEmbargo;
  };
  /** Outside embargo channels the report was shared with (`Embargo: channel linux-distros`), each once. */
  embargoChannels?: ChannelShare[];
  /** Once shared with a channel: the project's own end (absent `until`: the project set none or lifted it). */
  embargoProject?: { until?: string; setBy?: string };
  /** When a fix was released (the first `Status: fixed`): Project Zero's rule counts from it. */
  fixReleasedAt?: string;
  acknowledgedAt?: string;
  respondedAt?: string;
  /** Last message relayed to the reporter by a maintainer (counts as a status update). */
  lastUpdateAt?: string;
  /** When the report was disclosed or closed (meets the disclose deadline). */
  disclosedAt?: string;
  /** Set when the embargo ends: the report is due for disclosure. */
  disclosureDueAt?: string;
  reporterUnreachable?: { since: string; reason: string };
  /** When an embargo was first set: the policy's maximum counts from here, so repeating the command never
   *  extends it (lifting it does not reset it either). */
  embargoAnchorAt?: string;
  /** When the report's timers started counting, if not at `createdAt`: its release from quarantine. */
  timersFrom?: string;
  /** When a maintainer last reopened the closed report: status updates count from here again. */
  reopenedAt?: string;
  /** The workflow generation: each has its own execution (`<id>` for 0, `<id>-g<n>`), and only the current one
   *  acts. A new one starts on reopen, on release from quarantine, and every 300 days (a hand-over). */
  generation?: number;
  /** When the current generation started (`createdAt` for generation 0). */
  generationStartedAt?: string;
  /** Extensions of the embargo beyond the policy's maximum, by a lead, with their reasons. */
  embargoExtensions?: Array<{ until: string; at: string; by: string; reason: string }>;
  /** A relay whose commands were applied but which is not sent yet: what it meets once it is (acknowledgment if
   *  still due, the detailed response when `respond`, the status update), at `at`. */
  relayPending?: { message: string; at: string; respond: boolean };
  /** SES messageIds of the last maintainer messages whose commands were applied (a retry never applies twice). */
  appliedMessages?: string[];
  /** Disclosure on GitHub (issue 14): each step's state, link and instant; see core/disclosure.ts. */
  disclosure?: DisclosureRecord;
  /** Timer actions already taken, by deterministic key (e.g. `acknowledge:remind:50%`): each fires once. */
  fired: string[];
  /** The instant up to which this report's SLA figures were published as metrics (issue 19; AWS only). */
  figuresAt?: string;
  /** Legal hold: nothing of the report expires or is redacted while it is set (issue 19, retention). */
  hold?: { since: string; by: string };
  /** What retention did: when the records and the audit skeleton expire (TTL set on them), when it was redacted. */
  retention?: { expiresAt?: string; auditExpiresAt?: string; redactedAt?: string };
  /** The next instant the workflow must look at this report (GSI sort key). */
  nextDueAt?: string;
  /** Workflow: the task token of the current sleep, and the report version it was planned from. */
  workflow?: { token?: string; plannedVersion?: number };
  /** Incremented on every change; updates are conditional on it. */
  version: number;
}

export interface MessageRecord {
  reportId: string;
  /** ISO instant the message was received or sent. */
  at: string;
  /** SES messageId for inbound mail; the outbox ID for outbound mail. */
  id: string;
  direction: 'in' | 'out';
  from: Address | undefined;
  to: string[];
  role: Role;
  subject: string;
  messageId?: string;
  inReplyTo?: string;
  outcome?: Outcome;
  checks: CheckResult[];
  verdicts?: Verdicts;
  rawKey?: string;
  /** When retention deleted the raw mail (`rawDays`); `rawKey` is gone from the record then (issue 19). */
  rawDeletedAt?: string;
  /** First few KB of the text, for `show`; the whole message stays in the raw store. */
  excerpt: string;
  /** At most BOUNDS.attachments of them; `attachmentsOmitted` counts the rest (all are in the raw message). */
  attachments: AttachmentMeta[];
  attachmentsOmitted?: number;
  /** Outbound only: what kind of mail this is (receipt, reminder, relay...). */
  kind?: string;
}

export interface AuditEvent {
  reportId: string;
  at: string;
  /** Deterministic within a report, so a retried write overwrites instead of duplicating. */
  key: string;
  type: string;
  actor: string;
  detail: Record<string, unknown>;
}

/** Per-SES-message idempotency record. */
export interface InboundRecord {
  sesMessageId: string;
  state: 'done' | 'failed';
  outcome?: Outcome;
  reportId?: string;
  reason?: string;
  rawKey: string;
  at: string;
  attempts?: number;
}

/** One outbound message, recorded under a deterministic ID before it is sent. */
export interface OutboxItem {
  id: string;
  reportId: string;
  kind: string;
  to: string[];
  state: 'pending' | 'sent';
  createdAt: string;
  sentAt?: string;
  providerId?: string;
  messageId: string;
  subject: string;
}

/** A promise of the policy applied to one report, as shown in mail, `show --json` and the GSI. */
export interface DeadlineView {
  name: 'acknowledge' | 'respond' | 'update' | 'embargo' | 'disclose';
  /** The promised instant (for acknowledge: the soft bound). */
  dueAt: string;
  /** The outer bound, when the policy gives a window ("48-72 business hours"). */
  hardAt?: string;
  /** `stopped`: no timer runs for it (a quarantined, closed or disclosed report): it will not be reminded. */
  state: 'pending' | 'met' | 'missed' | 'stopped';
  /** When it was met, if it was. */
  metAt?: string;
}
