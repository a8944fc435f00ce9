/**
 * Held mail (core/held.ts): what intake took for no report is kept, listed in the maintainers' digest of its
 * hour, and opened as a report when an authenticated maintainer promotes it.
 *
 * Hold: 1. record the held message (reference, reason, sender, subject) 2. start the hour's digest execution
 * (named by project and hour: every held message of the hour starts the same one, which runs once).
 * Digest (Tick of that execution): sleep to the end of the hour, then send one digest of the hour's held mail.
 * Promote: 1. parse the stored raw again 2. open a report under the held reference, as if it had arrived as one,
 * but without a receipt (see `promotedChecks`) 3. record who promoted it 4. mark the inbound message a report.
 */
import type { Project } from '../core/config';
import { heldDigestDraft } from '../core/drafts';
import { heldDigestExecution, heldHour, heldRef, type HeldMessage } from '../core/held';
import { UnparseableMessage, type ParsedMessage } from '../core/parsed-message';
import type { CheckResult, InboundFacts } from '../core/report';
import { BOUNDS, clip } from '../core/bounded';
import type { Deps } from './deps';
import { openReport } from './open-report';
import { sendOnce } from './outbox';
import { auditEvent, boundedChecks } from './report-records';

export const HELD_DIGEST_OUTBOX_ID = 'held-digest';

export async function holdMessage(
  deps: Deps,
  project: Project,
  facts: InboundFacts,
  msg: ParsedMessage,
  checks: CheckResult[],
  verdict: string,
  opts: { digest: boolean },
): Promise<HeldMessage> {
  const failed = checks.filter((c) => c.result === 'fail' && c.name !== 'auth' && c.name !== 'auto-answer');
  const held: HeldMessage = {
    ref: heldRef(facts.sesMessageId),
    project: project.id,
    sesMessageId: facts.sesMessageId,
    rawKey: facts.rawKey,
    receivedAt: facts.receivedAt,
    heldAt: deps.clock.now().toISOString(),
    recipients: facts.recipients.slice(0, BOUNDS.list).map((a) => clip(a, BOUNDS.address)),
    ...(facts.mailFrom !== undefined ? { mailFrom: clip(facts.mailFrom, BOUNDS.address) } : {}),
    verdicts: facts.verdicts,
    from: clip((msg.from?.address ?? '').toLowerCase(), BOUNDS.address),
    subject: clip(msg.subject ?? '', BOUNDS.subject),
    verdict,
    reason: clip(failed.map((c) => c.reason).join('; ') || verdict, BOUNDS.reason),
    checks: boundedChecks(checks),
  };
  await deps.store.putHeld(held);
  if (opts.digest) await deps.workflow.start(heldDigestExecution(project.id, held.heldAt));
  return held;
}

/** The digest execution's turn: before the end of its hour it sleeps; then it sends the digest and ends. */
export async function heldDigestTurn(
  deps: Deps,
  execution: string,
  window: { project: string; start: Date; end: Date },
): Promise<{ done: boolean; sleepSeconds: number }> {
  const now = deps.clock.now();
  if (now.getTime() < window.end.getTime()) {
    return { done: false, sleepSeconds: Math.max(1, Math.ceil((window.end.getTime() - now.getTime()) / 1000)) };
  }
  const project = deps.config.projects.find((p) => p.id === window.project);
  if (!project) {
    deps.log.warn('held digest: project not in the config', { execution });
    return { done: true, sleepSeconds: 1 };
  }
  const items = await deps.store.listHeld(project.id, heldHour(window.start));
  if (items.length) {
    const result = await sendOnce(deps, {
      reportId: execution,
      outboxId: HELD_DIGEST_OUTBOX_ID,
      draft: heldDigestDraft({ project, items, now, place: deps.place }),
      // not about one report: replies (Promote: lines) go to the security address itself
      envelope: {
        from: project.addresses[0],
        replyTo: project.addresses[0],
        messageIdDomain: deps.config.messageIdDomain,
        messageIdSeed: execution,
      },
    });
    deps.log.info('held digest', { execution, listed: items.length, sent: result.sent });
  }
  return { done: true, sleepSeconds: 1 };
}

export type Promotion =
  | { ok: true; ref: string; reportId: string; already: boolean }
  | { ok: false; ref: string; reason: string };

/**
 * Opens a report from held mail. The caller has authenticated `actor` as a maintainer of the held message's
 * project (by mail: DMARC and a DKIM signature over the body naming the reference; locally: the CLI's user).
 * Timers count from the promotion: no promise could run while nobody knew it was a report.
 */
export async function promoteHeld(deps: Deps, ref: string, actor: string, cause: string, project?: Project): Promise<Promotion> {
  const held = await deps.store.getHeld(ref);
  if (!held || (project && held.project !== project.id)) {
    return { ok: false, ref, reason: `no held message ${ref}${project ? ` for ${project.id}` : ''}` };
  }
  const heldProject = deps.config.projects.find((p) => p.id === held.project);
  if (!heldProject) return { ok: false, ref, reason: `${ref} belongs to project ${held.project}, which is not in the config` };
  const inbound = await deps.store.getInbound(held.sesMessageId);
  if (inbound?.outcome === 'report' && inbound.reportId) return { ok: true, ref, reportId: inbound.reportId, already: true };

  let msg: ParsedMessage;
  try {
    msg = await deps.parser.parse(await deps.raw.get(held.rawKey), { limits: deps.config.limits });
  } catch (err) {
    if (err instanceof UnparseableMessage) return { ok: false, ref, reason: `${ref} can no longer be parsed: ${err.reason}` };
    throw err;
  }
  const now = deps.clock.now().toISOString();
  const facts: InboundFacts = {
    sesMessageId: held.sesMessageId,
    recipients: held.recipients,
    verdicts: held.verdicts,
    receivedAt: now,
    rawKey: held.rawKey,
    ...(held.mailFrom !== undefined ? { mailFrom: held.mailFrom } : {}),
  };
  const report = await openReport(deps, heldProject, facts, msg, promotedChecks(held, actor), []);
  await deps.store.appendToReport({
    events: [auditEvent(report.id, report.createdAt, cause, 'report.promoted', actor, { ref, heldAs: held.verdict, arrivedAt: held.receivedAt })],
  });
  await deps.store.putInbound({
    sesMessageId: held.sesMessageId,
    state: 'done',
    outcome: 'report',
    reportId: report.id,
    reason: `promoted by ${actor} from held mail (${held.verdict})`,
    rawKey: held.rawKey,
    at: now,
  });
  deps.log.info('held mail promoted', { ref, reportId: report.id });
  return { ok: true, ref, reportId: report.id, already: false };
}

/**
 * A promoted message keeps its checks and gets no automatic receipt: it was held because it looked automatic
 * (a bounce, an auto-reply, list mail), and an automatic answer to an auto-responder or a list could loop or
 * publish the report. The maintainers' notice says so, and their reply to it reaches the sender as usual.
 */
function promotedChecks(held: HeldMessage, actor: string): CheckResult[] {
  return [
    ...held.checks.filter((c) => c.name !== 'auto-answer'),
    {
      name: 'auto-answer',
      result: 'fail',
      reason: `no automatic answer: promoted from held mail by ${actor} (held as ${held.verdict} when it arrived, ${held.receivedAt}); an automatic receipt to what looked automatic could loop`,
    },
    { name: 'promoted', result: 'pass', reason: `promoted to a report by ${actor}; it arrived ${held.receivedAt}` },
  ];
}
