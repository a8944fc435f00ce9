/**
 * Use case: an authenticated maintainer's mail on a report.
 *
 * 1. record the message (the full text stays on record and in the raw store)
 * 2. read the command lines at the top; any error or refusal: tell the maintainer exactly what, change nothing
 * 3. apply the commands to the report (once per message, even when retried) with their audit events
 * 4. relay the text below the commands to the reporter from the security address, threaded, with attachments;
 *    or, with `Internal: yes`, to the other maintainers only
 * 5. wake the workflow so it re-plans at once
 *
 * A relayed reply acknowledges the report when that is due; it is the detailed response once acknowledged, or at
 * once when it carries an assessment (`Status: triaged` and on); it always counts as a status update. A
 * command-only acknowledgment is told to the reporter (command-notices.ts); a status alone never responds.
 */
import { applyCommands, ASSESSING } from '../core/apply-commands';
import { parseCommands } from '../core/commands';
import { commandErrorDraft, embargoRefusedDraft, internalNoteDraft, relayCopyDraft, relayDraft, relayFailedDraft } from '../core/drafts';
import { trimQuoted } from '../core/quoted-text';
import type { InboundFacts, Report } from '../core/report';
import { MailRejected } from '../ports/mail-sender';
import { wakeReport } from './arm';
import type { Deps } from './deps';
import { sendOnce } from './outbox';
import { auditEvent, envelopeFor, messageRecord, patchReport, type Arrival } from './report-records';
import { channelTable } from '../core/embargo-channels';
import { confirmToMaintainers, embargoNotice, tellReporter } from './command-notices';
import { sendReceiptOnRelease } from './open-report';
import { INTAKE_ATTEMPTS } from './intake-attempts';
import { redactReport } from './retention';

/** How many applied message IDs a report remembers: enough to cover any retry window. */
const APPLIED_MEMORY = 20;

