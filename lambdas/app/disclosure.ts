/**
 * The disclosure steps of a report, performed by the tick (issue 14; core/disclosure.ts says when each is due).
 *
 * Each GitHub call is recorded like an outbox item, before and after:
 * 1. the step is marked `calling` on the report (with the instant) and a `github.call` audit event written
 * 2. GitHub is searched for the step's marker (the report UID): found, the earlier attempt's item is used
 * 3. only if not found, the item is created
 * 4. the step is marked `done` with its link, a `github.done` audit event written, then the mail is sent (outbox)
 * A crash between 3 and 4 leaves `calling`: the retry finds the item at 2 and creates nothing twice.
 * A failed call (GitHub down, no credentials yet) is logged without report content and retried 5 minutes later;
 * it never fails the workflow.
 */
import type { Project } from '../core/config';
import { channelTable, effectiveEmbargo } from '../core/embargo-channels';
import {
  DISCLOSURE_RETRY_MS,
  advisoryDraft,
  announcementIssue,
  closingComment,
  dueDisclosureSteps,
  embargoFromAnchor,
  markerOf,
  releaseNotes,
  type DisclosureStep,
  type StepRecord,
} from '../core/disclosure';
import { announcePreviewDraft, announcedDrafts, publishPreviewDraft, publishedDrafts } from '../core/drafts/disclosure-drafts';
import type { Report } from '../core/report';
import type { Created, GitHub } from '../ports/github';
import type { Deps } from './deps';
import { sendOnce } from './outbox';
import { envelopeFor, patchReport } from './report-records';

export async function disclosureTurn(deps: Deps, report: Report, project: Project, now: Date): Promise<Report> {
  const d = project.disclosure;
  if (!d || report.quarantine) return report;
  report = await sendPreviews(deps, report, project);
  const github = deps.github;
  if (!github) return report;
  // one step may make the next due at once (the draft advisory -> its CVE request): re-plan after each
  const performed = new Set<DisclosureStep>();
  for (;;) {
    const step = dueDisclosureSteps(report, project, now).find((s) => !performed.has(s));
    if (!step) break;
    performed.add(step);
    try {
      report = await perform(deps, github, report, project, step, now);
    } catch (err) {
      const e = err as Error & { status?: number };
      const lastError = `${e.name}${e.status ? ` ${e.status}` : ''}: ${String(e.message).slice(0, 200)}`;
      deps.log.warn('disclosure step failed; retried later', { reportId: report.id, step, error: e.name, status: e.status });
      report = await patchReport(deps, report, (current) => {
        const s = current.disclosure?.[step];
        return { disclosure: { ...current.disclosure, [step]: { ...(s ?? { state: 'calling', at: now.toISOString() }), retryAt: new Date(now.getTime() + DISCLOSURE_RETRY_MS).toISOString(), lastError } } };
      });
      break; // later steps build on this one
    }
  }
  return report;
}

/** The maintainers' preview of each approved public act, once per approval (outbox ID with its instant). */
async function sendPreviews(deps: Deps, report: Report, project: Project): Promise<Report> {
  const d = report.disclosure ?? {};
  const envelope = await envelopeFor(deps, report);
  if (d.announce?.state === 'scheduled' && d.announce.notBefore) {
    await sendOnce(deps, { reportId: report.id, outboxId: `disclosure:preview:announce:${d.announce.notBefore}`, draft: announcePreviewDraft(report, project, new Date(d.announce.notBefore)), envelope });
  }
  if (d.publish?.state === 'scheduled' && d.publish.notBefore) {
    const end = report.embargo ? new Date(report.embargo.until) : undefined;
    const notBefore = new Date(d.publish.notBefore);
    const at = d.publish.mode === 'now' || !end ? notBefore : end.getTime() > notBefore.getTime() ? end : notBefore;
    await sendOnce(deps, { reportId: report.id, outboxId: `disclosure:preview:publish:${d.publish.notBefore}`, draft: publishPreviewDraft(report, project, d.publish.mode === 'at-embargo-end' && !end ? undefined : at), envelope });
  }
  return report;
}

async function setStep(deps: Deps, report: Report, step: DisclosureStep, record: (prev: StepRecord | undefined) => StepRecord, extra: Partial<Report> = {}): Promise<Report> {
  return patchReport(deps, report, (current) => ({ disclosure: { ...current.disclosure, [step]: record(current.disclosure?.[step]) }, ...extra }));
}

async function audit(deps: Deps, report: Report, at: Date, key: string, type: string, detail: Record<string, unknown>) {
  await deps.store.appendToReport({ events: [{ reportId: report.id, at: at.toISOString(), key, type, actor: 'workflow', detail }] });
}

