/**
 * The deployed artifact, as `cdk synth` writes it, run the way Lambda runs it (test/infra/deployed-artifact.test.ts,
 * `npm run bench -- bundle`).
 *
 * - synthesizedDeployment(): the CDK app of infra/app.ts (cdk-nag aside) synthesized offline with bundling, once per
 *   content of its inputs (lambdas/, infra/, the lock file, the config): later runs reuse the folder.
 * - each function of the template: its asset folder, handler and environment (CloudFormation expressions resolved
 *   to the names of local stand-ins).
 * - invokeBundle(): copies the asset folder outside the project (so nothing resolves from our node_modules), and
 *   runs the handler in a fresh `node` whose only other modules are the ones Lambda's runtime provides
 *   (RUNTIME_PROVIDED_MODULES, on NODE_PATH as in /var/runtime/node_modules). A bundle that misses a module fails.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { PROJECT_ROOT, RUNTIME_PROVIDED_MODULES } from '../../infra/constructs/service-function';

export const DEPLOYMENT_CONFIG = 'examples/bases.json';
const INPUTS = ['lambdas', 'infra', 'package-lock.json', 'tsconfig.json', DEPLOYMENT_CONFIG];
const CACHE = join(PROJECT_ROOT, 'node_modules', '.cache', 'secintake-synth');

type Expr = unknown;
export interface CfnResource {
  Type: string;
  Properties: Record<string, Expr>;
}
export interface Template {
  Resources: Record<string, CfnResource>;
}

export interface DeployedFunction {
  logicalId: string;
  /** `index.handler` */
  handler: string;
  runtime: string;
  assetDir: string;
  /** As the template writes it: values may be CloudFormation expressions. */
  environment: Record<string, Expr>;
}

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

