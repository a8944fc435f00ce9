/**
 * What the CLI prints came, in part, from mail: a subject or a body can carry terminal escape sequences (OSC 52
 * writes the clipboard, OSC 0 sets the window title, CSI moves the cursor and can hide or overwrite lines), bare
 * CRs that overwrite a line, and bidi overrides that disguise text. Human-readable output is passed through
 * `terminalSafe`; JSON keeps the data but escapes what JSON.stringify leaves raw (C1 controls, U+2028/2029,
 * bidi marks); `--raw` prints exact bytes only into a file or a pipe.
 */

/** ESC sequences: OSC/DCS/SOS/PM/APC strings up to BEL or ST, CSI with its parameters, and two-byte escapes;
 *  the same in their 8-bit C1 forms. */
const ESCAPES = /(?:\u001b[\]PX^_]|[\u009d\u0090\u0098\u009e\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?|\u001b[ -~]?/g;
/** Every other C0 control but tab and line feed, DEL, C1, and the bidi embedding/override/isolate marks. */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(ESCAPES, '').replace(CONTROLS, '');
}

/** JSON text with the characters JSON.stringify leaves raw escaped as \uXXXX (same data, safe on a terminal). */
export function jsonSafe(json: string): string {
  return json.replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
