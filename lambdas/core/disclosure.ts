/**
 * Disclosure on GitHub as steps of the workflow (issue 14). Pure: what each public or private item says, which
 * steps are due at `now`, and when the next one falls due. The tick (app/disclosure.ts) performs them.
 *
 * Steps and what starts them:
 *   announce      a public issue (bases): scheduled by `Announce: yes`, goes out `previewFor` after the preview
 *                 mail, stopped by `Announce: hold`. Its opening is the embargo's anchor when the policy says so
 *                 (`embargo: {anchor: "announce", length: "72h"}`): the embargo ends 72 h after it opens.
 *   advisory      a draft repository security advisory (private until published): at triage or `Advisory: draft`
 *   cve           the CVE request for that draft (`advisory.requestCve`)
 *   releaseNotes  a draft release with the notes and the confirmed credit (private until a maintainer publishes it),
 *                 when the embargo ends
 *   publish       public: the advisory is published and the announcement issue is commented on and closed. Only
 *                 after `Publish: yes` (`previewFor` after its preview) or `Publish: at-embargo-end` (at the end, and
 *                 never before `previewFor` after the approval)
 *
 * Nothing public happens without a maintainer's command; the maintainers see the exact public text first.
 * Each item carries a marker (the report UID in an HTML comment) by which a retry finds what it already created.
 */
import type { Disclosure, Project } from './config';
import { addDuration } from './deadline';
import { formatInstant } from './format-instant';
import type { Report } from './report';

export const DISCLOSURE_STEPS = ['announce', 'advisory', 'cve', 'releaseNotes', 'publish'] as const;
export type DisclosureStep = (typeof DISCLOSURE_STEPS)[number];

export interface StepRecord {
  /** scheduled (approved, waiting for its instant), held (Announce: hold), calling (the GitHub call may have
   *  happened: a retry looks for it by its marker first), done. */
  state: 'scheduled' | 'held' | 'calling' | 'done';
  /** done: when it happened; calling: when the call started. */
  at?: string;
  /** The public (or, for drafts, the maintainers') link. */
  url?: string;
  /** Issue number, advisory GHSA ID, release ID, CVE ID. */
  ref?: string;
  /** scheduled: not before this instant (preview sent at approval). */
  notBefore?: string;
  /** publish: `now` (Publish: yes) or `at-embargo-end`. */
  mode?: 'now' | 'at-embargo-end';
  /** The maintainer who approved or asked for it. */
  by?: string;
  /** After a failed attempt: tried again from this instant. */
  retryAt?: string;
  /** The last failed attempt, for `show` (never report content: an HTTP status and GitHub's message). */
  lastError?: string;
}

export type DisclosureRecord = Partial<Record<DisclosureStep, StepRecord>>;

/** The marker a retry searches for: the report UID and the step, invisible in rendered Markdown. */
export function markerOf(reportId: string, step: DisclosureStep): string {
  return `<!-- security-intake report ${reportId} ${step} -->`;
}

/** When a retry after a failed GitHub call is tried again. */
export const DISCLOSURE_RETRY_MS = 5 * 60_000;

/** The embargo end set by the anchor step (bases: the announcement issue opening + 72 h). */
export function embargoFromAnchor(project: Project, anchorAt: Date): Date | undefined {
  const e = project.disclosure?.embargo;
  return e ? addDuration(anchorAt, e.length, project.calendar) : undefined;
}

/** The instant a public act may happen after its approval: the preview is sent at approval. */
export function previewEnd(disclosure: Disclosure, project: Project, approvedAt: Date): Date {
  return addDuration(approvedAt, disclosure.previewFor, project.calendar);
}

/** Statuses at which the maintainers have assessed the report and it is still being worked on. */
const TRIAGED: ReadonlyArray<Report['status']> = ['triaged', 'fixing', 'fixed'];

/** Steps due at `now`, in the order they are performed. */
export function dueDisclosureSteps(report: Report, project: Project, now: Date): DisclosureStep[] {
  const d = project.disclosure;
  if (!d || report.quarantine) return [];
  const rec = report.disclosure ?? {};
  const due: DisclosureStep[] = [];
  const t = now.getTime();
  const retryDue = (s: StepRecord) => !s.retryAt || new Date(s.retryAt).getTime() <= t;
  const ready = (s: StepRecord | undefined) =>
    s !== undefined && retryDue(s) && (s.state === 'calling' || (s.state === 'scheduled' && (!s.notBefore || new Date(s.notBefore).getTime() <= t)));
  if (d.announce && ready(rec.announce)) due.push('announce');
  const assessed = TRIAGED.includes(report.status);
  if (d.advisory && rec.advisory?.state !== 'done' && (ready(rec.advisory) || (d.advisory.draft === 'triage' && assessed && !rec.advisory))) due.push('advisory');
  const notWaiting = (s: StepRecord | undefined) => !s || retryDue(s);
  if (d.advisory?.requestCve && rec.advisory?.state === 'done' && !report.cve && rec.cve?.state !== 'done' && notWaiting(rec.cve)) due.push('cve');
  if (d.releaseNotes && report.disclosureDueAt && rec.releaseNotes?.state !== 'done' && notWaiting(rec.releaseNotes)) due.push('releaseNotes');
  if (publishReady(report, project, now)) due.push('publish');
  return due;
}

