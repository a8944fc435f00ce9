/** The one function of libmime (mailparser's own decoder) that we call. */
declare module 'libmime' {
  /** Decodes RFC 2047 encoded words in a header value. */
  export function decodeWords(value: string): string;
}
