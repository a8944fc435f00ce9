/** Reads a raw message's header block without a mail library, to see exactly which header lines exist. */

/** The header block of a raw message as [name, unfolded value] pairs, in order. */
export function headerList(raw: Buffer): [string, string][] {
  const text = raw.toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  const block = text.slice(0, end);
  const lines = block.split(/\r?\n/);
  const headers: [string, string][] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line)) headers[headers.length - 1][1] += ' ' + line.trim();
    else {
      const colon = line.indexOf(':');
      headers.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]);
    }
  }
  return headers;
}