function publishReady(report: Report, project: Project, now: Date): boolean {
  const p = report.disclosure?.publish;
  if (!p || p.state === 'done' || p.state === 'held') return false;
  if (p.retryAt && new Date(p.retryAt).getTime() > now.getTime()) return false;
  if (p.state === 'calling') return true;
  if (p.notBefore && new Date(p.notBefore).getTime() > now.getTime()) return false;
  return p.mode === 'now' || report.disclosureDueAt !== undefined || (report.embargo !== undefined && new Date(report.embargo.until).getTime() <= now.getTime());
}

/** The next instant a disclosure step falls due after `now` (the embargo end wakes the tick by itself). */
export function nextDisclosureAt(report: Report, project: Project, now: Date): Date | undefined {
  if (!project.disclosure || report.quarantine) return undefined;
  const t = now.getTime();
  const points: number[] = [];
  for (const step of DISCLOSURE_STEPS) {
    const s = report.disclosure?.[step];
    if (s?.state === 'scheduled' && s.notBefore) points.push(new Date(s.notBefore).getTime());
    if (s?.retryAt) points.push(new Date(s.retryAt).getTime());
  }
  const future = points.filter((p) => p > t);
  return future.length ? new Date(Math.min(...future)) : undefined;
}

const rangeText = (report: Report) =>
  (report.facts?.affected ?? []).map((a) => `${a.ecosystem} ${a.package} ${a.range}`).join('; ');

/**
 * The announcement issue: only what the policy lets it say (bases: the affected versions, the report UID, the
 * embargo date), built from the maintainers' facts, never from the reporter's text.
 */
export function announcementIssue(report: Report, project: Project, embargoEnd: Date | undefined): { title: string; body: string } {
  const contains = project.disclosure?.announce?.contains ?? ['affected', 'uid', 'embargo'];
  const lines = [`A security vulnerability has been reported in ${project.name} and a fix is ready. Details will be published when the embargo ends.`, ''];
  if (contains.includes('affected')) lines.push(`Affected versions: ${rangeText(report) || 'to be announced'}`);
  if (contains.includes('uid')) lines.push(`Security report UID: ${report.id}`);
  if (contains.includes('embargo') && embargoEnd) lines.push(`Embargo date: ${embargoEnd.toISOString().replace(/\.\d{3}Z$/, 'Z')} (${formatInstant(embargoEnd, 'UTC')})`);
  lines.push('', markerOf(report.id, 'announce'));
  return { title: contains.includes('uid') ? `Security vulnerability announcement: report ${report.id}` : `Security vulnerability announcement`, body: lines.join('\n') };
}

/** The comment the announcement issue gets when it is closed at publication. */
export function closingComment(report: Report, links: { advisory?: string; releaseNotes?: string }): string {
  return [
    `The embargo on security report ${report.id} has ended and the fix is published.`,
    ...(links.advisory ? [`Advisory: ${links.advisory}`] : []),
    ...(links.releaseNotes ? ['The release notes describe the vulnerability.'] : []),
    '',
    markerOf(report.id, 'publish'),
  ].join('\n');
}

