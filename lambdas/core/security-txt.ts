/**
 * security.txt (RFC 9116) from a project's config: `Contact:` for each security address, `Expires:` at most a
 * year ahead, and `Encryption:`, `Policy:`, `Acknowledgments:`, `Preferred-Languages:`, `Canonical:` when the
 * project's `securityTxt` sets them. `validateSecurityTxt` checks a file against the RFC's grammar (section 4)
 * and field rules (section 2.5), for the tests and for `doctor`.
 */
import type { Project } from './config';

const DAY_MS = 24 * 3600 * 1000;

/** RFC 3339 date-time in UTC, whole seconds: 2027-12-01T10:00:00Z. */
function rfc3339(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `keyFingerprint`: the project's own OpenPGP key (issue 17), named as `openpgp4fpr:` when the config lists no
 *  Encryption URI of its own. */
export function securityTxt(project: Project, now: Date, keyFingerprint?: string): string {
  const s = project.securityTxt;
  const days = s?.expiresInDays ?? 365;
  const lines = [
    `# security.txt of ${project.id} (RFC 9116), written by secintake security-txt from the deployment config`,
    ...project.addresses.map((a) => `Contact: mailto:${a}`),
    `Expires: ${rfc3339(new Date(now.getTime() + days * DAY_MS))}`,
    ...(s?.encryption?.length ? s.encryption : keyFingerprint ? [`openpgp4fpr:${keyFingerprint.toLowerCase()}`] : []).map((u) => `Encryption: ${u}`),
    ...(s?.acknowledgments ? [`Acknowledgments: ${s.acknowledgments}`] : []),
    ...(s?.preferredLanguages?.length ? [`Preferred-Languages: ${s.preferredLanguages.join(', ')}`] : []),
    ...(s?.canonical ?? []).map((u) => `Canonical: ${u}`),
    ...(s?.policy ? [`Policy: ${s.policy}`] : []),
  ];
  return lines.join('\n') + '\n';
}

const FIELD = /^([A-Za-z0-9!#$%&'*+\-.^_`|~]+):[ \t]*(.*?)[ \t]*$/;
// RFC 3339 section 5.6 date-time
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;
const LANGUAGE_TAG = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;
const ONCE = new Set(['expires', 'preferred-languages']);
const URI_FIELDS = new Set(['acknowledgments', 'canonical', 'contact', 'encryption', 'hiring', 'policy', 'csaf']);

export interface SecurityTxtFields {
  expires?: Date;
  contact: string[];
}

const SIGNED = /^-----BEGIN PGP SIGNED MESSAGE-----\r?\n(?:Hash: [^\r\n]+\r?\n)*\r?\n([\s\S]*?)\r?\n-----BEGIN PGP SIGNATURE-----\r?\n[\s\S]+?\r?\n-----END PGP SIGNATURE-----\r?\n?$/;

/** The text an OpenPGP cleartext signature covers (dash-escaping undone), or undefined when `text` is not one. */
export function signedSecurityTxtContent(text: string): string | undefined {
  const m = SIGNED.exec(text);
  return m ? m[1]!.replace(/^- /gm, '') + '\n' : undefined;
}

/** Problems with a security.txt, one sentence each; empty when it is valid. `now` checks that it has not expired.
 *  A cleartext-signed file (RFC 9116 section 2.3) is checked on the text it signs; the signature's shape only. */
export function validateSecurityTxt(text: string, now?: Date): string[] {
  if (/-----BEGIN PGP SIGNED MESSAGE-----/.test(text)) {
    const content = signedSecurityTxtContent(text);
    return content === undefined ? ['not a well-formed OpenPGP cleartext signature (RFC 4880 section 7)'] : validateSecurityTxt(content, now);
  }
  const problems: string[] = [];
  if (text.length && !text.endsWith('\n')) problems.push('the last line does not end with a line break (RFC 9116 section 4: eol)');
  const counts = new Map<string, number>();
  let expires: Date | undefined;
  text
    .replace(/\n$/, '')
    .split('\n')
    .forEach((rawLine, i) => {
      const line = rawLine.replace(/\r$/, '');
      const at = `line ${i + 1}`;
      if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(line)) return void problems.push(`${at}: a control character`);
      if (line.trim() === '' || line.startsWith('#')) return;
      const m = FIELD.exec(line);
      if (!m) return void problems.push(`${at}: not "Field: value" nor a "#" comment`);
      const name = m[1].toLowerCase();
      const value = m[2];
      counts.set(name, (counts.get(name) ?? 0) + 1);
      if (!value) return void problems.push(`${at}: ${m[1]} has no value`);
      if (URI_FIELDS.has(name)) {
        if (!URI.test(value)) problems.push(`${at}: ${m[1]} is not a URI`);
        else if (/^http:/i.test(value)) problems.push(`${at}: ${m[1]} is an http URI; web URIs must be https (section 2.5)`);
        if (name === 'canonical' || name === 'policy' || name === 'acknowledgments') {
          if (!/^https:\/\//i.test(value)) problems.push(`${at}: ${m[1]} must be an https URL`);
        }
        if (name === 'contact' && !/^(?:mailto:[^@\s]+@[^@\s]+|https:\/\/\S+|tel:\+?[\d\-. ()]+)$/i.test(value)) {
          problems.push(`${at}: Contact is not a mailto:, https: or tel: URI`);
        }
      }
      if (name === 'expires') {
        const d = DATE_TIME.exec(value);
        const t = Date.parse(value);
        if (!d || Number.isNaN(t)) problems.push(`${at}: Expires is not an RFC 3339 date-time`);
        else expires = new Date(t);
      }
      if (name === 'preferred-languages') {
        for (const tag of value.split(',').map((t) => t.trim())) {
          if (!LANGUAGE_TAG.test(tag)) problems.push(`${at}: "${tag}" is not a language tag (RFC 5646)`);
        }
      }
    });
  if (!counts.get('contact')) problems.push('no Contact field (required, section 2.5.3)');
  if (!counts.get('expires')) problems.push('no Expires field (required, section 2.5.5)');
  for (const name of ONCE) if ((counts.get(name) ?? 0) > 1) problems.push(`${name} appears more than once (it must appear at most once)`);
  if (expires && now) {
    if (expires.getTime() <= now.getTime()) problems.push(`expired on ${rfc3339(expires)}`);
    else if (expires.getTime() - now.getTime() > 366 * DAY_MS) problems.push(`Expires ${rfc3339(expires)} is more than a year ahead (section 2.5.5)`);
  }
  return problems;
}

/** The Expires of a security.txt, when it has one that parses. */
export function securityTxtExpires(text: string): Date | undefined {
  const m = /^expires:[ \t]*(\S+)[ \t]*\r?$/im.exec(text);
  if (!m || !DATE_TIME.test(m[1])) return undefined;
  return new Date(Date.parse(m[1]));
}
