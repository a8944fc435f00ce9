import type { Draft } from '../core/drafts';

/** What a draft needs beyond itself to become a message: who sends it, where replies go, its identity. */
export interface ComposeEnvelope {
  /** The project's security address: the only From we ever use. */
  from: string;
  /** Display name when the draft has none (e.g. "bases security"). */
  fromName?: string;
  /** The per-report address, so replies thread to the report. */
  replyTo: string;
  /** `<local>@<messageIdDomain>` without angle brackets. */
  messageId: string;
  date: Date;
  /** Our loop-detection stamp (`X-Security-Intake`), e.g. the report ID. */
  stamp: string;
}

/**
 * Turns a draft into RFC 5322 bytes. Header values are built by a MIME library (nodemailer's MailComposer in
 * adapters/), never by string concatenation.
 */
export interface MailComposer {
  compose(draft: Draft, envelope: ComposeEnvelope): Promise<Buffer>;
}
