/**
 * After a maintainer's commands were applied: the people concerned hear what changed (a promise kept in silence
 * is not kept).
 *
 * 1. the reporter: a short acknowledgment when a maintainer acknowledged without writing to them (only then is
 *    the acknowledgment real), and the embargo date whenever it is set, moved or lifted
 * 2. every maintainer: one confirmation of what was applied (before -> after), what reached the reporter, and
 *    the next deadlines
 * Each mail is keyed by the maintainer's message, so a retry never sends it twice.
 */
import type { Project } from '../core/config';
import { acknowledgedDraft, commandsAppliedDraft, embargoChangedDraft, embargoSentence, reopenedDraft } from '../core/drafts';
import type { Report } from '../core/report';
import { deadlinesOf } from '../core/timeline';
import type { Deps } from './deps';
import { sendOnce } from './outbox';
import { envelopeFor } from './report-records';

type Change = { type: string; detail: Record<string, unknown> };

const embargoChanged = (changes: { type: string }[]) => changes.some((c) => c.type === 'embargo.set' || c.type === 'embargo.lifted' || c.type === 'embargo.extended');
const extensionReason = (changes: Change[]) => {
  const reason = changes.find((c) => c.type === 'embargo.extended')?.detail.reason;
  // an end set by an outside channel's rule says so (core/apply-commands.ts effectiveEnd)
  const set = changes.find((c) => c.type === 'embargo.set');
  const channel = typeof set?.detail.by === 'string' && set.detail.by.startsWith('channel:') && typeof set.detail.rule === 'string' ? { channelRule: set.detail.rule } : {};
  return typeof reason === 'string' ? { extensionReason: reason, ...channel } : channel;
};

/** The sentence a relayed reply ends with when its commands set, moved or lifted the embargo. */
export function embargoNotice(before: Report, after: Report, project: Project, changes: Change[], now: Date): string | undefined {
  if (!embargoChanged(changes)) return undefined;
  return embargoSentence({ report: after, project, until: after.embargo?.until, previous: before.embargo?.until, now, ...extensionReason(changes) });
}

/** What the reporter was sent because of these changes, in words for the maintainers' confirmation. */
export async function tellReporter(
  deps: Deps,
  c: { before: Report; after: Report; project: Project; relayed: boolean; changes: Change[]; key: string; now: Date },
): Promise<string[]> {
  const { before, after, project, now } = c;
  if (after.reporterUnreachable || !after.reporter.address) return [];
  const told: string[] = [];
  if (!before.acknowledgedAt && after.acknowledgedAt && !c.relayed) {
    await sendOnce(deps, {
      reportId: after.id,
      outboxId: `acknowledged:${c.key}`,
      draft: acknowledgedDraft({ report: after, project, deadlines: deadlinesOf(after, project, now), now }),
      envelope: await envelopeFor(deps, after),
    });
    told.push('a short acknowledgment with the status and the next date');
  }
  if (embargoChanged(c.changes) && c.relayed) told.push(after.embargo ? 'the embargo date (in the same mail)' : 'that the embargo was lifted (in the same mail)');
  else if (embargoChanged(c.changes)) {
    // the embargo binds the reporter too
    await sendOnce(deps, {
      reportId: after.id,
      outboxId: `embargo-set:${c.key}`,
      draft: embargoChangedDraft({ report: after, project, until: after.embargo?.until, previous: before.embargo?.until, now, ...extensionReason(c.changes) }),
      envelope: await envelopeFor(deps, after),
    });
    told.push(after.embargo ? 'the embargo date' : 'that the embargo was lifted');
  }
  if (!c.relayed && c.changes.some((x) => x.type === 'report.reopened')) {
    await sendOnce(deps, {
      reportId: after.id,
      outboxId: `reopened:${c.key}`,
      draft: reopenedDraft({ report: after, project, deadlines: deadlinesOf(after, project, now), now }),
      envelope: await envelopeFor(deps, after),
    });
    told.push('that the report was reopened');
  }
  return told;
}

export async function confirmToMaintainers(
  deps: Deps,
  c: { report: Report; project: Project; maintainer: string; changes: Change[]; toReporter: string[]; key: string; inReplyTo?: string; now: Date; relayedText?: string },
): Promise<void> {
  await sendOnce(deps, {
    reportId: c.report.id,
    outboxId: `applied:${c.key}`,
    draft: commandsAppliedDraft({
      report: c.report,
      project: c.project,
      maintainer: c.maintainer,
      changes: c.changes,
      toReporter: c.toReporter,
      deadlines: deadlinesOf(c.report, c.project, c.now),
      inReplyTo: c.inReplyTo,
      now: c.now,
      ...(c.relayedText ? { relayedText: c.relayedText } : {}),
    }),
    envelope: await envelopeFor(deps, c.report),
  });
}
