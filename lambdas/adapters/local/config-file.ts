/**
 * Reads a deployment config (JSON) from a file: the CLI and the CDK app both start here. Every error names the
 * file; a syntax error also names the line and column, which Node's JSON.parse does not always give.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, parseConfig } from '../../core/config-errors';
import type { Config } from '../../core/config';

/** Reads, parses and validates; throws `ConfigError` (with `file` set) for an unreadable, malformed or invalid file. */
export function loadConfigFile(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new ConfigError([`cannot read the file: ${why}`], path);
  }
  // Editors on Windows may save a byte order mark, which JSON.parse rejects.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const offset = jsonSyntaxErrorOffset(text);
    const { line, column } = lineAndColumn(text, offset);
    const found = offset >= text.length ? 'the end of the file' : JSON.stringify(text[offset]);
    throw new ConfigError(
      [`line ${line}, column ${column}: not valid JSON at ${found} (${v8Reason((err as Error).message)})`],
      path,
    );
  }
  return parseConfig(json, path);
}

/** V8's reason without its position or its quote of the text, which the line and column replace. */
function v8Reason(message: string): string {
  return message.replace(/ in JSON at position \d+[\s\S]*$/, '').replace(/, "[\s\S]*" is not valid JSON$/, '');
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * The offset of the first character that makes `text` invalid JSON (RFC 8259), or its length when the text
 * ends too early. Only called after JSON.parse has failed, to point at the fault.
 */
export function jsonSyntaxErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const literal = (word: string) => {
    for (const ch of word) if (text[i++] !== ch) (i--, fail());
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) (i += k, fail());
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') return container('}', () => (text[i] === '"' ? string() : fail(), ws(), text[i] === ':' ? i++ : fail(), value()));
    if (ch === '[') return container(']', value);
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    if (ch === '-' || (ch >= '0' && ch <= '9')) return number();
    fail();
  };
  const container = (close: string, member: () => void) => {
    i++;
    ws();
    if (text[i] === close) return void i++;
    for (;;) {
      ws();
      member();
      ws();
      if (text[i] === ',') i++;
      else if (text[i] === close) return void i++;
      else fail();
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return text.length;
  } catch (at) {
    if (typeof at === 'number') return Math.min(at, text.length);
    throw at;
  }
}