/** The facts as Markdown lines (the maintainers' statements only). */
function factLines(report: Report): string[] {
  const f = report.facts;
  return [
    ...(rangeText(report) ? [`- Affected: ${rangeText(report)}`] : []),
    ...(f?.fixed.length ? [`- Fixed in: ${f.fixed.map((x) => [x.ecosystem, x.package, x.version].filter(Boolean).join(' ')).join('; ')}`] : []),
    ...(f?.severity ? [`- Severity: ${f.severity.rating}${f.severity.vector ? ` (CVSS ${f.severity.score}, \`${f.severity.vector}\`)` : ''}`] : report.severity ? [`- Severity: ${report.severity}`] : []),
    ...(f?.cwe.length ? [`- Weakness: ${f.cwe.join(', ')}`] : []),
    ...(report.cve ? [`- CVE: ${report.cve}`] : []),
    `- Security report UID: ${report.id}`,
  ];
}

/** The credit used in public: only the one the maintainers confirmed (`Credit:`), never the reporter's wish. */
export function confirmedCredit(report: Report): string | undefined {
  const c = report.credit?.trim();
  return c && c.toLowerCase() !== 'anonymous' ? c : undefined;
}

/** Draft release notes: the description from the facts and the confirmed credit; the maintainers edit and publish. */
export function releaseNotes(report: Report, project: Project): { tag_name: string; name: string; body: string } {
  const fixed = report.facts?.fixed[0]?.version;
  const credit = confirmedCredit(report);
  return {
    tag_name: fixed ? `v${fixed.replace(/^v/, '')}` : `security-${report.id}`,
    name: fixed ? `${project.name} ${fixed.replace(/^v/, '')} (security fix)` : `${project.name} security fix (${report.id})`,
    body: [
      '## Security fix',
      '',
      `This release fixes a security vulnerability in ${project.name}.`,
      '',
      ...factLines(report),
      '',
      credit ? `Credit: ${credit}, who reported the vulnerability.` : 'Credit: the reporter asked not to be named, or no credit was confirmed.',
      '',
      markerOf(report.id, 'releaseNotes'),
    ].join('\n'),
  };
}

/** GitHub's advisory ecosystems for ours (OSV names). */
const GITHUB_ECOSYSTEMS: Record<string, string> = {
  PyPI: 'pip', npm: 'npm', Maven: 'maven', NuGet: 'nuget', Packagist: 'composer', Go: 'go', 'crates.io': 'rust',
  RubyGems: 'rubygems', Hex: 'erlang', 'GitHub Actions': 'actions', Pub: 'pub', SwiftURL: 'swift',
};

/** `>=0.2.0, <0.3.1` as GitHub writes a vulnerable range: `>= 0.2.0, < 0.3.1`. */
export function githubRange(range: string): string {
  return range
    .split(',')
    .map((c) => c.trim().replace(/^(>=|<=|==|=|>|<)\s*/, (_, op: string) => `${op === '==' ? '=' : op} `))
    .join(', ');
}

export interface AdvisoryDraft {
  summary: string;
  description: string;
  cve_id?: string;
  vulnerabilities: Array<{ package: { ecosystem: string; name: string }; vulnerable_version_range: string; patched_versions: string | null }>;
  cwe_ids: string[];
  cvss_vector_string?: string;
  severity?: 'low' | 'medium' | 'high' | 'critical';
}

/** The draft advisory from the facts: CVSS vector (or the severity), the affected ranges, CWE ids. */
export function advisoryDraft(report: Report, project: Project): AdvisoryDraft {
  const f = report.facts;
  const credit = confirmedCredit(report);
  const fixedFor = (pkg: string) => f?.fixed.find((x) => !x.package || x.package === pkg)?.version ?? null;
  const rating = f?.severity?.rating ?? report.severity;
  const vector = f?.severity?.vector;
  return {
    summary: `Security vulnerability in ${project.name} (report ${report.id})`,
    description: [
      `A security vulnerability in ${project.name}.`,
      '',
      ...factLines(report),
      ...(credit ? ['', `Credit: ${credit}`] : []),
      '',
      markerOf(report.id, 'advisory'),
    ].join('\n'),
    ...(report.cve ? { cve_id: report.cve } : {}),
    vulnerabilities: (f?.affected ?? []).map((a) => ({
      package: { ecosystem: GITHUB_ECOSYSTEMS[a.ecosystem] ?? 'other', name: a.package },
      vulnerable_version_range: githubRange(a.range),
      patched_versions: fixedFor(a.package),
    })),
    cwe_ids: f?.cwe ?? [],
    // GitHub takes one of the two: a CVSS 3.x vector (it computes the severity), else the severity
    ...(vector && /^CVSS:3\./.test(vector) ? { cvss_vector_string: vector } : rating && rating !== 'none' && ['low', 'medium', 'high', 'critical'].includes(rating) ? { severity: rating as AdvisoryDraft['severity'] } : {}),
  };
}

/** `show --json`: each step's state, link and instant. */
export function disclosureView(report: Report, project: Project): { repo: string; steps: Array<{ step: DisclosureStep; state: string; url?: string; at?: string; notBefore?: string; mode?: string }> } | undefined {
  const d = project.disclosure;
  if (!d) return undefined;
  const configured: Record<DisclosureStep, boolean> = {
    announce: !!d.announce,
    advisory: !!d.advisory,
    cve: !!d.advisory?.requestCve,
    releaseNotes: !!d.releaseNotes,
    publish: true,
  };
  return {
    repo: d.repo,
    steps: DISCLOSURE_STEPS.filter((s) => configured[s]).map((step) => {
      const r = report.disclosure?.[step];
      return {
        step,
        state: r?.state ?? 'not started',
        ...(r?.url ? { url: r.url } : {}),
        ...(r?.at ? { at: r.at } : {}),
        ...(r?.notBefore ? { notBefore: r.notBefore } : {}),
        ...(r?.mode ? { mode: r.mode } : {}),
      };
    }),
  };
}
