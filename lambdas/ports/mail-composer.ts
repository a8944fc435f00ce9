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
  /** An `Autocrypt:` header value (the project's key, for mail to a reporter; issue 17). */
  autocrypt?: string;
  /** PGP/MIME (RFC 3156): the whole draft becomes the encrypted inner entity, its headers protected (RFC 9788),
   *  and the outer Subject is `outerSubject`. `seal` signs and encrypts the inner entity (armored output). */
  encrypt?: { outerSubject: string; seal: (inner: Buffer) => Promise<string> };
}

/**
 * Turns a draft into RFC 5322 bytes. Header values are built by a MIME library (nodemailer's MailComposer in
 * adapters/), never by string concatenation.
 */
export interface MailComposer {
  compose(draft: Draft, envelope: ComposeEnvelope): Promise<Buffer>;
}
