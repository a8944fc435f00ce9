/**
 * Use case: one inbound message, from raw bytes already stored to a recorded outcome.
 *
 * 1. return the recorded outcome if this SES message was already processed (SES and Lambda deliver at least once)
 * 2. parse (hostile input: any failure becomes a quarantined record with the reason; the raw stays stored)
 * 3. route to a project by envelope recipient
 * 4. classify with named checks (loop, bounce, auto-reply, list, spam/virus, human)
 * 5. thread (reply address, our Message-IDs, subject tag) and decide who the sender is
 * 6. act: open a report, record a follow-up, run a maintainer's commands and relay the reply, or only record
 * 7. record the inbound message as done (the last write: a crash before it is repaired by the retry)
 *
 * Every write on the way is idempotent on its own (deterministic IDs and keys), so a retry after a crash between
 * any two writes converges on the same records and never sends a mail twice.
 */
import { classify } from '../core/classify';
import { actingSignature, authenticateMaintainer, isListedMaintainer, type DkimSignature } from '../core/maintainer';
import { UnparseableMessage, type ParsedMessage } from '../core/parsed-message';
import type { CheckResult, InboundFacts, InboundRecord, Outcome, Report } from '../core/report';
import { isOurAddress, routeToProjects } from '../core/route';
import { decideThread, signedReportRefs, threadingKeys } from '../core/thread';
import type { Deps } from './deps';
import { handleMaintainerReply } from './maintainer-reply';
import { openFreshReport, openReport, quarantineMessage } from './open-report';
import { handleReporterFollowup, recordOnReport } from './followup';
import { handleBounceOfOurMail } from './delivery-failure';
import { messageRecord, patchReport, type Arrival } from './report-records';
import { mailboxKey } from '../core/address-key';
import { holdMessage } from './held-mail';
import { promoteByMail } from './promote-by-mail';
import { importedMaintainerMail } from './imported-mail';
import { openEncrypted } from './pgp-intake';
import { EVIDENCE_PARSE } from './evidence';

export interface IntakeResult {
  sesMessageId: string;
  outcome: Outcome;
  reportId?: string;
  checks: CheckResult[];
  reason: string;
  /** True when this SES message had already been processed: nothing was done again. */
  duplicate?: boolean;
}

export async function receiveMail(deps: Deps, facts: InboundFacts): Promise<IntakeResult> {
  const previous = await deps.store.getInbound(facts.sesMessageId);
  if (previous?.state === 'done') {
    return {
      sesMessageId: facts.sesMessageId,
      outcome: previous.outcome ?? 'ignored',
      reportId: previous.reportId,
      checks: [],
      reason: previous.reason ?? 'already processed',
      duplicate: true,
    };
  }
  const finish: InboundFinish = {
    record: (r) => ({
      sesMessageId: facts.sesMessageId,
      state: 'done',
      outcome: r.outcome,
      reportId: r.reportId,
      reason: r.reason,
      rawKey: facts.rawKey,
      at: deps.clock.now().toISOString(),
    }),
    written: false,
  };
  const result = await process(deps, facts, finish);
  // a new report's first path writes it with its last mail's records (open-report.ts openFreshReport)
  if (!finish.written) await deps.store.putInbound(finish.record(result));
  deps.metrics.count('received');
  if (result.outcome === 'quarantined') deps.metrics.count('quarantined');
  deps.log.info('inbound processed', {
    sesMessageId: facts.sesMessageId,
    reportId: result.reportId,
    outcome: result.outcome,
  });
  return result;
}

/** The inbound message's record as done, for the path that writes it itself (`written` then). */
interface InboundFinish {
  record(result: Pick<IntakeResult, 'outcome' | 'reportId' | 'reason'>): InboundRecord;
  written: boolean;
}

