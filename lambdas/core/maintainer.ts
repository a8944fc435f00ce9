/**
 * Who is a maintainer (DESIGN section 3, trust boundary 2). A message counts as a maintainer's only when all of
 * these hold; anything else is non-maintainer mail: never a command, never relayed as one.
 *
 * 1. One From address, on the project's maintainer list.
 * 2. One view of the bytes: the header is not ambiguous (bare CR/LF mixes, `From ` lines, a field twice...: the
 *    header scan lists why), and the From the receiving MTA authenticated (SES `commonHeaders.from`, locally
 *    mailauth's) is exactly the From we parsed.
 * 3. Authenticated for exactly that domain: DMARC PASS; or, only when the domain publishes no DMARC record
 *    (GRAY), a passing DKIM signature aligned with it under the Public Suffix List (RFC 7489 section 3.1.1,
 *    relaxed). DMARC FAIL is final.
 * 4. To act on a report (`actingSignature`): one passing, aligned signature whose signed From is that address
 *    covers the reference to the report (the reply address in a signed To/Cc, or the subject tag in a signed
 *    Subject), the Message-ID (so a replay is recognised), and the whole body (no `l=` shorter than it).
 *    Otherwise a genuine signed mail of the maintainer could be replayed with new headers or a new tail.
 */
import type { Project } from './config';
import type { Address, Verdicts } from './report';

/** The outcome of verifying one DKIM-Signature (RFC 8601 result names). */
export type DkimResult = 'pass' | 'fail' | 'neutral' | 'policy' | 'temperror' | 'permerror' | 'none';

/** Values of the header field instances a signature covers, decoded (addresses lower-cased). */
export interface SignedHeaders {
  from: string[];
  to: string[];
  cc: string[];
  subject?: string;
  messageId?: string;
}

/** One DKIM-Signature of a message as a verifier saw it. */
export interface DkimSignature {
  /** The `d=` tag, lower-cased. */
  domain: string;
  result: DkimResult;
  /** The header fields it covers (the instances a verifier selects bottom-up, RFC 6376 section 5.4.2). */
  signed: SignedHeaders;
  /** False when an `l=` tag leaves part of the body unsigned (RFC 6376 section 8.2). */
  coversWholeBody: boolean;
}

export interface AuthenticationInput {
  /** The From we parsed, and how many From fields the header has. */
  from: Address | undefined;
  fromFields: number;
  /** Why the header is ambiguous (empty when it is not); see the raw-mail guard. */
  ambiguities: string[];
  verdicts: Verdicts;
  signatures: DkimSignature[];
}

export interface MaintainerAuthentication {
  ok: boolean;
  /** The From names a maintainer of the project (whether or not the message is theirs). */
  claimed: boolean;
  reason: string;
  /** Passing signatures aligned with the From domain whose signed From is the maintainer (when ok). */
  signatures: DkimSignature[];
}

const PSL = { allowPrivateDomains: true } as const;

const normalizeDomain = (d: string) => d.trim().toLowerCase().replace(/\.$/, '');

/** The organizational domain (RFC 7489 section 3.2) under the Public Suffix List, private section included
 *  (so `alice.github.io` and `evil.github.io` are different organizations); undefined for a bare suffix. */
export function organizationalDomain(domain: string): string | undefined {
  const d = normalizeDomain(domain);
  if (d === '' || !d.includes('.')) return undefined;
  // loaded on first use (only mail from a maintainer's address gets here): its list is 0.1 MB of the bundle
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { getDomain } = require('tldts') as typeof import('tldts');
  return getDomain(d, PSL) ?? undefined;
}

/** Relaxed alignment: the same domain, or the same organizational domain; never across a public suffix. */
export function isAlignedDomain(signingDomain: string, fromDomain: string): boolean {
  const d = normalizeDomain(signingDomain);
  const f = normalizeDomain(fromDomain);
  const orgD = organizationalDomain(d);
  const orgF = organizationalDomain(f);
  return orgD !== undefined && orgF !== undefined && orgD === orgF;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** The address is on the project's maintainer list, or is one of its leads (the escalation contacts, who may
 *  act like maintainers and alone may extend an embargo). Says nothing about who sent the message. */
