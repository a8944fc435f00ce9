/**
 * A SECURITY.md as the reader sees it on the forge: headings, paragraphs, list items (with their nesting) and
 * table rows, each as plain text (Markdown and HTML markup removed, entities decoded, whitespace collapsed).
 * Quotes are taken from this plain text, so a maintainer finds them word for word in the rendered page.
 *
 * Not a full CommonMark parser: what policies use (ATX and setext headings, `-`/`+`/`*`/`1.` lists, pipe tables,
 * fenced code, HTML blocks, badges, links) is enough, and anything else reads as a paragraph. Input is hostile:
 * linear-time regexes only, and the text is cut at MAX_CHARS.
 */

export const MAX_CHARS = 512 * 1024;

export type BlockKind = 'heading' | 'paragraph' | 'item' | 'row';

export interface Block {
  kind: BlockKind;
  /** Plain text, whitespace collapsed. */
  text: string;
  /** The source lines, as written (for link targets and mailto addresses). */
  raw: string;
  /** 1-based line of the block's first line. */
  line: number;
  /** The nearest heading above, plain text ('' before any). */
  section: string;
  /** Items: indentation; the index of the enclosing item (nested lists) and of the paragraph that introduces the list. */
  indent?: number;
  parent?: number;
  intro?: number;
  /** Rows: cells as plain text; `header` is the table's first row. */
  cells?: string[];
  header?: string[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ndash: '–', mdash: '—', commat: '@', period: '.' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, (all, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : all;
    }
    return ENTITIES[e.toLowerCase()] ?? all;
  });
}

/** Markdown inline markup to the text a reader sees. Images keep their alt text (badges say YES / NO). */
export function plainInline(raw: string): string {
  let s = raw
    .replace(/<img\b[^>]*?\balt\s*=\s*["']([^"']*)["'][^>]*>/gi, ' $1 ')
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<\/?[a-z][a-z0-9-]*(?:\s[^<>]*)?\/?>/gi, '')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+"[^"]*")?\)/g, '$1')
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1')
    .replace(/<((?:https?|mailto):[^>\s]+|[^>\s@]+@[^>\s@]+)>/gi, (_, u: string) => u.replace(/^mailto:/i, ''))
    .replace(/`+([^`]*)`+/g, '$1')
    .replace(/(\*\*|__)(?=\S)([^*_]*?\S)\1/g, '$2')
    .replace(/(^|[\s(])[*_](?=\S)([^*_]*?\S)[*_](?=$|[\s).,:;!?])/g, '$1$2')
    .replace(/\\([\\`*_{}[\]()#+\-.!|<>])/g, '$1');
  s = decodeEntities(s);
  return s.replace(/\s+/g, ' ').trim();
}

const FENCE = /^\s{0,3}(```|~~~)/;
const ATX = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const SETEXT = /^\s{0,3}(=+|-+)\s*$/;
const ITEM = /^(\s*)([-+*]|\d{1,9}[.)])\s+(.*)$/;
const ROW = /^\s*\|.*\|\s*$/;
const RULE = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

function splitRow(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => plainInline(c));
}

/** The document's blocks in reading order. */
export function readBlocks(markdown: string): Block[] {
  const text = String(markdown)
    .slice(0, MAX_CHARS)
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, ''));
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let section = '';
  let open: Block | undefined; // paragraph or item still taking continuation lines
  let table: string[] | undefined;
  let lastParagraph: number | undefined; // a paragraph right before a list introduces it
  let items: number[] = []; // open items of the current list, outermost first
  let fenced = false;

  const close = () => {
    if (open) open.text = plainInline(open.raw);
    open = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (FENCE.test(line)) {
      close();
      fenced = !fenced;
      continue;
    }
    if (fenced) continue;
    if (!line.trim()) {
      close();
      table = undefined;
      continue;
    }
    const atx = ATX.exec(line);
    if (atx) {
      close();
      table = undefined;
      items = [];
      lastParagraph = undefined;
      section = plainInline(atx[2]);
      blocks.push({ kind: 'heading', text: section, raw: line, line: i + 1, section });
      continue;
    }
    if (open?.kind === 'paragraph' && !open.raw.includes('\n') && SETEXT.test(line)) {
      open.kind = 'heading';
      open.text = section = plainInline(open.raw);
      open.section = section;
      open = undefined;
      items = [];
      lastParagraph = undefined;
      continue;
    }
    // a pipe table may leave out its outer pipes: "Version | Supported" over "--- | ---"
    const bareTable = line.includes('|') && (table !== undefined || (RULE.test(lines[i + 1] ?? '') && (lines[i + 1] ?? '').includes('|')));
    if (ROW.test(line) || bareTable) {
      close();
      if (RULE.test(line)) continue;
      const cells = splitRow(line);
      if (!table) table = cells;
      blocks.push({ kind: 'row', text: cells.join(' | '), raw: line, line: i + 1, section, cells, header: table });
      continue;
    }
    const item = ITEM.exec(line);
    if (item && !RULE.test(line) && !/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      close();
      const indent = item[1].replace(/\t/g, '    ').length;
      while (items.length && (blocks[items[items.length - 1]].indent ?? 0) >= indent) items.pop();
      const block: Block = { kind: 'item', text: '', raw: item[3], line: i + 1, section, indent };
      if (items.length) block.parent = items[items.length - 1];
      else if (lastParagraph !== undefined) block.intro = lastParagraph;
      else {
        // a later item of the same top-level list shares the first one's introduction
        const prev = blocks[blocks.length - 1];
        if (prev?.kind === 'item' && prev.intro !== undefined) block.intro = prev.intro;
      }
      blocks.push(block);
      items.push(blocks.length - 1);
      open = block;
      continue;
    }
    if (open) {
      open.raw += '\n' + line;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) continue; // thematic break
    items = [];
    const block: Block = { kind: 'paragraph', text: '', raw: line, line: i + 1, section };
    blocks.push(block);
    lastParagraph = blocks.length - 1;
    open = block;
  }
  close();
  // an item list only counts as introduced by the paragraph right before it
  return blocks;
}

/** Abbreviations whose period does not end a sentence. */
const ABBREVIATION = /\b(?:e\.g|i\.e|etc|vs|approx|incl|no|nr|cf|esp|resp|min|max|Mr|Ms|Dr|Inc|Ltd|Corp|St)\.$/i;

/** Sentences of a block's plain text. */
export function sentences(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  const re = /[.!?]+["')\]]*(?=\s+["'(\[]?[A-Z0-9])/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const end = m.index + m[0].length;
    const candidate = text.slice(start, end);
    if (ABBREVIATION.test(candidate.slice(-8)) || /\b[A-Z]\.$/.test(candidate)) continue;
    out.push(candidate.trim());
    start = end;
  }
  const rest = text.slice(start).trim();
  if (rest) out.push(rest);
  return out.filter((s) => s.length > 0);
}