async function process(deps: Deps, facts: InboundFacts, finish: InboundFinish): Promise<IntakeResult> {
  const { config } = deps;
  const projects = routeToProjects(facts.recipients, config);
  const project = projects[0];

  let msg: ParsedMessage;
  try {
    // the files a notice or forwarded follow-up would carry are kept from this parse (no second one for them)
    msg = await deps.parser.parse(await deps.raw.get(facts.rawKey), { limits: config.limits, ...EVIDENCE_PARSE });
  } catch (err) {
    if (!(err instanceof UnparseableMessage)) throw err; // a store or runtime failure: let the retry run
    const checks: CheckResult[] = [{ name: 'parse', result: 'fail', reason: err.reason }];
    if (!project) return ignored(facts, checks, `unparseable and no project for ${facts.recipients.join(', ')}`);
    return quarantined(deps, project, facts, undefined, checks, err.reason);
  }

  if (!project) {
    return ignored(facts, [], `no project receives mail for ${facts.recipients.join(', ')}`);
  }
  // encrypted mail is read as what it says (issue 17): everything below sees the decrypted text and files
  const opened = await openEncrypted(deps, project, facts.rawKey, msg);
  msg = opened.msg;

  const key = await deps.keys.replyAddressKey();
  let classified: ReturnType<typeof classify>;
  let keys: ReturnType<typeof threadingKeys>;
  try {
    // pure and deterministic on untrusted fields: an exception here is the message's fault, and a retry could
    // not help; it is quarantined with the reason, the raw kept
    classified = classify(msg, facts, { messageIdDomain: config.messageIdDomain, isOurAddress: (a) => isOurAddress(config, a) });
    keys = threadingKeys(msg, facts, { key, messageIdDomain: config.messageIdDomain, subjectTag: project.subjectTag });
  } catch (err) {
    const reason = `could not classify the message: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`.slice(0, 500);
    return quarantined(deps, project, facts, msg, [{ name: 'parse', result: 'fail', reason }], reason);
  }
  const { verdict, checks } = classified;
  checks.push(...opened.checks);
  // Live mail threads by our Message-IDs only (a reporter's own Message-ID may be known to others); imported
  // history by any recorded one, so a reporter's second mail joins their first report.
  const answered = facts.imported ? [...keys.ourMessageIds, ...keys.foreignMessageIds] : keys.ourMessageIds;
  const byMessageId = answered.length ? await deps.store.findReportByMessageIds(answered) : undefined;
  const tagged = await loadReports(deps, keys.taggedIds);
  const auth = authenticateMaintainer(
    {
      from: msg.from,
      fromFields: msg.headers.from?.length ?? 0,
      ambiguities: msg.headerAmbiguities,
      verdicts: facts.verdicts,
      signatures: await signaturesOf(deps, facts, msg, project),
    },
    project,
  );
  const refsOf = (signed: DkimSignature['signed']) => signedReportRefs(signed, { key, subjectTag: project.subjectTag });
  const actsOn = (reportId: string) => actingSignature(auth, reportId, refsOf);
  // A From that fails DMARC is probably forged: it never counts as the reporter's (no joining by subject tag,
  // no reporter role), though the message is still recorded and forwarded.
  const sender = facts.verdicts.dmarc === 'FAIL' ? '' : (msg.from?.address ?? '').toLowerCase();
  const known = new Map<string, Report>(tagged.map((r) => [r.id, r]));
  const decision = decideThread(
    keys,
    { byMessageId, tagged: tagged.map((r) => ({ id: r.id, reporter: r.reporter.address })) },
    sender,
    (reportId) => actsOn(reportId).ok && known.get(reportId)?.project === project.id,
  );
  checks.push({ name: 'auth', result: auth.ok ? 'pass' : 'skip', reason: auth.reason });
  const acting = decision.kind === 'existing' ? actsOn(decision.reportId) : auth.ok ? undefined : { ok: false as const, reason: auth.reason };
  if (auth.claimed && acting && !acting.ok) checks.push(impersonation(msg.from?.address ?? '', acting.reason));

  let existing =
    decision.kind === 'existing'
      ? (known.get(decision.reportId) ?? (await deps.store.getReport(decision.reportId)))
      : undefined;

  if (verdict === 'human' && !existing && auth.ok) {
    const promotion = await promoteByMail(deps, { project, facts, msg, checks }, auth);
    if (promotion) return promotion;
  }

  if (verdict !== 'human' && verdict !== 'quarantine') {
    // Observe, never answer: loops, bounces, auto-replies and list mail are only recorded; what belongs to no
    // report is held and listed in the maintainers' digest, where a maintainer can promote it.
    if (!existing) {
      const held = await holdMessage(deps, project, facts, msg, checks, verdict, { digest: !facts.imported });
      return ignored(facts, checks, `${verdict}: held as ${held.ref}, not answered (no report it belongs to); listed in the held-mail digest`);
    }
    await recordOnReport(deps, existing, messageRecord(existing.id, facts, msg, 'system', checks, 'ignored'));
    // a bounce counts only when it reached our bounce address (the reply address) or names our Message-ID
    const ours = decision.kind === 'existing' && (decision.via === 'reply-address' || decision.via === 'message-id');
    if (verdict === 'bounce' && ours && !facts.imported) await handleBounceOfOurMail(deps, existing, project, msg);
    return { sesMessageId: facts.sesMessageId, outcome: 'ignored', reportId: existing.id, checks, reason: `${verdict}: recorded on ${existing.id}, not answered` };
  }

  if (verdict === 'quarantine') {
    return quarantined(deps, project, facts, msg, checks, checks.filter((c) => c.result === 'fail').map((c) => c.reason).join('; '));
  }

  if (facts.imported && isListedMaintainer(project, msg.from?.address)) {
    return importedMaintainerMail(deps, existing, { project, facts, msg, checks });
  }

  if (!existing) {
    const relatesTo = decision.kind === 'new' ? decision.relatesTo : [];
    const reason = decision.kind === 'new' ? decision.reason : 'new report';
    return openReports(deps, projects, { project, facts, msg, checks }, relatesTo, sender, reason, finish);
  }

  if (msg.encryption?.signature === 'unknown-key' && existing.reporterKey && existing.project === project.id) {
    // signed by a key we learnt from an earlier message of this report
    const again = await openEncrypted(deps, project, facts.rawKey, msg, [existing.reporterKey.armored]);
    const signatureCheck = again.checks.find((c) => c.name === 'pgp-signature');
    const at = checks.findIndex((c) => c.name === 'pgp-signature');
    if (signatureCheck && at >= 0) checks[at] = signatureCheck;
  }
  if (msg.senderKey && sender && sender === existing.reporter.address.toLowerCase() && existing.reporterKey?.fingerprint !== msg.senderKey.fingerprint) {
    // the reporter sent their key (again, or a new one): our mail to them is encrypted to it from now on
    const key = { ...msg.senderKey, from: facts.sesMessageId };
    existing = await patchReport(deps, existing, () => ({ reporterKey: key }));
  }
  const signature = acting?.ok && existing.project === project.id ? acting.signature : undefined;
  const internalThread = keys.replyAddress.kind === 'valid' && keys.replyAddress.internal && keys.replyAddress.reportId === existing.id;
  return handleExisting(deps, existing, { project, facts, msg, checks, internalThread }, signature, sender);
}

