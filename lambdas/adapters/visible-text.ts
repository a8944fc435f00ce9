/**
 * The text a mail client would display for an HTML body: what a maintainer saw when they wrote their commands.
 * Hidden content is dropped before conversion, so a `display:none` block, a comment, a zero-size or transparent
 * span or a `<head>`/`<style>` never becomes a command line (DESIGN section 3, trust boundary 2).
 */
import { parseDocument } from 'htmlparser2';
import { removeElement } from 'domutils';
import render from 'dom-serializer';
import { htmlToText } from 'html-to-text';
import type { ChildNode, Element } from 'domhandler';

/** For the bundle's stand-in of html-to-text (lazy-html-to-text.js), which mailparser requires. */
export { htmlToText };

const INVISIBLE_TAGS = new Set(['head', 'title', 'style', 'script', 'template', 'noscript', 'object', 'iframe', 'svg', 'meta', 'link']);
/** Declarations that hide an element: display:none, visibility:hidden/collapse, opacity 0, a tiny font, zero
 *  height or width with clipping, text moved off screen. Checked on the normalised style attribute. */
const HIDING_STYLE = [
  /(^|;)display:none/,
  /(^|;)visibility:(hidden|collapse)/,
  /(^|;)opacity:0*(\.0+)?(;|$|%)/,
  /(^|;)font-size:0*(\.\d+)?(px|pt|em|rem|%)?(;|$)/,
  /(^|;)font-size:[01](\.\d+)?(px|pt)(;|$)/,
  /(^|;)(max-)?(height|width):0+(px|em|rem|%)?(;|$)/,
  /(^|;)(text-indent|left|top):-\d{3,}/,
  /(^|;)clip(-path)?:/,
  /(^|;)color:transparent/,
];

function isHidden(el: Element): boolean {
  if (INVISIBLE_TAGS.has(el.name.toLowerCase())) return true;
  const attrs = el.attribs ?? {};
  if ('hidden' in attrs) return true;
  if ((attrs['aria-hidden'] ?? '').toLowerCase() === 'true') return true;
  if (attrs.type?.toLowerCase() === 'hidden') return true;
  const style = (attrs.style ?? '').toLowerCase().replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, '').replace(/!important/g, '');
  return HIDING_STYLE.some((re) => re.test(style));
}

function prune(nodes: ChildNode[]): void {
  for (const node of [...nodes]) {
    if (node.type === 'comment' || node.type === 'directive' || node.type === 'cdata') {
      removeElement(node);
    } else if (node.type === 'tag' || node.type === 'script' || node.type === 'style') {
      const el = node as Element;
      if (isHidden(el)) removeElement(el);
      else prune(el.children);
    }
  }
}

/** Visible text of an HTML document, as plain text with line breaks where a client would break lines. */
export function visibleText(html: string): string {
  const doc = parseDocument(html, { decodeEntities: true });
  prune(doc.children);
  return htmlToText(render(doc), {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
    ],
  });
}