export async function handleMaintainerReply(deps: Deps, report: Report, arrival: Arrival): Promise<string> {
  const { project, facts, msg, checks } = arrival;
  const now = deps.clock.now();
  const maintainer = (msg.from?.address ?? '').toLowerCase();
  const replyTo = { to: [maintainer], inReplyTo: msg.messageId };
  await deps.store.appendToReport({
    messages: [messageRecord(report.id, facts, msg, 'maintainer', checks, 'maintainer')],
    threadIndex: msg.messageId ? [{ messageId: msg.messageId, reportId: report.id }] : [],
  });

  const embargo = project.timers.embargo;
  const parsed = parseCommands(msg.bodyText, now, embargo ? { defaultDuration: embargo.default, max: embargo.max } : undefined);
  // every line is checked before any is applied: the answer lists every problem, with a form valid now
  const effects = applyCommands(report, parsed.commands, now, project, maintainer, channelTable(deps.config.channels, project.channels));
  if (parsed.errors.length || effects.refusals.length) {
    const problems = [...parsed.errors, ...effects.refusals];
    await sendOnce(deps, {
      reportId: report.id,
      outboxId: `command-error:${facts.sesMessageId}`,
      draft: parsed.errors.length
        ? commandErrorDraft({ report, project, errors: problems, ...replyTo, now })
        : embargoRefusedDraft({ report, project, refusals: effects.refusals, ...replyTo, now }),
      envelope: await envelopeFor(deps, report),
    });
    const type = parsed.errors.length ? 'commands.rejected' : 'commands.refused';
    await event(deps, report, facts, type, maintainer, { errors: problems.map((e) => e.reason) });
    return `commands not applied (${problems.length} problem(s): ${problems.map((p) => p.reason).join('; ')}): nothing changed, the maintainer was told`;
  }

  // an answer to an internal note stays internal unless it says `Internal: no`
  const explicit = parsed.commands.some((c) => c.name === 'internal');
  const internal = explicit ? effects.internal : arrival.internalThread === true;
  if (internal && effects.updateText !== undefined) {
    const problem = { line: `Update: ${effects.updateText}`.slice(0, 120), reason: 'an Update is for the reporter, and this message is internal; send it without `Internal: yes` (or as a reply that is not to an internal note)', example: 'Update: The fix is in review; we expect a release next week.' };
    await sendOnce(deps, {
      reportId: report.id,
      outboxId: `command-error:${facts.sesMessageId}`,
      draft: commandErrorDraft({ report, project, errors: [problem], ...replyTo, now }),
      envelope: await envelopeFor(deps, report),
    });
    await event(deps, report, facts, 'commands.rejected', maintainer, { errors: [problem.reason] });
    return `commands not applied (${problem.reason}): nothing changed, the maintainer was told`;
  }
  const below = trimQuoted(parsed.rest).trim();
  // `Update: <line>` is text for the reporter like the text below the commands (and comes first)
  const text = [effects.updateText, below].filter((t): t is string => t !== undefined && t !== '').join('\n\n');
  const relay = text.length > 0 && !internal;
  // The commands now. What the relay meets (acknowledgment, detailed response, update) is decided now, from the
  // report as it was before this message, but recorded as met only once the relay was sent: a relay that never
  // goes out meets nothing. The decision is kept on the report, so a retry after a crash applies the same one.
  let updated = await applyOnce(deps, report, facts.sesMessageId, (current) => {
    const patch: Partial<Report> = { ...effects.patch };
    if (relay) {
      // The detailed response is text to the reporter: a later reply, or the first one when it comes with an
      // assessment (`Status: triaged` and on); a status alone never is.
      const assessed = parsed.commands.some((c) => c.name === 'status' && c.status !== 'reopened' && ASSESSING.includes(c.status));
      patch.relayPending = { message: facts.sesMessageId, at: now.toISOString(), respond: !current.respondedAt && (current.acknowledgedAt !== undefined || assessed) };
    }
    return patch;
  });
  const relayMet = async () => {
    updated = await patchReport(deps, updated, (current) => {
      const pending = current.relayPending;
      if (pending?.message !== facts.sesMessageId) return undefined;
      return {
        relayPending: undefined,
        ...(current.acknowledgedAt ? {} : { acknowledgedAt: pending.at }),
        ...(pending.respond && !current.respondedAt ? { respondedAt: pending.at } : {}),
        ...(!current.lastUpdateAt || current.lastUpdateAt < pending.at ? { lastUpdateAt: pending.at } : {}),
      };
    });
  };
  await deps.store.appendToReport({
    events: [
      ...effects.changes.map((c, i) =>
        auditEvent(report.id, now.toISOString(), `${facts.sesMessageId}:${i}`, c.type, maintainer, c.detail),
      ),
      auditEvent(report.id, now.toISOString(), facts.sesMessageId, relay ? 'reply.relayed' : 'reply.recorded', maintainer, {
        internal,
        commands: parsed.commands.map((c) => c.name),
      }),
    ],
  });

  const name = project.maintainers.find((m) => m.address.toLowerCase() === maintainer)?.name ?? msg.from?.name;
  let relayFailure: string | undefined;
  if (relay) {
    const attachments = msg.attachments.length ? await attachmentsOf(deps, facts) : [];
    try {
      await sendOnce(deps, {
        reportId: report.id,
        outboxId: `relay:${facts.sesMessageId}`,
        // an embargo this message set is said in the same mail, not in a second one
        draft: relayDraft({ report: updated, project, text, maintainerName: name, attachments, now, notice: embargoNotice(report, updated, project, effects.changes, now) }),
        envelope: await envelopeFor(deps, updated, project.relayDisplayName && name ? `${name} via ${project.name} security` : undefined),
      });
      await relayMet();
    } catch (err) {
      // a refused message (too large, a rejected address) will not go through on a retry: tell the maintainer
      // now; anything else is transient and is retried (Lambda's retries, then the failure queue and its alarm),
      // and on the last attempt the maintainer is told too, so that a failure is never silent
      if (!(err instanceof MailRejected)) {
        const attempts = ((await deps.store.getInbound(facts.sesMessageId))?.attempts ?? 0) + 1;
        if (attempts >= INTAKE_ATTEMPTS) {
          const reason = `the mail service failed (${err instanceof Error ? err.name : 'error'}) on attempt ${attempts} of ${INTAKE_ATTEMPTS}`;
          await relayFailed(deps, updated, arrival, maintainer, reason, parsed.commands.map((c) => c.name), { sesMessageId: facts.sesMessageId, attempts }).catch(() => {
            // the same outage may refuse this one too: the failure record and the queue's alarm remain
          });
        }
        throw err;
      }
      relayFailure = err.reason;
      // refused for good: it meets nothing, and nothing is left pending
      updated = await patchReport(deps, updated, (current) => (current.relayPending?.message === facts.sesMessageId ? { relayPending: undefined } : undefined));
      await relayFailed(deps, updated, arrival, maintainer, err.reason, parsed.commands.map((c) => c.name));
    }
  } else if (internal && text.length > 0) {
    const others = project.maintainers.map((m) => m.address).filter((a) => a.toLowerCase() !== maintainer);
    if (others.length) {
      await sendOnce(deps, {
        reportId: report.id,
        outboxId: `internal:${facts.sesMessageId}`,
        draft: internalNoteDraft({ report: updated, project, text, maintainer, to: others, now }),
        envelope: await envelopeFor(deps, updated, undefined, { internal: true }),
      });
    }
  }
  const toReporter = relay && !relayFailure ? [`your text${msg.attachments.length ? ' and attachments' : ''}`] : [];
  if (effects.patch.generation !== undefined) {
    // a reopen or a release: the new generation's execution runs the report; the old sleep is ended (its Tick
    // sees it is stale and stops), and intake wakes only the new one from now on
    await deps.workflow.start(report.id, updated.generation ?? 0);
  }
  if (effects.released) toReporter.push(await sendReceiptOnRelease(deps, project, updated));
  toReporter.push(...(await tellReporter(deps, { before: report, after: updated, project, relayed: relay && !relayFailure, changes: effects.changes, key: facts.sesMessageId, now })));
  const relayedText = relay && !relayFailure ? text : undefined;
  if (effects.changes.length) {
    // the confirmation carries the relayed text: the other maintainers see what the reporter was sent
    await confirmToMaintainers(deps, { report: updated, project, maintainer, changes: effects.changes, toReporter, key: facts.sesMessageId, inReplyTo: msg.messageId, now, ...(relayedText ? { relayedText } : {}) });
  } else if (relayedText) {
    const others = project.maintainers.map((m) => m.address).filter((a) => a.toLowerCase() !== maintainer);
    if (others.length) {
      await sendOnce(deps, {
        reportId: report.id,
        outboxId: `relay-copy:${facts.sesMessageId}`,
        draft: relayCopyDraft({ report: updated, project, maintainer: name ? `${name} <${maintainer}>` : maintainer, text: relayedText, to: others, inReplyTo: msg.messageId, now }),
        envelope: await envelopeFor(deps, updated),
      });
    }
  }
  // `Redact: yes`: last, once its own text and attachments were relayed from the raw mail, so they go too
  if (effects.redact) await redactReport(deps, updated, now, { event: false });
  await wakeReport(deps, updated);
  const applied = parsed.commands.map((c) => c.name).join(', ') || 'no commands';
  if (relayFailure) return `${applied}; the relay to the reporter was refused (${relayFailure}): the maintainer was told`;
  return `${applied}; ${relay ? 'reply relayed to the reporter' : internal ? 'internal note, not relayed' : 'nothing to relay'}`;
}

