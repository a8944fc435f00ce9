/**
 * The public test corpus of real messages (../shared/corpus beside the checkout; CI always has it). Suites that
 * read it run only when it is there; without it they are skipped with a message naming the folder, never silently.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const CORPUS = resolve(__dirname, '../../../shared/corpus');
export const haveCorpus = existsSync(join(CORPUS, 'INDEX.tsv'));

const why = `needs the public test corpus in ../shared/corpus (${CORPUS}), which is absent: clone it beside the checkout (README, Prerequisites)`;

function announce(name: string): void {
  // once per suite, on stderr: jest prints it with the suite's output
  process.stderr.write(`\nSKIPPED "${name}": ${why}\n`);
}

/** `describe` when the corpus is there; otherwise `describe.skip`, titled and announced with the missing folder. */
export function describeWithCorpus(name: string, fn: () => void): void {
  if (haveCorpus) return describe(name, fn);
  announce(name);
  describe.skip(`${name} [skipped: ${why}]`, fn);
}

/** `test` when the corpus is there; otherwise `test.skip`, titled and announced with the missing folder. */
export function testWithCorpus(name: string, fn: () => Promise<void>, timeout?: number): void {
  if (haveCorpus) return test(name, fn, timeout);
  announce(name);
  test.skip(`${name} [skipped: ${why}]`, fn);
}