async function handleExisting(
  deps: Deps,
  report: Report,
  arrival: Arrival,
  signature: DkimSignature | undefined,
  sender: string,
): Promise<IntakeResult> {
  const base = { sesMessageId: arrival.facts.sesMessageId, reportId: report.id, checks: arrival.checks };
  if (signature?.signed.messageId) {
    // A signed message acts once, whatever delivers it again: a replay of the same bytes, or a second copy.
    const holder = await deps.store.claimOnce(`maintainer-message:${signature.signed.messageId}`, arrival.facts.sesMessageId);
    if (holder === arrival.facts.sesMessageId) {
      const reason = await handleMaintainerReply(deps, report, arrival);
      return { ...base, outcome: 'maintainer', reason };
    }
    arrival.checks.push(
      impersonation(arrival.msg.from?.address ?? '', `this signed message (Message-ID ${signature.signed.messageId}) was already applied once: a copy or a replay never acts again`),
    );
  }
  const role = sender !== '' && sender === report.reporter.address.toLowerCase() ? 'reporter' : 'stranger';
  const reason = await handleReporterFollowup(deps, report, arrival, role);
  return { ...base, outcome: 'followup', reason };
}

/**
 * A new report for every project the message is addressed to, each opened exactly once whatever delivers the
 * message: the Message-ID and sender claim the report (a conditional write) before or with anything else, so a
 * concurrent duplicate or a client's retry under a new delivery ID finds the claim and finishes the first
 * attempt's work (report, records, workflow, receipt, notice: each write idempotent, keyed by the first
 * attempt's ID) instead of skipping it or opening a second report. Then this delivery is recorded on it.
 * A message found neither claimed nor opened takes the first path (open-report.ts openFreshReport: the claim
 * and the report in one transaction); the claim is taken on its own otherwise.
 */
