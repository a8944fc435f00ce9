/**
 * A file name for an attachment, made from what the sender wrote but never trusted as a path: the last path
 * segment only (either slash), no control or bidi characters, none of the characters Windows refuses, no leading
 * dot (hidden files, `..`), no trailing dot or space, not a Windows device name, at most 100 characters (its
 * extension kept), and never one already used in the same folder.
 */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
const MAX = 100;

export function safeFileName(wanted: string | undefined, fallback: string, used: Set<string>): string {
  let name = (wanted ?? '').split(/[\\/]/).pop() ?? '';
  name = name
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069<>:"|?*]/g, '_')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (!name || RESERVED.test(name)) name = name ? `_${name}` : fallback;
  if (name.length > MAX) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
    name = name.slice(0, MAX - ext.length) + ext;
  }
  let candidate = name;
  for (let n = 2; used.has(candidate.toLowerCase()); n++) {
    const dot = name.lastIndexOf('.');
    candidate = dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
  }
  used.add(candidate.toLowerCase());
  return candidate;
}
