/** Header values read as mail clients and mailparser read them: the one place for RFC 2047 words and addresses. */
import { decodeWords } from 'libmime';
import addressparser from 'nodemailer/lib/addressparser';

/** RFC 2047 encoded words in a header line, decoded (mailparser's decoder). */
export function decodeHeaderWords(line: string): string {
  try {
    return decodeWords(line);
  } catch {
    return line;
  }
}

/** The addresses of an address-list value (groups flattened), lower-cased. Parsed as mailparser parses them:
 *  the raw value first, so encoded words are only ever inside display names. */
export function headerAddresses(value: string): string[] {
  const out: string[] = [];
  const visit = (list: ReturnType<typeof addressparser>) => {
    for (const entry of list) {
      if ('group' in entry && entry.group) visit(entry.group);
      else if ('address' in entry && entry.address) out.push(entry.address.trim().toLowerCase());
    }
  };
  visit(addressparser(value));
  return out;
}
