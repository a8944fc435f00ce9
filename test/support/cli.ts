/** `secintake ...` run in-process, as bin/secintake.js runs it: exit code and what it printed. */
import { run } from '../../lambdas/local/cli/main';

export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}
