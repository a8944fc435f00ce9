/**
 * Our mail to people whose OpenPGP key we know (issue 17):
 * - to the reporter, when the report holds their public key (attached, Autocrypt, sent later) and no maintainer
 *   said `Encrypt: no`: PGP/MIME (RFC 3156), encrypted to their key and signed with the project's key;
 * - to maintainers, when every maintainer recipient is listed with a key in the config: encrypted to all of them;
 * - the outer Subject is only the tag with the report ID; the real one is inside (RFC 9788 protected headers);
 * - mail to the reporter carries an Autocrypt header with the project's key, whenever the project has one.
 * Without a project key nothing changes: mail goes as it always did.
 */
import type { Project } from '../core/config';
import { subjectTag } from '../core/drafts/draft';
import type { Draft } from '../core/drafts';
import type { Report } from '../core/report';
import type { PgpEngine, ProjectKeyStore, PublicKeyInfo } from '../ports/pgp';
import type { ReportStore } from '../ports/report-store';
import type { Config } from '../core/config';

export interface OutboundPgpDeps {
  config: Config;
  store: ReportStore;
  pgp?: PgpEngine;
  projectKeys?: ProjectKeyStore;
}

/** How one mail goes out: the composer's instructions. */
export interface OutboundProtection {
  /** `Autocrypt:` value (Autocrypt Level 1), for mail to the reporter. */
  autocrypt?: string;
  /** Encrypt to these armored public keys, signed with the project key; `outerSubject` replaces the subject. */
  encrypt?: { recipients: string[]; outerSubject: string; seal: (inner: Buffer) => Promise<string> };
}

/** The project's public key, or undefined when it has none (or OpenPGP is not wired). */
export async function projectPublicKey(deps: Pick<OutboundPgpDeps, 'pgp' | 'projectKeys'>, projectId: string): Promise<PublicKeyInfo | undefined> {
  if (!deps.pgp || !deps.projectKeys) return undefined;
  const key = await deps.projectKeys.privateKey(projectId);
  return key ? deps.pgp.publicOf(key) : undefined;
}

function projectOf(config: Config, report: Report): Project | undefined {
  return config.projects.find((p) => p.id === report.project);
}

/**
 * What to do with `draft` for report `reportId`, sent From `from` (a project's security address). Reads the
 * report only when the sending project has a key: plain projects cost one key-store read (cached on AWS).
 */
export async function protectionFor(deps: OutboundPgpDeps, reportId: string, draft: Draft, from?: string): Promise<OutboundProtection | undefined> {
  const { pgp, projectKeys } = deps;
  if (!pgp || !projectKeys) return undefined;
  const sender = from === undefined ? undefined : deps.config.projects.find((p) => p.addresses.some((a) => a.toLowerCase() === from.toLowerCase()));
  if (sender && !(await projectKeys.privateKey(sender.id))) return undefined;
  const report = await deps.store.getReport(reportId);
  if (!report) return undefined;
  const project = projectOf(deps.config, report);
  if (!project) return undefined;
  const privateKey = await projectKeys.privateKey(project.id);
  if (!privateKey) return undefined;
  const recipients = [...draft.to, ...(draft.cc ?? [])].map((a) => a.toLowerCase());
  const reporter = report.reporter.address.toLowerCase();
  const toReporter = recipients.includes(reporter);
  const out: OutboundProtection = {};
  const ours = await pgp.publicOf(privateKey);
  if (toReporter) out.autocrypt = `addr=${report.securityAddress}; prefer-encrypt=mutual; keydata=${ours.base64}`;

  const keys: string[] = [];
  for (const r of recipients) {
    if (r === reporter && report.reporterKey && !report.encryptOff) {
      keys.push(report.reporterKey.armored);
      continue;
    }
    const maintainer = project.maintainers.find((m) => m.address.toLowerCase() === r);
    const key = maintainer?.pgpKey;
    if (key) {
      keys.push(key);
      continue;
    }
    // one recipient without a key: the mail goes in clear text to all (one message, one body)
    return out.autocrypt ? out : undefined;
  }
  if (keys.length) {
    out.encrypt = {
      recipients: keys,
      outerSubject: subjectTag(project, report.id),
      seal: (inner) => pgp.encrypt(inner, keys, privateKey),
    };
  }
  return out.autocrypt || out.encrypt ? out : undefined;
}
