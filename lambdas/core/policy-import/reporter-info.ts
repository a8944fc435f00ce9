/**
 * What the project asks of a report (the list after "please include the following information"), which versions
 * it supports (a Version | Supported table, or the sentence under a "Supported Versions" heading), and the
 * subject tag it promises to use ("using the header `[security report #UID]`").
 */
import type { Block } from './markdown-text';
import { sentences } from './markdown-text';

export interface AskItem {
  key: string;
  text: string;
  hints: string[];
}

/** Known items, in the order they are tried: the first whose words appear in the item names it. */
const KNOWN: { key: string; words: RegExp; hints: string[] }[] = [
  { key: 'contact', words: /\bcontact (?:you|details|information|info)\b|\breach you\b/i, hints: ['contact', 'reach me', 'reply to (me|this)', 'signal', 'phone', 'pgp', 'gpg'] },
  { key: 'credit', words: /\bcredit|publicly identified|acknowledg/i, hints: ['credit', 'anonym', 'attribut', 'publicly identif', 'acknowledg(e|ment) (me|as)'] },
  { key: 'environment', words: /\b(?:python|node|java|ruby|go|os|operating system|platform|environment|dependenc\w*|browser)\b/i, hints: ['python ?\\d', 'cpython', 'pypy', 'pip freeze', 'requirements', 'dependenc', 'linux', 'windows', 'macos', 'ubuntu', 'debian'] },
  { key: 'description', words: /\bdescri\w*|\bsummary\b|\btype of (?:issue|vulnerability)\b/i, hints: ['vulnerab', 'impact', 'attacker', 'descri'] },
  { key: 'reproduce', words: /\breproduc\w*|\bsteps\b|\bproof[- ]of[- ]concept\b|\bpoc\b|\bexploit\b/i, hints: ['reproduc', 'steps', 'proof of concept', '\\bpoc\\b', 'traceback'] },
  { key: 'affected-versions', words: /\bversions?\b|\breleases?\b|\baffected\b/i, hints: ['version', '\\bv\\d', '\\d+\\.\\d+'] },
  { key: 'mitigations', words: /\bmitigat\w*|\bworkaround|\bfix\b|\bremediat\w*/i, hints: ['mitigat', 'workaround', '\\bfix', 'patch', 'disabl'] },
  { key: 'impact', words: /\bimpact\b/i, hints: ['impact', 'attacker', 'exploit'] },
  { key: 'location', words: /\blocation\b|\bfile|\bsource code\b|\bur[li]\b/i, hints: ['\\.(py|js|ts|go|rs|java|c|rb)\\b', 'line \\d', 'https?://'] },
];

const MAX_ASK_ITEMS = 30;

const INTRO = /\b(?:include|following (?:information|details)|provide|should contain|as much (?:information|detail)|helpful|with the following)\b/i;

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .split('-')
      .slice(0, 3)
      .join('-') || 'item'
  );
}

/** Items of the first list introduced by a sentence asking for information, with that sentence. */
export function findAskFor(blocks: Block[]): { items: AskItem[]; sentence: string } | undefined {
  const tried = new Set<number>();
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i];
    if (b.kind !== 'item' || b.intro === undefined || b.parent !== undefined || tried.has(b.intro)) continue;
    tried.add(b.intro);
    const intro = blocks[b.intro];
    const introSentences = sentences(intro.text);
    const last = introSentences[introSentences.length - 1] ?? '';
    if (!INTRO.test(last) || !/\b(?:report|information|details|include|email|vulnerab)/i.test(last)) continue;
    const list = blocks.filter((x) => x.kind === 'item' && x.intro === b.intro && x.parent === undefined);
    if (list.length > MAX_ASK_ITEMS) continue; // not a list of what to include: a person reads it
    const used = new Set<string>();
    const items = list.map((item) => {
      // the item's first words say what it is: "the affected version ... and your Python version" is the version
      const known = KNOWN.filter((k) => !used.has(k.key))
        .map((k) => ({ k, at: item.text.search(k.words) }))
        .filter((x) => x.at >= 0)
        .sort((x, y) => x.at - y.at)[0]?.k;
      let key = known?.key ?? slug(item.text);
      for (let n = 2; used.has(key); n++) key = `${known?.key ?? slug(item.text)}-${n}`;
      used.add(key);
      return { key, text: item.text.replace(/[.;,]$/, ''), hints: known?.hints ?? [] };
    });
    return { items, sentence: last };
  }
  return undefined;
}

