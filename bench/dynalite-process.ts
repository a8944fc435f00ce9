/**
 * dynalite in a process of its own, for figures of the intake process alone: on AWS, DynamoDB's own work is done
 * elsewhere, so its CPU time must not count as the intake's. `startDynaliteProcess()` runs this file in a child
 * Node process (the same tsx loader as the bench), which prints its endpoint and lives until its stdin closes.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { startDynalite, type DynaliteHandle } from '../lambdas/adapters/local/dynalite-server';

export async function startDynaliteProcess(): Promise<DynaliteHandle> {
  const child = spawn(process.execPath, [...process.execArgv, __filename, '--child'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const [endpoint] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`dynalite process exited (${code}) before it listened`);
    }),
  ])) as [string];
  return {
    endpoint,
    async close() {
      lines.close();
      const exited = once(child, 'exit');
      child.stdin!.end();
      await exited;
    },
  };
}

if (process.argv.includes('--child')) {
  void startDynalite().then((handle) => {
    process.stdout.write(`${handle.endpoint}\n`);
    process.stdin.resume();
    process.stdin.on('end', () => void handle.close().then(() => process.exit(0)));
  });
}