/** A hash of everything the synthesized assets and template are made from. */
export function inputsHash(): string {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap((p) => filesUnder(join(PROJECT_ROOT, p)))) {
    hash.update(relative(PROJECT_ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** The cloud assembly folder: reused when the inputs are unchanged, else synthesized (esbuild, no Docker, offline). */
export async function synthesizedDeployment(): Promise<{ outdir: string; template: Template; reused: boolean }> {
  const outdir = join(CACHE, inputsHash());
  const templatePath = join(outdir, 'SecurityIntake.template.json');
  let reused = existsSync(templatePath);
  if (!reused) {
    await mkdir(CACHE, { recursive: true });
    const building = `${outdir}.${randomBytes(4).toString('hex')}-building`;
    // imported here: loading aws-cdk-lib costs seconds, and a reused folder does not need it
    const { deploymentApp } = await import('../../infra/deployment-app');
    const { app } = deploymentApp({
      outdir: building,
      context: { config: DEPLOYMENT_CONFIG },
      nag: false,
      builtinCloudFormationValidation: false,
    } as Parameters<typeof deploymentApp>[0]);
    app.synth();
    try {
      await rename(building, outdir);
      await pruneCache(outdir);
    } catch (err) {
      // another run (a second `npm test`) finished the same synth first: use its folder
      if (!existsSync(templatePath)) throw err;
      await rm(building, { recursive: true, force: true });
      reused = true;
    }
  }
  const template = JSON.parse(await readFile(templatePath, 'utf8')) as Template;
  return { outdir, template, reused };
}

/** Synths of older inputs, left more than an hour ago (a run started before may still read a recent one). */
async function pruneCache(keep: string): Promise<void> {
  for (const name of readdirSync(CACHE)) {
    const dir = join(CACHE, name);
    if (dir !== keep && statSync(dir).mtimeMs < Date.now() - 3600_000) await rm(dir, { recursive: true, force: true });
  }
}

export function deployedFunctions(outdir: string, template: Template): DeployedFunction[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .flatMap(([logicalId, r]) => {
      const code = r.Properties['Code'] as { S3Key?: string };
      const asset = code.S3Key?.replace(/\.zip$/, '');
      if (!asset) return []; // inline code (CDK's own providers), not ours
      const env = (r.Properties['Environment'] as { Variables?: Record<string, Expr> } | undefined)?.Variables ?? {};
      return [{ logicalId, handler: String(r.Properties['Handler']), runtime: String(r.Properties['Runtime']), assetDir: join(outdir, `asset.${asset}`), environment: env }];
    });
}

/** The function whose logical ID starts with this construct path prefix (e.g. `IntakeFunction`). */
export function functionNamed(functions: DeployedFunction[], prefix: string): DeployedFunction {
  const found = functions.filter((f) => f.logicalId.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one function ${prefix}*, found ${found.map((f) => f.logicalId).join(', ') || 'none'}`);
  return found[0]!;
}

export const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'SecurityIntake',
};

/**
 * Resolves a CloudFormation expression: `Ref` of a resource -> its local physical name from `names` (a resource
 * the test has no stand-in for is an error: the handler's contract grew), pseudo parameters, `Fn::Join`,
 * `Fn::GetAtt ... Arn` -> a fake ARN carrying the logical ID.
 */
export function resolveCfn(expr: Expr, names: Record<string, string>): string {
  if (typeof expr === 'string') return expr;
  const e = expr as Record<string, unknown>;
  if (Array.isArray(e['Fn::Join'])) {
    const [sep, parts] = e['Fn::Join'] as [string, Expr[]];
    return parts.map((p) => resolveCfn(p, names)).join(sep);
  }
  if (typeof e['Ref'] === 'string') {
    const value = PSEUDO[e['Ref']] ?? names[e['Ref']];
    if (value === undefined) throw new Error(`no local stand-in named for Ref ${e['Ref']}`);
    return value;
  }
  if (Array.isArray(e['Fn::GetAtt'])) {
    const [logicalId, attr] = e['Fn::GetAtt'] as [string, string];
    if (attr !== 'Arn') throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attr}`);
    return `arn:aws:lambda:${PSEUDO['AWS::Region']}:${PSEUDO['AWS::AccountId']}:function:${logicalId}`;
  }
  throw new Error(`cannot resolve ${JSON.stringify(expr)}`);
}

/** Logical IDs of the template's resources of one type. */
export function resourcesOfType(template: Template, type: string): string[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id);
}

/**
 * Runs `exports.<handler>(event, context)` from an asset folder in a fresh Node process (runner below): the result
 * is written to a file, not stdout, which belongs to the function's logs as on Lambda.
 */
const RUNNER = `'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const [taskRoot, handlerSpec, eventFile, resultFile] = process.argv.slice(2);
const dot = handlerSpec.lastIndexOf('.');
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: '$LATEST', awsRequestId: 'local-' + process.pid,
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:' + process.env.AWS_LAMBDA_FUNCTION_NAME,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, getRemainingTimeInMillis: () => 30000,
  callbackWaitsForEmptyEventLoop: true,
};
(async () => {
  let out;
  try {
    const mod = require(join(taskRoot, handlerSpec.slice(0, dot)));
    const result = await mod[handlerSpec.slice(dot + 1)](JSON.parse(readFileSync(eventFile, 'utf8')), context);
    out = { ok: true, result: result === undefined ? null : result };
  } catch (e) {
    out = { ok: false, error: { name: e && e.name, code: e && e.code, message: String(e && e.message) } };
  }
  writeFileSync(resultFile, JSON.stringify(out));
  process.exit(0);
})();
`;

export type Invocation = { ok: true; result: unknown; logs: string } | { ok: false; error: { name?: string; code?: string; message: string }; logs: string };

export class LambdaSandbox {
  private constructor(readonly root: string) {}

  /** A folder outside the project: the runner, a copy of each task root, and the runtime's modules. */
  static async create(): Promise<LambdaSandbox> {
    const root = await mkdtemp(join(tmpdir(), 'secintake-lambda-'));
    for (const dir of [dirname(root), root]) {
      if (existsSync(join(dir, 'node_modules'))) throw new Error(`${dir}/node_modules exists: bundles would resolve modules from it`);
    }
    await writeFile(join(root, 'runner.js'), RUNNER);
    const runtimeModules = join(root, 'runtime', 'node_modules');
    for (const name of RUNTIME_PROVIDED_MODULES) {
      await mkdir(dirname(join(runtimeModules, name)), { recursive: true });
      await symlink(join(PROJECT_ROOT, 'node_modules', name), join(runtimeModules, name), 'dir');
    }
    return new LambdaSandbox(root);
  }

  get runtimeModules(): string {
    return join(this.root, 'runtime', 'node_modules');
  }

  /** Copies an asset folder to /var/task's stand-in; returns the copy. */
  async taskRoot(assetDir: string): Promise<string> {
    const dir = join(this.root, 'task', assetDir.split('/').pop()!);
    if (!existsSync(dir)) await cp(assetDir, dir, { recursive: true });
    return dir;
  }

  /**
   * Invokes the handler in a fresh process. Its environment is only what Lambda would give it: the function's
   * variables, the runtime's own, credentials and region; `extra` adds the endpoint overrides of the stand-ins.
   */
  async invoke(fn: Pick<DeployedFunction, 'assetDir' | 'handler' | 'logicalId'>, event: unknown, env: Record<string, string>): Promise<Invocation> {
    const task = await this.taskRoot(fn.assetDir);
    const id = randomBytes(6).toString('hex');
    const eventFile = join(this.root, `event-${id}.json`);
    const resultFile = join(this.root, `result-${id}.json`);
    await writeFile(eventFile, JSON.stringify(event));
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(
        process.execPath,
        [join(this.root, 'runner.js'), task, fn.handler, eventFile, resultFile],
        {
          cwd: task,
          env: {
            PATH: process.env.PATH ?? '/usr/bin:/bin',
            TZ: ':UTC',
            LANG: 'en_US.UTF-8',
            LAMBDA_TASK_ROOT: task,
            NODE_PATH: this.runtimeModules,
            AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
            AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
            AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
            AWS_REGION: PSEUDO['AWS::Region']!,
            AWS_DEFAULT_REGION: PSEUDO['AWS::Region']!,
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            ...env,
          },
          maxBuffer: 16 << 20,
        },
        (err, stdout, stderr) => (err ? reject(Object.assign(err, { stdout, stderr })) : resolve({ stdout, stderr })),
      );
    });
    const logs = `${stdout}${stderr}`;
    const out = JSON.parse(await readFile(resultFile, 'utf8')) as Omit<Invocation, 'logs'>;
    return { ...out, logs } as Invocation;
  }

  async remove(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
