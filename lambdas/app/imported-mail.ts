/**
 * A listed maintainer's mail found in an imported mailbox (`secintake import`): history, never a report and
 * never a receipt to a maintainer. It is recorded as the maintainer's on the report it answers; no command line
 * in it runs (imported mail is not authenticated, and what it asked for happened back then, by other means).
 * A maintainer's reply that reached the reporter (the reporter in To or Cc) acknowledged the report then.
 */
import type { Report } from '../core/report';
import { wakeReport } from './arm';
import type { Deps } from './deps';
import type { IntakeResult } from './receive-mail';
import { auditEvent, messageRecord, patchReport, type Arrival } from './report-records';

export async function importedMaintainerMail(deps: Deps, report: Report | undefined, arrival: Arrival): Promise<IntakeResult> {
  const { facts, msg, checks } = arrival;
  const maintainer = (msg.from?.address ?? '').toLowerCase();
  const base = { sesMessageId: facts.sesMessageId, outcome: 'maintainer' as const, checks };
  if (!report) {
    return { ...base, reason: `mail from maintainer ${maintainer} (imported history) answering no recorded report: recorded, not a report` };
  }
  await deps.store.appendToReport({
    messages: [messageRecord(report.id, facts, msg, 'maintainer', checks, 'maintainer')],
    threadIndex: msg.messageId ? [{ messageId: msg.messageId, reportId: report.id }] : [],
    events: [auditEvent(report.id, facts.receivedAt, facts.sesMessageId, 'maintainer.mail.imported', maintainer)],
  });
  const reporter = report.reporter.address.toLowerCase();
  const toReporter = reporter !== '' && [...msg.to, ...msg.cc].some((a) => (a.address ?? '').toLowerCase() === reporter);
  if (toReporter) {
    const updated = await patchReport(deps, report, (current) => (current.acknowledgedAt ? undefined : { acknowledgedAt: facts.receivedAt }));
    if (updated.version !== report.version) await wakeReport(deps, updated);
  }
  return {
    ...base,
    reportId: report.id,
    reason: `mail from maintainer ${maintainer} (imported history) recorded on ${report.id}${toReporter ? ', answering the reporter' : ''}; no commands run, nothing sent`,
  };
}