async function perform(deps: Deps, github: GitHub, report: Report, project: Project, step: DisclosureStep, now: Date): Promise<Report> {
  const repo = project.disclosure!.repo;
  const marker = markerOf(report.id, step);
  // 1. before: `calling`, keeping the instant of the first attempt (the announcement's opening instant)
  const prev = report.disclosure?.[step];
  const startedAt = prev?.state === 'calling' && prev.at ? new Date(prev.at) : now;
  if (prev?.state !== 'calling') {
    report = await setStep(deps, report, step, (p) => ({ ...p, state: 'calling', at: now.toISOString() }));
    await audit(deps, report, now, `github:${step}:call`, 'github.call', { step, repo });
  }
  const envelope = await envelopeFor(deps, report);
  const send = async (outboxId: string, draft: Parameters<typeof sendOnce>[1]['draft'], toReporter = false) => {
    if (toReporter && report.reporterUnreachable) return;
    await sendOnce(deps, { reportId: report.id, outboxId, draft, envelope });
  };
  const done = async (created: Created, extra: Partial<Report> = {}) => {
    report = await setStep(deps, report, step, (p) => ({ ...(p?.by ? { by: p.by } : {}), ...(p?.mode ? { mode: p.mode } : {}), state: 'done', at: (step === 'announce' ? startedAt : now).toISOString(), url: created.url, ref: created.ref }), extra);
    await audit(deps, report, now, `github:${step}:done`, 'github.done', { step, repo, url: created.url });
  };

  switch (step) {
    case 'announce': {
      const anchored = embargoFromAnchor(project, startedAt);
      // an outside channel the report was shared with still caps the end the announcement sets (issue 14, point 6)
      const shares = report.embargoChannels ?? [];
      const capped = anchored && shares.length
        ? effectiveEmbargo({ projectEnd: anchored.toISOString(), shares, fixReleasedAt: report.fixReleasedAt, channels: channelTable(deps.config.channels, project.channels), calendar: project.calendar }).end
        : undefined;
      const end = capped ? new Date(capped) : (anchored ?? (report.embargo ? new Date(report.embargo.until) : undefined));
      const found = await github.findIssue(repo, marker);
      const created = found ?? (await github.createIssue(repo, announcementIssue(report, project, end)));
      const setBy = `announce:${created.url}`;
      const embargo = end && project.disclosure?.embargo
        ? {
            embargo: { until: end.toISOString(), setAt: startedAt.toISOString(), setBy },
            embargoAnchorAt: report.embargoAnchorAt ?? startedAt.toISOString(),
            ...(shares.length && anchored ? { embargoProject: { until: anchored.toISOString(), setBy } } : {}),
          }
        : {};
      await done(created, embargo);
      const drafts = announcedDrafts(report, project, created.url);
      await send('disclosure:announced', drafts.maintainers);
      await send('disclosure:announced:reporter', drafts.reporter, true);
      return report;
    }
    case 'advisory': {
      const found = await github.findAdvisory(repo, marker);
      await done(found ?? (await github.createAdvisory(repo, advisoryDraft(report, project))));
      return report;
    }
    case 'cve': {
      const ghsa = report.disclosure?.advisory?.ref;
      if (!ghsa) return report;
      const found = await github.findAdvisory(repo, markerOf(report.id, 'advisory'));
      if (!found?.cveId) await github.requestCve(repo, ghsa);
      const after = await github.findAdvisory(repo, markerOf(report.id, 'advisory'));
      await done({ ref: after?.cveId ?? 'requested', url: report.disclosure?.advisory?.url ?? '' }, after?.cveId && !report.cve ? { cve: after.cveId } : {});
      return report;
    }
    case 'releaseNotes': {
      const found = await github.findRelease(repo, marker);
      await done(found ?? (await github.createDraftRelease(repo, releaseNotes(report, project))));
      return report;
    }
    case 'publish': {
      const d = report.disclosure ?? {};
      let url = '';
      if (d.advisory?.state === 'done' && d.advisory.ref) {
        const found = await github.findAdvisory(repo, markerOf(report.id, 'advisory'));
        url = found?.state === 'published' ? found.url : (await github.publishAdvisory(repo, d.advisory.ref)).url;
      }
      if (d.announce?.state === 'done' && d.announce.ref) {
        const issue = d.announce.ref;
        if (!(await github.findComment(repo, issue, marker))) {
          await github.commentIssue(repo, issue, closingComment(report, { ...(d.advisory?.url ? { advisory: url || d.advisory.url } : {}), ...(d.releaseNotes?.url ? { releaseNotes: d.releaseNotes.url } : {}) }));
        }
        await github.closeIssue(repo, issue);
        url ||= d.announce.url ?? '';
      }
      await done({ ref: 'published', url });
      if (url && report.disclosure?.advisory?.url && url !== report.disclosure.advisory.url) {
        report = await setStep(deps, report, 'advisory', (p) => ({ ...p!, url }));
      }
      const drafts = publishedDrafts(report, project);
      await send('disclosure:published', drafts.maintainers);
      await send('disclosure:published:reporter', drafts.reporter, true);
      return report;
    }
  }
}