/** Applies a patch once per message: the report remembers the messages it applied. */
function applyOnce(
  deps: Deps,
  report: Report,
  sesMessageId: string,
  patchFor: (current: Report) => Partial<Report>,
): Promise<Report> {
  return patchReport(deps, report, (current) =>
    current.appliedMessages?.includes(sesMessageId)
      ? undefined
      : { ...patchFor(current), appliedMessages: [...(current.appliedMessages ?? []), sesMessageId].slice(-APPLIED_MEMORY) },
  );
}

async function relayFailed(deps: Deps, report: Report, arrival: Arrival, maintainer: string, reason: string, applied: string[], retryable?: { sesMessageId: string; attempts: number }) {
  const { project, facts, msg } = arrival;
  await event(deps, report, facts, 'relay.failed', maintainer, { reason, ...(retryable ? { retryable: true } : {}) });
  await sendOnce(deps, {
    reportId: report.id,
    outboxId: `relay-failed:${facts.sesMessageId}`,
    draft: relayFailedDraft({ place: deps.place, report, project, to: maintainer, reason, applied, attachments: msg.attachments, inReplyTo: msg.messageId, now: deps.clock.now(), ...(retryable ? { retryable } : {}) }),
    envelope: await envelopeFor(deps, report),
  });
}

async function attachmentsOf(deps: Deps, facts: InboundFacts) {
  const full = await deps.parser.parse(await deps.raw.get(facts.rawKey), {
    limits: deps.config.limits,
    keepAttachmentContent: true,
  });
  return full.attachments
    .filter((a) => a.content)
    .map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content as Buffer }));
}

async function event(deps: Deps, report: Report, facts: InboundFacts, type: string, actor: string, detail: Record<string, unknown>) {
  await deps.store.appendToReport({ events: [auditEvent(report.id, facts.receivedAt, facts.sesMessageId, type, actor, detail)] });
}
