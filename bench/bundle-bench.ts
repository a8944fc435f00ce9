/**
 * `npm run bench -- bundle`: the Lambda bundles as `cdk synth` writes them (test/support/deployed-artifact.ts:
 * synthesized offline, reused while lambdas/ and infra/ are unchanged): size of each, and the cold-start cost
 * of the intake bundle (require + module-scope init, in a fresh Node with only the runtime-provided SDK
 * resolvable) against requiring bare mailparser and the SDK clients it uses, side by side, median of 7 rounds.
 */
import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT, RUNTIME_PROVIDED_MODULES } from '../infra/constructs/service-function';
import { deployedFunctions, functionNamed, LambdaSandbox, synthesizedDeployment } from '../test/support/deployed-artifact';
import { record } from './budgets';

const BUNDLE_BUDGET_BYTES = 1.3e6;
const LOAD_BUDGET_RATIO = 1.2;
const ROUNDS = 7;

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function folderBytes(dir: string): Promise<number> {
  let sum = 0;
  for (const name of await readdir(dir)) sum += (await stat(join(dir, name))).size;
  return sum;
}

/** Milliseconds a fresh node spends in `code` (hrtime around it, so node's own start is not counted). */
async function timedRequire(code: string, opts: { cwd: string; nodePath?: string }): Promise<number> {
  const script = `const t = process.hrtime.bigint(); ${code}; process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH, NODE_PATH: opts.nodePath ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return Number(stdout);
}

export async function bundleSection(): Promise<void> {
  const { outdir, template, reused } = await synthesizedDeployment();
  const functions = deployedFunctions(outdir, template);
  console.log(`\nbundles (cdk synth assets${reused ? ', reused' : ''}; SDK left to the runtime: ${RUNTIME_PROVIDED_MODULES.join(', ')})`);
  console.log('function                     index.js    whole asset (with source map)');
  for (const fn of functions) {
    const js = (await stat(join(fn.assetDir, 'index.js'))).size;
    console.log(`${fn.logicalId.padEnd(28)} ${mb(js).padStart(8)}    ${mb(await folderBytes(fn.assetDir)).padStart(8)}`);
  }
  const intake = functionNamed(functions, 'IntakeFunction');
  const intakeBytes = (await stat(join(intake.assetDir, 'index.js'))).size;
  record('bundle', mb(intakeBytes), intakeBytes <= BUNDLE_BUDGET_BYTES);

  const sandbox = await LambdaSandbox.create();
  try {
    const task = await sandbox.taskRoot(intake.assetDir);
    const bare = ['mailparser', ...RUNTIME_PROVIDED_MODULES].map((m) => `require(${JSON.stringify(m)})`).join('; ');
    const bundled: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      bundled.push(await timedRequire(`require(${JSON.stringify(join(task, 'index.js'))})`, { cwd: task, nodePath: sandbox.runtimeModules }));
      baseline.push(await timedRequire(bare, { cwd: PROJECT_ROOT }));
    }
    const ratio = median(bundled) / median(baseline);
    console.log(
      `intake cold load (require + init), median of ${ROUNDS}: bundle ${median(bundled).toFixed(0)} ms, bare mailparser + SDK clients ` +
        `${median(baseline).toFixed(0)} ms: ${ratio.toFixed(2)}x`,
    );
    record('bundleLoad', `${ratio.toFixed(2)}x (${median(bundled).toFixed(0)} / ${median(baseline).toFixed(0)} ms)`, ratio <= LOAD_BUDGET_RATIO);
  } finally {
    await sandbox.remove();
  }
}