async function openReports(
  deps: Deps,
  projects: Arrival['project'][],
  arrival: Arrival,
  relatesTo: string[],
  sender: string,
  reason: string,
  finish: InboundFinish,
): Promise<IntakeResult> {
  const { facts, msg, checks } = arrival;
  const opened: Report[] = [];
  const copies: string[] = [];
  for (const [i, project] of projects.entries()) {
    // the first project's report derives from the delivery ID itself, the others from it and their project ID
    const origin = i === 0 ? facts.sesMessageId : `${facts.sesMessageId}~${project.id}`;
    const claimKey = msg.messageId && sender ? `report:${project.id}:${mailboxKey(sender)}:${msg.messageId}` : undefined;
    const fresh = await openFreshReport(deps, project, { ...facts, sesMessageId: origin }, msg, checks, relatesTo, {
      ...(claimKey !== undefined ? { claimKey } : {}),
      // one project: the result below is known now (outcome 'report', this report, `reason`)
      ...(projects.length === 1 ? { finish: (r: Report) => finish.record({ outcome: 'report', reportId: r.id, reason }) } : {}),
    });
    if (fresh) {
      opened.push(fresh.report);
      if (fresh.finished) finish.written = true;
      continue;
    }
    const owner = claimKey !== undefined ? await deps.store.claimOnce(claimKey, origin) : origin;
    const report = await openReport(deps, project, { ...facts, sesMessageId: owner }, msg, checks, relatesTo);
    if (owner !== origin) {
      await recordOnReport(deps, report, messageRecord(report.id, facts, msg, 'reporter', checks, 'ignored'));
      copies.push(report.id);
    }
    opened.push(report);
  }
  if (opened.length > 1) await linkSiblings(deps, opened);
  const [first] = opened;
  if (copies.length === opened.length) {
    return { sesMessageId: facts.sesMessageId, outcome: 'ignored', reportId: first!.id, checks, reason: `a copy of a message already on ${copies.join(', ')} (same Message-ID and sender): recorded, its report completed, not answered again` };
  }
  const others = opened.length > 1 ? `; also ${opened.slice(1).map((r) => `${r.id} (${r.project})`).join(', ')}` : '';
  return { sesMessageId: facts.sesMessageId, outcome: 'report', reportId: first!.id, checks, reason: `${reason}${others}` };
}

/** Reports opened from one message for several projects name each other (`relatesTo`). */
async function linkSiblings(deps: Deps, reports: Report[]): Promise<void> {
  for (const report of reports) {
    const others = reports.filter((r) => r.id !== report.id).map((r) => r.id);
    await patchReport(deps, report, (current) => {
      const wanted = [...new Set([...(current.relatesTo ?? []), ...others])];
      return wanted.length === (current.relatesTo ?? []).length ? undefined : { relatesTo: wanted };
    });
  }
}

/** Signatures are verified only for mail whose From names a maintainer: nobody else's could act. */
async function signaturesOf(deps: Deps, facts: InboundFacts, msg: ParsedMessage, project: Arrival['project']): Promise<DkimSignature[]> {
  if (!isListedMaintainer(project, msg.from?.address)) return [];
  return deps.dkim.verify(await deps.raw.get(facts.rawKey));
}

/** The check that makes the maintainers' mail say, first thing, that someone claimed to be one of them. */
function impersonation(address: string, reason: string): CheckResult {
  return { name: 'impersonation', result: 'fail', reason: `claims to come from maintainer ${address.toLowerCase()}, but ${reason.replace(/^claims to be maintainer \S+, but /, '')}` };
}

async function loadReports(deps: Deps, ids: string[]): Promise<Report[]> {
  const found = await Promise.all(ids.map((id) => deps.store.getReport(id)));
  return found.filter((r): r is Report => r !== undefined);
}

async function quarantined(
  deps: Deps,
  project: Arrival['project'],
  facts: InboundFacts,
  msg: ParsedMessage | undefined,
  checks: CheckResult[],
  reason: string,
): Promise<IntakeResult> {
  const report = await quarantineMessage(deps, project, facts, msg, checks, reason);
  return { sesMessageId: facts.sesMessageId, outcome: 'quarantined', reportId: report.id, checks, reason };
}

function ignored(facts: InboundFacts, checks: CheckResult[], reason: string): IntakeResult {
  return { sesMessageId: facts.sesMessageId, outcome: 'ignored', checks, reason };
}

/** Best effort: a failed intake is recorded with its reason (the raw stays stored); the caller rethrows. */
export async function recordIntakeFailure(deps: Deps, facts: InboundFacts, err: unknown): Promise<void> {
  const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  deps.metrics.count('intakeFailed');
  try {
    const project = routeToProjects(facts.recipients, deps.config)[0];
    if (project) deps.metrics.figure('intakeFailures', 1, { project: project.id });
  } catch {
    // the per-project count is a nicety: recording the failure matters more
  }
  // The log gets the error's name only: messages can quote addresses or subjects; the full reason is stored.
  deps.log.error('intake failed', { sesMessageId: facts.sesMessageId, error: err instanceof Error ? err.name : 'unknown' });
  try {
    const previous = await deps.store.getInbound(facts.sesMessageId);
    if (previous?.state === 'done') return;
    await deps.store.putInbound({
      sesMessageId: facts.sesMessageId,
      state: 'failed',
      reason,
      rawKey: facts.rawKey,
      at: deps.clock.now().toISOString(),
      attempts: (previous?.attempts ?? 0) + 1,
    });
  } catch {
    // the store itself may be what failed; Lambda's retry and the on-failure queue keep the event
  }
}
