/** RFC 2047 encoded words in a header line, decoded as a mail client shows them (mailparser's decoder). */
import { decodeWords } from 'libmime';

export function decodeHeaderWords(line: string): string {
  try {
    return decodeWords(line);
  } catch {
    return line;
  }
}
