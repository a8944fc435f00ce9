/** Where the CLI writes: the process's streams, or buffers in tests that run the CLI in-process. */
import type { Logger, LogFields } from '../../ports/logger';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Exact bytes (raw mail) to stdout; only where `isTerminal` is false. */
  outBytes?(bytes: Buffer): void;
  /** Whether `out` is a terminal (where raw mail bytes must not go). */
  isTerminal?(): boolean;
  /** One answer from the user (a confirmation); absent where no one can answer (stdin is not a terminal). */
  ask?(question: string): Promise<string>;
}

export const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  outBytes: (bytes) => void process.stdout.write(bytes),
  isTerminal: () => process.stdout.isTTY === true,
  ask: async (question: string) => {
    // stdin is looked at only here: a command that asks nothing never touches it
    if (!process.stdin.isTTY) {
      const { UserError } = await import('../user-error');
      throw new UserError('no terminal to confirm on: give --yes', 2);
    }
    const readline = await import('node:readline/promises');
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  },
};

/** Log lines for `start`: time, level, message, then the IDs as key=value (never report content). */
export function textLogger(io: CliIo): Logger {
  const line = (level: string, message: string, fields?: LogFields) => {
    const extra = Object.entries(fields ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    io.err(`${new Date().toISOString()} ${level} ${message}${extra ? ' ' + extra : ''}\n`);
  };
  return {
    info: (m, f) => line('info', m, f),
    warn: (m, f) => line('WARN', m, f),
    error: (m, f) => line('ERROR', m, f),
  };
}
