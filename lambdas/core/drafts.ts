/**
 * Every message we send, as a pure function from plain data to a `Draft` (EMAILS.md is the spec for how each
 * reads). The drafts live in `drafts/`, one file per audience or occasion; this module is their import path.
 */
export type { Draft, DraftAttachment, DraftContext, DeadlineInput } from './drafts/draft';
export { subjectFor, subjectTag, oneLine } from './drafts/draft';
export { missingInformation, versionSupportNote, mentionedVersions, inAnyRange } from './drafts/report-content';
export type { MissingItem } from './drafts/report-content';
export {
  receiptDraft,
  lateNoticeDraft,
  relayDraft,
  embargoChangedDraft,
  embargoSentence,
  relayDisplayName,
  withoutQuotedHistory,
  KEEP_PRIVATE_LINE,
} from './drafts/reporter-drafts';
export type { ReceiptInput, LateNoticeInput, RelayInput } from './drafts/reporter-drafts';
export {
  newReportNoticeDraft,
  followupForwardDraft,
  internalNoteDraft,
  verdictSummary,
} from './drafts/maintainer-drafts';
export type {
  ReceivedMessage,
  NewReportNoticeInput,
  FollowupForwardInput,
  InternalNoteInput,
} from './drafts/maintainer-drafts';
export { reminderDraft, escalationDraft } from './drafts/deadline-drafts';
export type { ReminderInput, EscalationInput } from './drafts/deadline-drafts';
export {
  embargoEndDraft,
  embargoEndDrafts,
  embargoRefusedDraft,
  commandErrorDraft,
  relayFailedDraft,
  unreachableNoticeDraft,
  quarantineDigestDraft,
} from './drafts/notice-drafts';
export type {
  EmbargoEndInput,
  EmbargoRefusedInput,
  CommandErrorInput,
  UnreachableInput,
  QuarantinedItem,
  QuarantineDigestInput,
} from './drafts/notice-drafts';
export { heldDigestDraft, promoteAnswerDraft } from './drafts/held-drafts';
export type { HeldDigestInput, PromoteAnswerInput } from './drafts/held-drafts';
export { importDigestDraft } from './drafts/import-drafts';
export type { ImportDigestInput } from './drafts/import-drafts';
export { acknowledgedDraft, commandsAppliedDraft, relayCopyDraft, reopenedDraft } from './drafts/command-drafts';
export type { AcknowledgedInput, CommandsAppliedInput } from './drafts/command-drafts';
