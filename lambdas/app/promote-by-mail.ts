/**
 * `Promote: <ref>` by mail: an authenticated maintainer opens reports from held mail (core/held.ts), usually by
 * replying to the held-mail digest.
 *
 * 1. read the Promote lines at the top of the body (nothing to do without one: the mail goes its usual way)
 * 2. require what any acting maintainer mail needs: authenticated (receive-mail.ts), and one passing DKIM
 *    signature of the maintainer's domain over the Message-ID and the whole body, where the references are
 *    (a replay or an added tail could otherwise promote); a signed message acts once
 * 3. promote each reference of the maintainer's project; the new reports' notices confirm it
 * 4. answer the maintainer only about references that could not be promoted
 */
import { promoteAnswerDraft } from '../core/drafts';
import { promoteRefs } from '../core/held';
import type { MaintainerAuthentication } from '../core/maintainer';
import type { Deps } from './deps';
import { promoteHeld, type Promotion } from './held-mail';
import { sendOnce } from './outbox';
import type { IntakeResult } from './receive-mail';
import { messageRecord, type Arrival } from './report-records';
import { recordOnReport } from './followup';

export async function promoteByMail(deps: Deps, arrival: Arrival, auth: MaintainerAuthentication): Promise<IntakeResult | undefined> {
  const { project, facts, msg, checks } = arrival;
  const { refs, invalid } = promoteRefs(msg.bodyText);
  if (!refs.length && !invalid.length) return undefined;
  const maintainer = (msg.from?.address ?? '').toLowerCase();
  const result = (outcome: IntakeResult['outcome'], reason: string, reportId?: string): IntakeResult => ({
    sesMessageId: facts.sesMessageId, outcome, checks, reason, ...(reportId ? { reportId } : {}),
  });

  const signature = auth.signatures.find((s) => s.signed.messageId && s.coversWholeBody);
  if (!signature?.signed.messageId) {
    checks.push({ name: 'promote', result: 'fail', reason: 'Promote needs a DKIM signature of the maintainer\'s domain over the Message-ID and the whole body' });
    return result('ignored', 'Promote not applied: no DKIM signature covers the Message-ID and the whole body');
  }
  const holder = await deps.store.claimOnce(`maintainer-message:${signature.signed.messageId}`, facts.sesMessageId);
  if (holder !== facts.sesMessageId) {
    return result('ignored', `a copy or replay of a signed message already applied (Message-ID ${signature.signed.messageId}): promotes nothing`);
  }

  const outcomes: Promotion[] = [];
  for (const ref of refs) outcomes.push(await promoteHeld(deps, ref, maintainer, facts.sesMessageId, project));
  const promoted = outcomes.filter((o): o is Extract<Promotion, { ok: true }> => o.ok);
  const refused = [
    ...outcomes.filter((o): o is Extract<Promotion, { ok: false }> => !o.ok).map(({ ref, reason }) => ({ ref, reason })),
    ...invalid.map((ref) => ({ ref, reason: 'not a reference (they look like K7QM-2XPD)' })),
  ];
  const first = promoted[0] && (await deps.store.getReport(promoted[0].reportId));
  if (first) await recordOnReport(deps, first, messageRecord(first.id, facts, msg, 'maintainer', checks, 'maintainer'));
  if (refused.length) {
    await sendOnce(deps, {
      reportId: `promote-${facts.sesMessageId}`,
      outboxId: 'promote-answer',
      draft: promoteAnswerDraft({ project, now: deps.clock.now(), to: maintainer, inReplyTo: msg.messageId, promoted, refused }),
      envelope: { from: project.addresses[0], replyTo: project.addresses[0], messageIdDomain: deps.config.messageIdDomain, messageIdSeed: facts.sesMessageId },
    });
  }
  const summary = [
    ...promoted.map((p) => `${p.ref} ${p.already ? 'was already' : 'promoted to'} report ${p.reportId}`),
    ...refused.map((r) => `${r.ref} not promoted (${r.reason})`),
  ].join('; ');
  return result('maintainer', `Promote by maintainer ${maintainer}: ${summary}`, first?.id);
}
