/**
 * Who is a maintainer (DESIGN section 3): the From address is on the project's maintainer list AND the message
 * is authenticated for that domain: SES's DMARC verdict PASS, or DKIM PASS aligned with the From domain
 * (relaxed alignment, RFC 7489 section 3.1.1: the signing domain and the From domain share an organizational
 * domain). Anything else is non-maintainer mail: never a command, never relayed as one.
 */
import type { Project } from './config';
import type { Address, Verdicts } from './report';

export interface MaintainerAuthentication {
  ok: boolean;
  reason: string;
}

/**
 * Public suffixes of more than one label that are common in maintainers' addresses. Without the full Public
 * Suffix List (no network, no data file in core) the organizational domain is "one label more than the public
 * suffix", where the suffix is one of these or else the last label. A domain under a shared suffix not listed
 * here (e.g. a hosting provider's) would be grouped too broadly: list it.
 */
const MULTI_LABEL_SUFFIXES = new Set([
  'co.uk', 'org.uk', 'ac.uk', 'gov.uk', 'me.uk', 'ltd.uk', 'plc.uk', 'net.uk',
  'com.au', 'net.au', 'org.au', 'edu.au', 'gov.au', 'id.au',
  'co.nz', 'org.nz', 'net.nz', 'ac.nz', 'govt.nz',
  'co.jp', 'ne.jp', 'or.jp', 'ac.jp', 'go.jp',
  'com.br', 'net.br', 'org.br', 'gov.br', 'edu.br',
  'com.cn', 'net.cn', 'org.cn', 'edu.cn', 'gov.cn',
  'co.in', 'net.in', 'org.in', 'ac.in', 'gov.in',
  'co.kr', 'or.kr', 'ac.kr', 'co.za', 'org.za', 'ac.za',
  'com.mx', 'com.ar', 'com.tr', 'com.tw', 'com.hk', 'com.sg', 'com.my', 'co.il', 'ac.il', 'co.id',
  'github.io', 'gitlab.io', 'herokuapp.com', 'appspot.com', 'netlify.app', 'vercel.app', 'pages.dev',
  'workers.dev', 'azurewebsites.net', 'cloudfront.net', 'amazonaws.com', 'blogspot.com', 'onmicrosoft.com',
]);

/** The organizational domain (RFC 7489 section 3.2), approximated as described above. */
export function organizationalDomain(domain: string): string {
  const labels = domain.trim().toLowerCase().replace(/\.$/, '').split('.').filter((l) => l !== '');
  if (labels.length <= 2) {
    return labels.join('.');
  }
  const lastTwo = labels.slice(-2).join('.');
  const suffixLabels = MULTI_LABEL_SUFFIXES.has(lastTwo) ? 2 : 1;
  return labels.slice(-(suffixLabels + 1)).join('.');
}

/** Relaxed DKIM alignment: same organizational domain, and neither is a bare public suffix. */
export function isAlignedDomain(signingDomain: string, fromDomain: string): boolean {
  const d = signingDomain.trim().toLowerCase().replace(/\.$/, '');
  const f = fromDomain.trim().toLowerCase().replace(/\.$/, '');
  if (d === '' || f === '' || !d.includes('.')) return false;
  if (MULTI_LABEL_SUFFIXES.has(d)) return false;
  return d === f || organizationalDomain(d) === organizationalDomain(f);
}

/** The `d=` tags of every DKIM-Signature header field, lower-cased, without duplicates (RFC 6376 section 3.5). */
export function dkimSignatureDomains(headers: Record<string, string[]>): string[] {
  const domains: string[] = [];
  for (const value of headers['dkim-signature'] ?? []) {
    for (const tag of value.split(';')) {
      const eq = tag.indexOf('=');
      if (eq < 0 || tag.slice(0, eq).trim().toLowerCase() !== 'd') continue;
      const domain = tag.slice(eq + 1).replace(/\s+/g, '').toLowerCase();
      if (domain !== '' && !domains.includes(domain)) domains.push(domain);
    }
  }
  return domains;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

export function authenticateMaintainer(
  from: Address | undefined,
  project: Project,
  verdicts: Verdicts,
  dkimSignatureDomains: string[],
): MaintainerAuthentication {
  if (!from || !from.address.includes('@')) return { ok: false, reason: 'no From address' };
  const address = from.address.trim().toLowerCase();
  if (!project.maintainers.some((m) => m.address.trim().toLowerCase() === address)) {
    return { ok: false, reason: `${address} is not a maintainer of ${project.id}` };
  }
  const fromDomain = domainOf(address);
  // DMARC evaluates the From domain itself, so a PASS is authentication for it.
  if (verdicts.dmarc === 'PASS') return { ok: true, reason: `maintainer ${address}, DMARC pass` };

  if (verdicts.dkimDomains !== undefined) {
    // Domains a local verifier checked: one aligned, verified signature is a DMARC-style DKIM pass.
    const aligned = verdicts.dkimDomains.find((d) => isAlignedDomain(d, fromDomain));
    if (aligned) return { ok: true, reason: `maintainer ${address}, DKIM pass for ${aligned} (aligned)` };
    const seen = verdicts.dkimDomains.length ? verdicts.dkimDomains.join(', ') : 'none';
    return {
      ok: false,
      reason: `${address} is a maintainer, but no verified DKIM signature is aligned with ${fromDomain} (verified: ${seen}) and DMARC is ${verdicts.dmarc}`,
    };
  }

  if (verdicts.dkim !== 'PASS') {
    return { ok: false, reason: `${address} is a maintainer, but DMARC is ${verdicts.dmarc} and DKIM is ${verdicts.dkim}` };
  }
  // SES gives one DKIM verdict for the message, not per signature: we cannot tell which signature passed,
  // so every signature must be aligned with the From domain for the PASS to count.
  if (dkimSignatureDomains.length === 0) {
    return { ok: false, reason: `${address} is a maintainer, DKIM is PASS but no DKIM-Signature names a domain` };
  }
  const unaligned = dkimSignatureDomains.filter((d) => !isAlignedDomain(d, fromDomain));
  if (unaligned.length > 0) {
    return {
      ok: false,
      reason: `${address} is a maintainer, DKIM is PASS but signed by ${unaligned.join(', ')}, not aligned with ${fromDomain}; DMARC is ${verdicts.dmarc}`,
    };
  }
  return { ok: true, reason: `maintainer ${address}, DKIM pass, signed by ${dkimSignatureDomains.join(', ')} (aligned)` };
}
