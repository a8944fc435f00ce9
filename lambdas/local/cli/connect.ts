/**
 * How a CLI command reaches the local stack: through the control API when `secintake start` runs for this data
 * folder (stack.json names its ports and pid), otherwise by opening the stack in this process for the length
 * of the command (only one process can open dynalite's LevelDB at a time).
 */
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { controlClient, pingControl, readControlToken } from '../control-server';
import type { StackOperations } from '../stack-operations';
import type { LocalStack } from '../stack';
import type { ReadOperations } from '../read-operations';
import { UserError } from '../user-error';
import type { Logger } from '../../ports/logger';

export interface GlobalOptions {
  data: string;
  config: string;
  /** `--config` was given on the command line (else it is the data folder's remembered one, or the default). */
  configExplicit?: boolean;
  /** `--aws`: read a deployed stack instead of the data folder. */
  aws?: { stack: string; region?: string; profile?: string };
}

const configRecord = (data: string) => path.join(data, 'config-path');

/** The config file `start` last ran this data folder with, if any. */
export function rememberedConfig(data: string): string | undefined {
  try {
    const remembered = readFileSync(configRecord(data), 'utf8').trim();
    return remembered || undefined;
  } catch {
    return undefined;
  }
}

/**
 * `start` records its config. Another config file for a data folder that holds reports is taken only when it keeps
 * every project of the one the reports were made with (the same project IDs; their settings may differ: a digest
 * turned on, a maintainer added); otherwise, or when the old file can no longer be read, it is refused.
 */
export async function rememberConfig(data: string, config: string): Promise<void> {
  const previous = rememberedConfig(data);
  if (previous && previous !== config && existsSync(path.join(data, 'dynamo'))) {
    const missing = await projectsMissing(previous, config);
    if (missing === undefined || missing.length) {
      const why = missing === undefined ? `${previous} cannot be read to compare` : `${config} has no project ${missing.join(', ')}`;
      throw new UserError(
        `the data folder ${data} holds reports made with ${previous} (${why}); run with --config ${previous}, or use another --data folder for ${config}`,
      );
    }
  }
  await fs.mkdir(data, { recursive: true });
  await fs.writeFile(configRecord(data), config + '\n');
}

/** The project IDs of `previous` that `next` lacks; undefined when `previous` cannot be loaded. */
async function projectsMissing(previous: string, next: string): Promise<string[] | undefined> {
  const { loadConfigFile } = await import('../../adapters/local/config-file');
  let before: string[];
  try {
    before = loadConfigFile(previous).projects.map((p) => p.id);
  } catch {
    return undefined;
  }
  const after = new Set(loadConfigFile(next).projects.map((p) => p.id));
  return before.filter((id) => !after.has(id));
}

export interface StackFile {
  /** Read from control.token (0600), not from stack.json. */
  token: string;
  pid: number;
  smtpPort: number;
  controlPort: number;
  config: string;
  startedAt: string;
}

export const stackFilePath = (data: string) => path.join(data, 'stack.json');

/** The running stack for this data folder, if its control API answers; a stale stack.json is ignored. */
export async function runningStack(data: string): Promise<StackFile | undefined> {
  let file: StackFile;
  try {
    file = JSON.parse(await fs.readFile(stackFilePath(data), 'utf8')) as StackFile;
  } catch {
    return undefined;
  }
  const pid = await pingControl(file.controlPort);
  if (pid !== file.pid) return undefined;
  const token = await readControlToken(data);
  if (token === undefined) {
    throw new UserError(`a stack runs on ${data} (pid ${pid}) but its control token (control.token) cannot be read: run the CLI as the user who started it`);
  }
  return { ...file, token };
}

/** Runs `fn` against the running stack, or against one opened in this process and closed afterwards. */
export async function withStack<T>(
  g: GlobalOptions,
  log: Logger,
  fn: (ops: StackOperations) => Promise<T>,
  opts: { resume?: boolean } = {},
): Promise<T> {
  const running = await runningStack(g.data);
  if (running) return fn(controlClient(running.controlPort, running.token));
  // loaded only here: commands that only read never start the stack (withReader)
  const [{ startLocalStack }, { localOperations }] = await Promise.all([import('../stack'), import('../stack-operations')]);
  let stack: LocalStack;
  try {
    stack = await startLocalStack({ config: g.config, data: g.data, listen: false, resume: opts.resume, log });
  } catch (err) {
    if (/lock/i.test((err as Error).message) && /LOCK|IO error/i.test((err as Error).message)) {
      throw new UserError(`the data folder ${g.data} is in use by another secintake process; wait for it, or stop it`);
    }
    throw err;
  }
  try {
    return await fn(localOperations({ deps: stack.deps, outboxDir: stack.outboxDir, advanceTo: stack.advanceTo }));
  } finally {
    await stack.close();
  }
}

/**
 * Runs a command that only reads: against the running stack, or on the data folder's files directly, with no
 * DynamoDB stand-in, no workflow runner and no AWS SDK (a read-only command answers in a blink).
 */
export async function withReader<T>(g: GlobalOptions, fn: (ops: ReadOperations) => Promise<T>): Promise<T> {
  if (g.aws) {
    const { ops } = await awsSource(g);
    // `outbox` on AWS has its own command (aws-commands.ts): the table's items, not a folder of .eml files
    const noFolder = async (): Promise<never> => {
      throw new UserError('on AWS the outbox is the table\'s: secintake --aws outbox');
    };
    return fn({ reports: ops.reports, show: ops.show, clockNow: ops.clockNow, outbox: noFolder, outboxShow: noFolder });
  }
  const running = await runningStack(g.data);
  if (running) return fn(controlClient(running.controlPort, running.token));
  const [{ loadConfigCached }, { openDynaliteFiles }, { LocalClock }, { readOperations }, folder] = await Promise.all([
    import('../../adapters/local/config-cache'),
    import('../../adapters/local/dynalite-files'),
    import('../local-clock'),
    import('../read-operations'),
    import('../data-folder'),
  ]);
  const config = await loadConfigCached(g.config, g.data);
  const store = await openDynaliteFiles(folder.dynamoDir(g.data), folder.TABLE_NAME);
  try {
    const clock = new LocalClock({ dataDir: g.data }); // reads clock.json; only a move writes it
    return await fn(readOperations({ config, store, clock, outboxDir: folder.outboxDir(g.data) }));
  } finally {
    await store.close();
  }
}

/** `--aws`: the deployment config, required (the policies of the deployed stack are in it). */
export async function awsConfig(g: GlobalOptions): Promise<import('../../core/config').Config> {
  if (!g.aws) throw new Error('awsConfig without --aws');
  if (!g.configExplicit) {
    throw new UserError('--aws reads a deployed stack with the policies of its deployment config: give it with --config FILE (the one you deploy with)', 2);
  }
  const { loadConfigFile } = await import('../../adapters/local/config-file');
  const config = loadConfigFile(g.config);
  if (config.aws && g.aws.region) config.aws.region = g.aws.region;
  return config;
}

/** `--aws`: the deployed stack named by --stack, read through the Lambdas' own adapters (adapters/aws/deployed-stack-reader.ts). */
export async function awsSource(
  g: GlobalOptions,
  clients?: import('../../adapters/aws/deployed-stack-reader').AwsReadClients,
): Promise<Awaited<ReturnType<typeof import('../../adapters/aws/deployed-stack-reader').awsReader>>> {
  const config = await awsConfig(g);
  const { awsReader } = await import('../../adapters/aws/deployed-stack-reader');
  return awsReader(config, g.aws!, clients);
}
