/**
 * Mail that joins an existing report without being a maintainer's command mail.
 *
 * 1. record the message on the report (message item, thread index, audit event: one batch)
 * 2. forward it to the maintainers, threaded under the report
 * The report itself does not change: a follow-up never moves a deadline, and mail from anyone but the
 * reporter is marked as such in the forward (it reached us through a reply address or one of our Message-IDs).
 */
import { reporterPreferencesOf } from '../core/reporter-preferences';
import { evidenceFor } from './evidence';
import { followupForwardDraft } from '../core/drafts';
import type { MessageRecord, Report } from '../core/report';
import type { Deps } from './deps';
import { sendOnce } from './outbox';
import { auditEvent, envelopeFor, messageRecord, patchReport, type Arrival } from './report-records';

export async function recordOnReport(deps: Deps, report: Report, record: MessageRecord): Promise<void> {
  await deps.store.appendToReport({
    messages: [record],
    events: [
      auditEvent(report.id, record.at, record.id, 'message.recorded', record.from?.address ?? 'unknown', {
        outcome: record.outcome,
        checks: record.checks.filter((c) => c.result === 'fail').map((c) => c.name),
      }),
    ],
  });
}

export async function handleReporterFollowup(
  deps: Deps,
  report: Report,
  arrival: Arrival,
  role: 'reporter' | 'stranger',
): Promise<string> {
  const { project, facts, msg, checks } = arrival;
  if (role === 'reporter') {
    // the reporter's own answers (a `Credit:` line, a disclosure date...): recorded as theirs, never as a decision
    const wishes = reporterPreferencesOf(msg.text);
    if (Object.keys(wishes).length) {
      report = await patchReport(deps, report, (current) =>
        current.reporterPreferences?.from === facts.sesMessageId
          ? undefined
          : { reporterPreferences: { ...current.reporterPreferences, ...wishes, from: facts.sesMessageId } },
      );
      await deps.store.appendToReport({
        events: [auditEvent(report.id, facts.receivedAt, `${facts.sesMessageId}:wishes`, 'reporter.preferences', report.reporter.address, { ...wishes })],
      });
    }
  }
  await deps.store.appendToReport({
    messages: [messageRecord(report.id, facts, msg, role, checks, 'followup')],
    threadIndex: msg.messageId ? [{ messageId: msg.messageId, reportId: report.id }] : [],
    events: [
      auditEvent(report.id, facts.receivedAt, facts.sesMessageId, 'followup.received', msg.from?.address ?? '', {
        role,
      }),
    ],
  });
  // imported history is recorded only: the maintainers hear of still-open imported reports in one digest
  if (facts.imported) return `${role === 'reporter' ? "reporter's follow-up" : 'message from a non-maintainer'} (imported history) recorded on ${report.id}`;
  await sendOnce(deps, {
    reportId: report.id,
    outboxId: `forward:${facts.sesMessageId}`,
    draft: followupForwardDraft({
      report,
      project,
      message: msg,
      role,
      verdicts: facts.verdicts,
      checks,
      now: deps.clock.now(),
      // the reporter's new files go with it; a stranger's are listed only (never passed on unasked)
      ...(role === 'reporter' && msg.attachments.length ? await (async () => {
        const evidence = await evidenceFor(deps, facts, msg);
        return { attachments: evidence.attached, place: deps.place, ...(evidence.location ? { attachmentsAt: evidence.location } : {}) };
      })() : {}),
    }),
    envelope: await envelopeFor(deps, report),
  });
  return role === 'reporter'
    ? `reporter's follow-up recorded on ${report.id} and forwarded to the maintainers`
    : `message from a non-maintainer recorded on ${report.id} and forwarded to the maintainers; no commands run, nothing sent to the reporter`;
}
