/**
 * Where reports go: security addresses (mailto links, plain addresses, and obfuscated forms such as
 * "security at example dot com" or "security [at] example [dot] com" only when the reading is unambiguous), and
 * the project's OpenPGP key (a link next to "PGP"/"GPG", or a fingerprint).
 */
import type { Block } from './markdown-text';
import { sentences } from './markdown-text';

export interface AddressFinding {
  address: string;
  sentence: string;
  /** Set when the address is there but not plainly for security reports. */
  unsure?: string;
}

const ADDRESS = /(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![\w-])/g;
// "security [at] example [dot] com", "security(at)example(dot)com", "security AT example DOT com"
const BRACKETED = /(?<![\w.-])([A-Za-z0-9][A-Za-z0-9._-]{0,63})\s*[[({<]\s*at\s*[\])}>]\s*((?:[A-Za-z0-9-]{1,63}(?:\s*[[({<]\s*dot\s*[\])}>]\s*|\.)){1,6}[A-Za-z]{2,24})\b/gi;
const SPELLED = /(?<![\w.-])([A-Za-z0-9][A-Za-z0-9._-]{0,63})\s+(?:at|AT)\s+((?:[A-Za-z0-9-]{1,63}\s+(?:dot|DOT)\s+){1,6}[A-Za-z]{2,24})\b/g;
/** Words that read as English, not as a local part: "reach us at example dot com" is not us@example.com. */
const NOT_LOCAL_PART = /^(?:us|me|him|her|them|it|you|we|team|email|mail|e-mail|write|contact|reach|message|ping|or|and|to)$/i;
const SECURITY_CONTEXT = /secur|vulnerab|disclos|psirt|incident|\bcve\b|advisor/i;
const REPORTING_SECTION = /report|contact|disclos|vulnerab|secur/i;
const NOT_REPORTING_SECTION = /fame|thank|credit|acknowledg|author|maintainers|people|team|sponsor|license|downstream/i;
const SECURITY_LOCAL = /secur|psirt|vuln|cert|sirt|disclos|report|bounty|incident/i;
const NOT_FOR_REPORTS = /noreply|no-reply|donotreply|users\.noreply\.github\.com|^git@/i;
const PLACEHOLDER = /^(?:your|my)[-_.]|[-_.]your[-_.]|@(?:(?:your)?domain|example|yourcompany|yourproject)\.|@your/i;
/** Addresses for something else: escalation past the project, another project, a foundation. */
const ELSEWHERE = /escalat|upstream|third[- ]party|instead of|downstream|packagers?/i;

function verdict(address: string, sentence: string, section: string): string | undefined {
  if (NOT_FOR_REPORTS.test(address)) return 'a no-reply address: mail to it is not read';
  if (address.includes('+')) return 'contains "+": a security address cannot (reply addresses add "+<id>")';
  if (ELSEWHERE.test(sentence)) return 'named for escalation or for someone else, not as where reports go';
  if (SECURITY_LOCAL.test(address.split('@')[0]) || SECURITY_CONTEXT.test(sentence)) return undefined;
  if (REPORTING_SECTION.test(section) && !NOT_REPORTING_SECTION.test(section)) return undefined;
  return 'an address not said to take security reports';
}

/** A placeholder the project forgot to fill in ("your-security-email@domain.com"): proposed, with a note. */
export function placeholderAddress(address: string): boolean {
  return PLACEHOLDER.test(address);
}

/** Every address in the document, once, with the sentence it appears in. */
export function findAddresses(blocks: Block[]): AddressFinding[] {
  const seen = new Map<string, AddressFinding>();
  const add = (address: string, sentence: string, section: string, why?: string) => {
    const key = address.toLowerCase();
    if (seen.has(key)) return;
    const unsure = why ?? verdict(address, sentence, section);
    seen.set(key, { address, sentence, ...(unsure ? { unsure } : {}) });
  };
  for (const b of blocks) {
    if (b.kind === 'heading') continue;
    const mailto = [...b.raw.matchAll(/mailto:([^)\s>"'?]+)/gi)].map((m) => decodeURIComponent(safe(m[1])));
    for (const s of b.kind === 'row' ? [b.text] : sentences(b.text)) {
      for (const m of s.matchAll(ADDRESS)) add(m[0], s, b.section);
      for (const m of s.matchAll(BRACKETED)) add(`${m[1]}@${m[2].replace(/\s*[[({<]\s*dot\s*[\])}>]\s*/gi, '.')}`, s, b.section);
      for (const m of s.matchAll(SPELLED)) {
        const address = `${m[1]}@${m[2].replace(/\s+dot\s+/gi, '.')}`;
        if (NOT_LOCAL_PART.test(m[1])) add(address, s, b.section, `"${m[0]}" may be an obfuscated address, or words: a person should read it`);
        else add(address, s, b.section);
      }
    }
    for (const a of mailto) if (/^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/.test(a)) add(a, sentences(b.text).find((s) => s.includes(a)) ?? b.text, b.section);
  }
  return [...seen.values()];
}

function safe(s: string): string {
  try {
    decodeURIComponent(s);
    return s;
  } catch {
    return encodeURIComponent(s);
  }
}

export interface KeyFinding {
  /** An Encryption URI (RFC 9116): https URL of the key, or openpgp4fpr:<fingerprint>. */
  uri?: string;
  sentence: string;
  unsure?: string;
}

/** OpenPGP keys named in the document. */
export function findKeys(blocks: Block[]): KeyFinding[] {
  const out: KeyFinding[] = [];
  blocks.forEach((b, i) => {
    // the key's link or fingerprint is often in the paragraph after the one that names the key
    const previous = blocks[i - 1];
    const named = (x?: Block) => x !== undefined && x.kind !== 'heading' && /\b(?:pgp|gpg|openpgp|public key|encrypt|fingerprint)/i.test(x.text);
    if (b.kind === 'heading' || !(named(b) || named(previous) || named(blocks[i - 2]) || /\b(?:pgp|gpg)\b/i.test(b.section))) return;
    const sentence = sentences(b.text).find((s) => /\b(?:pgp|gpg|openpgp|key|encrypt)/i.test(s)) ?? sentences(b.text)[0] ?? b.text;
    const links = [...b.raw.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\)|(?<![(<])\b(https:\/\/[^\s<>)\]]+)/g)].map((m) => m[1] ?? m[2]);
    const keyLinks = links.filter((l) => /\.(?:asc|gpg|pgp|key|txt)$|keys\.openpgp\.org|keyserver|pgp|gpg|\/pks\/lookup/i.test(l));
    for (const l of keyLinks) {
      if (/^https:\/\//i.test(l)) out.push({ uri: l, sentence });
      else out.push({ sentence, unsure: `the key link "${l}" is not a full https URL: give its published URL (securityTxt.encryption)` });
    }
    const fpr = /(?:\b0x|\b)((?:[0-9A-F]{4}\s?){10})\b/i.exec(b.text);
    if (fpr && !keyLinks.length) out.push({ uri: `openpgp4fpr:${fpr[1].replace(/\s/g, '').toLowerCase()}`, sentence });
  });
  const unique = new Map(out.map((k) => [k.uri ?? k.unsure, k]));
  return [...unique.values()];
}
