/**
 * The folder of this package (where package.json is): files the CLI reads at run time (the example config, the
 * state machine definition) are found from it, whether the code runs from the TypeScript sources or from the
 * bundle compiled at install time (dist/cli/), whose __dirname differs.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'lambdas'))) return (root = dir);
    if (path.dirname(dir) === dir) throw new Error(`package.json not found above ${__dirname}`);
  }
}