export function isListedMaintainer(project: Project, address: string | undefined): boolean {
  const a = (address ?? '').trim().toLowerCase();
  return a !== '' && (project.maintainers.some((m) => m.address.trim().toLowerCase() === a) || project.escalation.some((e) => e.trim().toLowerCase() === a));
}

function fail(claimed: boolean, reason: string): MaintainerAuthentication {
  return { ok: false, claimed, reason, signatures: [] };
}

export function authenticateMaintainer(input: AuthenticationInput, project: Project): MaintainerAuthentication {
  const { from, verdicts } = input;
  if (!from || !from.address.includes('@')) return fail(false, 'no From address');
  const address = from.address.trim().toLowerCase();
  const claimed = isListedMaintainer(project, address);
  if (!claimed) return fail(false, `${address} is not a maintainer of ${project.id}`);
  const claim = `claims to be maintainer ${address}, but`;
  if (input.fromFields !== 1) return fail(true, `${claim} the message has ${input.fromFields} From header fields (RFC 5322 allows one)`);
  if (input.ambiguities.length) return fail(true, `${claim} its header is ambiguous: ${input.ambiguities.join('; ')}`);
  const evaluated = (verdicts.evaluatedFrom ?? []).map((a) => a.trim().toLowerCase());
  if (evaluated.length !== 1 || evaluated[0] !== address) {
    const seen = evaluated.length ? evaluated.join(', ') : 'no address';
    return fail(true, `${claim} the receiving server authenticated ${seen} as its From`);
  }

  const fromDomain = domainOf(address);
  const signatures = input.signatures.filter(
    (s) => s.result === 'pass' && isAlignedDomain(s.domain, fromDomain) && s.signed.from.length === 1 && s.signed.from[0] === address,
  );
  switch (verdicts.dmarc) {
    case 'PASS':
      return { ok: true, claimed, reason: `maintainer ${address}, DMARC pass for ${fromDomain}`, signatures };
    case 'GRAY':
      // no DMARC record for the domain: an aligned, passing DKIM signature of that very From stands in for it
      if (signatures.length) {
        return { ok: true, claimed, reason: `maintainer ${address}, DKIM pass for ${signatures[0].domain} (aligned; ${fromDomain} publishes no DMARC)`, signatures };
      }
      return fail(true, `${claim} ${fromDomain} publishes no DMARC record and no passing DKIM signature is aligned with it (${describe(input.signatures)})`);
    default:
      return fail(true, `${claim} DMARC is ${verdicts.dmarc} for ${fromDomain}`);
  }
}

function describe(signatures: DkimSignature[]): string {
  if (!signatures.length) return 'no DKIM signature';
  return signatures.map((s) => `${s.domain || '?'} ${s.result}`).join(', ');
}

export interface ActingScope {
  /** Report IDs the signature references (reply address in signed To/Cc, tag in signed Subject). */
  reportIds: string[];
}

/**
 * The signature under which an authenticated maintainer's message may act on `reportId`, or why none may:
 * `referencesOf` reads a signature's signed To/Cc/Subject into the report IDs it names.
 */
export function actingSignature(
  auth: MaintainerAuthentication,
  reportId: string,
  referencesOf: (signed: SignedHeaders) => string[],
): { ok: true; signature: DkimSignature } | { ok: false; reason: string } {
  if (!auth.ok) return { ok: false, reason: auth.reason };
  if (!auth.signatures.length) {
    return { ok: false, reason: 'no passing DKIM signature of the maintainer\'s domain covers the message (DMARC passed on SPF alone)' };
  }
  const referencing = auth.signatures.filter((s) => referencesOf(s.signed).includes(reportId));
  if (!referencing.length) {
    return { ok: false, reason: `the reference to ${reportId} (reply address in To/Cc, or subject tag) is not in the signed header fields` };
  }
  const withId = referencing.filter((s) => s.signed.messageId);
  if (!withId.length) return { ok: false, reason: 'the Message-ID is not signed, so a replay could not be recognised' };
  const whole = withId.find((s) => s.coversWholeBody);
  if (!whole) return { ok: false, reason: 'the DKIM signature covers only part of the body (l= tag): unsigned text could carry commands' };
  return { ok: true, signature: whole };
}