export interface VersionsFinding {
  summary: string;
  supported: string[];
  unsupported: string[];
  sentence: string;
}
export interface VersionsResult {
  found?: VersionsFinding;
  unsure: { sentence: string; why: string }[];
}

const YES = /✅|✔|☑|:white_check_mark:|:heavy_check_mark:|\byes\b|\bsupported\b/i;
const NO = /❌|✖|✗|:x:|:no_entry|:heavy_multiplication_x:|\bno\b|\bunsupported\b|\bnot supported\b|\bend[- ]of[- ]life\b|\beol\b/i;
/** Tables of runtimes or systems: not the project's own versions. */
const RUNTIME = /\b(?:python|node(?:\.js)?|java|jdk|ruby|php|go(?:lang)?|rust|\.net|operating systems?|os|browsers?|kubernetes|platforms?)\b/i;

/** Cells "1.x.x", "< 1.0", ">= 2.3" as ranges: the operator joined to its version. */
const range = (cell: string) => cell.replace(/^(<=|>=|<|>|=|~|\^)\s+/, '$1').trim();

export function findVersions(blocks: Block[], projectName?: string): VersionsResult {
  const unsure: { sentence: string; why: string }[] = [];
  const rows = blocks.filter((b) => b.kind === 'row' && b.header && b.cells && b.cells !== b.header);
  const tables = new Map<string[], Block[]>();
  for (const r of rows) {
    const body = tables.get(r.header!);
    if (body) body.push(r);
    else tables.set(r.header!, [r]);
  }
  for (const [header, body] of tables) {
    const v = header.findIndex((h) => /version|release|branch/i.test(h));
    const s = header.findIndex((h, i) => i !== v && /support/i.test(h));
    if (v < 0 || s < 0) continue;
    const section = body[0].section;
    const own = projectName && new RegExp(`\\b${projectName.replace(/[^a-z0-9]/gi, '.')}\\b`, 'i').test(section);
    if (RUNTIME.test(section) && !own) {
      unsure.push({ sentence: `${section}: ${body.map((r) => r.text).join('; ')}`, why: 'a table of runtime versions, not of the project\'s own: kept out of supportedVersions (a person may put it in the summary)' });
      continue;
    }
    const supported: string[] = [];
    const unsupported: string[] = [];
    for (const r of body) {
      const version = range(r.cells![v] ?? '');
      const mark = r.cells![s] ?? '';
      if (!version) continue;
      if (!/\d/.test(version)) {
        unsure.push({ sentence: r.text, why: `"${version}" is not a version range (supportedVersions lists ranges such as 1.x or <2.0)` });
        continue;
      }
      if (NO.test(mark)) unsupported.push(version);
      else if (YES.test(mark)) supported.push(version);
      else unsure.push({ sentence: r.text, why: `support mark "${mark}" is neither yes nor no` });
    }
    if (!supported.length && !unsupported.length) continue;
    const summary = [supported.length ? `${supported.join(', ')} supported` : '', unsupported.length ? `${unsupported.join(', ')} not supported` : '']
      .filter(Boolean)
      .join('; ');
    return { found: { summary, supported, unsupported, sentence: body.map((r) => r.text).join(' / ') }, unsure };
  }
  // no table: the first sentence under a heading about supported versions
  for (const b of blocks) {
    if (b.kind !== 'paragraph' || !/support/i.test(b.section) || !/version|release/i.test(b.section)) continue;
    if (RUNTIME.test(b.section) && !(projectName && b.section.toLowerCase().includes(projectName.toLowerCase()))) continue;
    const first = sentences(b.text)[0];
    if (first) return { found: { summary: first, supported: [], unsupported: [], sentence: first }, unsure };
  }
  return { unsure };
}

/** "using the header `[security report #UID]`" -> "[security report #{id}]". */
export function findSubjectTag(blocks: Block[]): { tag: string; sentence: string } | undefined {
  for (const b of blocks) {
    if (!/\b(?:subject|header|reference|tag)\b/i.test(b.text)) continue;
    const m = /\[([^\]\n]{1,60}?#)\s*(UID|ID|<id>|\{id\}|NNN+|XXX+|ID_?NUMBER)\]/i.exec(b.text);
    if (!m) continue;
    const sentence = sentences(b.text).find((s) => s.includes(m[0])) ?? b.text;
    return { tag: `[${m[1]}{id}]`, sentence };
  }
  return undefined;
}
