/**
 * The whole system on one machine (DESIGN section 6), wired from the same use cases and adapters as on AWS:
 *
 * 1. config (validated) and the data folder: <data>/dynamo (dynalite's LevelDB), raw/, outbox/, clock.json,
 *    reply-address.key (generated once, mode 0600)
 * 2. DynamoDB: dynalite through the real SDK client and the same DynamoReportStore, table ensured
 * 3. the workflow: the synthesized state machine run by the local runner, reached by the unchanged SfnWorkflow
 *    adapter through the Step Functions stand-in; open reports are resumed, so timers that fell due while the
 *    stack was stopped fire once, in order
 * 4. listening (unless `listen: false`, for a CLI command run in-process): the SMTP inbound playing SES, and the
 *    control API for the CLI; their ports go to <data>/stack.json with the pid
 *
 * close() stops all of it and leaves no handle open.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Deps } from '../app/deps';
import { receiveMail } from '../app/receive-mail';
import { DynamoReportStore, ensureTable } from '../adapters/aws/dynamo-report-store';
import { SfnWorkflow } from '../adapters/aws/sfn-workflow';
import { loadConfigFile } from '../adapters/local/config-file';
import { localDynamoClient, startDynalite } from '../adapters/local/dynalite-server';
import { FileKey } from '../adapters/local/file-key';
import { FileProjectKeys, projectKeysDir } from '../adapters/local/file-project-keys';
import { OpenPgpEngine } from '../adapters/openpgp-engine';
import { FsRawStore } from '../adapters/local/fs-raw-store';
import { LocalMailAuth, loadDnsRecords } from '../adapters/local/mail-auth';
import { OutboxFolderSender } from '../adapters/local/outbox-folder-sender';
import { startSmtpInbound } from '../adapters/local/smtp-inbound';
import { mimeComposer } from '../adapters/mime-composer';
import { MailparserParser } from '../adapters/mailparser-parser';
import { noMetrics, silentLogger, type Logger } from '../ports/logger';
import type { Workflow } from '../ports/workflow';
import { controlTokenPath, startControlServer, writeControlToken } from './control-server';
import { TABLE_NAME } from './data-folder';
import { LocalClock } from './local-clock';
import { localOperations } from './stack-operations';
import { LocalWorkflowRunner } from './workflow-runner';
import { advanceWithHousekeeping } from './local-housekeeping';
import { startGitHubStandIn, type GitHubStandIn } from './github-standin';
import { OctokitGitHub } from '../adapters/github/octokit-github';
import { GitHubCredentialsFile } from '../adapters/local/github-credentials-file';
import { parseGitHubCredentials } from '../adapters/github/credentials';

export { TABLE_NAME };

export interface LocalStackOptions {
  /** Path of the config file. */
  config: string;
  /** Data folder. */
  data: string;
  /** SMTP port on 127.0.0.1; 0 or absent: any free port. */
  port?: number;
  /** Tests: the clock stands still (at `startAt`, or now) until moved. */
  frozenClock?: boolean;
  /** Move the clock to this instant at start (forward only). */
  startAt?: Date;
  /** Also deliver outbound mail to this SMTP server. */
  relay?: { host: string; port: number };
  /** JSON file of DNS records for the offline SPF/DKIM/DMARC checks. */
  dns?: string;
  /** Treat local mail as DMARC PASS (testing maintainer commands without signing). Off by default. */
  trustLocalSenders?: boolean;
  /** Control API port on 127.0.0.1; 0 or absent: any free port. */
  controlPort?: number;
  /** false: no SMTP, no control API, no stack.json (a CLI command running the stack in its own process). */
  listen?: boolean;
  /** false: don't resume open reports' workflows (read-only commands). Default true. */
  resume?: boolean;
  log?: Logger;
  /** false: no GitHub stand-in (read-only commands). */
  github?: boolean;
}

export interface LocalStack {
  deps: Deps;
  clock: LocalClock;
  runner: LocalWorkflowRunner;
  /** 0 when not listening. */
  smtpPort: number;
  controlPort: number;
  /** The bearer token of the control API (also in <data>/control.token, 0600); empty when not listening. */
  controlToken: string;
  outboxDir: string;
  /** The local GitHub (issue 14), when a project discloses on GitHub. */
  github?: GitHubStandIn;
  /** Moves the clock, firing every timer due on the way; retention and the weekly digests run as it moves. */
  advanceTo(t: Date): Promise<void>;
  close(): Promise<void>;
}

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const log = opts.log ?? silentLogger;
  const config = loadConfigFile(opts.config);
  const data = path.resolve(opts.data);
  await fs.mkdir(data, { recursive: true });
  const closers: Array<() => Promise<void> | void> = [];
  let github: GitHubStandIn | undefined;
  const close = async () => {
    for (const c of closers.reverse()) {
      try {
        await c();
      } catch (err) {
        log.warn('error while stopping', { error: (err as Error).message });
      }
    }
  };

  try {
    const clock = new LocalClock(opts.frozenClock ? { frozenAt: opts.startAt ?? new Date() } : { dataDir: data });
    if (opts.startAt && !opts.frozenClock && opts.startAt.getTime() > clock.now().getTime()) clock.set(opts.startAt);

    const dynamo = await startDynalite({ path: path.join(data, 'dynamo') });
    closers.push(() => dynamo.close());
    const client = localDynamoClient(dynamo.endpoint);
    closers.push(() => client.destroy());
    await ensureTable(client, TABLE_NAME);

    const outboxDir = path.join(data, 'outbox');
    const auth = new LocalMailAuth({ dns: opts.dns ? await loadDnsRecords(opts.dns) : undefined, trustLocalSenders: opts.trustLocalSenders });
    // the workflow port is bound below, once the runner that serves it exists
    const deps: Deps = {
      config,
      store: new DynamoReportStore({ client, tableName: TABLE_NAME }),
      raw: new FsRawStore(path.join(data, 'raw')),
      parser: new MailparserParser(),
      dkim: auth.dkimVerifier(),
      composer: mimeComposer,
      sender: new OutboxFolderSender({ folder: outboxDir, relay: opts.relay }),
      workflow: undefined as unknown as Workflow,
      clock,
      keys: new FileKey(path.join(data, 'reply-address.key')),
      log,
      metrics: noMetrics,
      // issue 17: the project keys are 0600 files in <data>/keys (secintake keys create|import)
      pgp: new OpenPgpEngine(),
      projectKeys: new FileProjectKeys(projectKeysDir(data)),
    };

    // GitHub (issue 14): a project discloses on GitHub -> the stand-in on 127.0.0.1, with a token written to the
    // data folder (0600); the credentials file is what the Octokit adapter reads, never the config
    if (config.projects.some((p) => p.disclosure) && opts.github !== false) {
      const credentialsFile = path.join(data, 'github-credentials.json');
      const own = await ownGitHubCredentials(credentialsFile);
      if (own) {
        // the operator's own credentials (real GitHub, or a GitHub Enterprise baseUrl): no stand-in
        deps.github = new OctokitGitHub(new GitHubCredentialsFile(credentialsFile));
        log.warn('GitHub: using the credentials in the data folder, not the local stand-in: public steps are real', { baseUrl: own });
      }
    }
    if (config.projects.some((p) => p.disclosure) && opts.github !== false && !deps.github) {
      const credentialsFile = path.join(data, 'github-credentials.json');
      const standIn = await startGitHubStandIn({ stateFile: path.join(data, 'github-standin.json') });
      closers.push(() => standIn.close());
      await fs.writeFile(credentialsFile, JSON.stringify({ token: standIn.token, baseUrl: standIn.baseUrl }) + '\n', { mode: 0o600 });
      deps.github = new OctokitGitHub(new GitHubCredentialsFile(credentialsFile));
      github = standIn;
    }

    // a frozen clock moves only when told; otherwise sleepers are checked against real time as it passes
    const runner = new LocalWorkflowRunner({ clock, realTime: !opts.frozenClock });
    closers.push(() => runner.close());
    const sfnEndpoint = await runner.listen(0);
    const sfn = new SFNClient({ endpoint: sfnEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    closers.push(() => sfn.destroy());
    deps.workflow = new SfnWorkflow({ client: sfn, stateMachineArn: runner.stateMachineArn });
    runner.setDeps(deps);

    if (opts.resume !== false) await runner.resumeOpenReports(deps.store);

    const store = deps.store as DynamoReportStore;
    const advanceTo = (t: Date) => advanceWithHousekeeping(deps, store, (stop) => runner.advanceTo(stop), t);
    const stack: LocalStack = {
      deps,
      clock,
      runner,
      advanceTo,
      smtpPort: 0,
      controlPort: 0,
      controlToken: '',
      outboxDir,
      ...(github ? { github } : {}),
      close,
    };
    if (opts.listen === false) return stack;

    if (opts.trustLocalSenders) {
      log.warn('TRUSTING LOCAL SENDERS: every message counts as DMARC PASS, so anyone who can reach the SMTP port can act as a maintainer. Use only for trying things out.');
    }
    const smtp = await startSmtpInbound({
      port: opts.port ?? 0,
      config,
      raw: deps.raw,
      store: deps.store,
      clock,
      auth,
      log,
      onMessage: (facts) => receiveMail(deps, facts),
    });
    closers.splice(1, 0, () => smtp.close()); // stop taking mail before the store goes away
    const ops = localOperations({ deps, outboxDir, advanceTo });
    const token = await writeControlToken(data);
    closers.push(() => fs.rm(controlTokenPath(data), { force: true }));
    const control = await startControlServer(ops, { port: opts.controlPort ?? 0, log, token });
    closers.push(() => control.close());

    const stackFile = path.join(data, 'stack.json');
    await fs.writeFile(
      stackFile,
      JSON.stringify({ pid: process.pid, smtpPort: smtp.port, controlPort: control.port, config: path.resolve(opts.config), startedAt: new Date().toISOString() }, null, 2),
    );
    closers.push(() => fs.rm(stackFile, { force: true }));
    return { ...stack, smtpPort: smtp.port, controlPort: control.port, controlToken: token };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Credentials an operator put in the data folder for a GitHub other than the stand-in (no `baseUrl`, or one not on
 * 127.0.0.1): their base URL, or undefined when the file is absent or is the stand-in's own.
 */
async function ownGitHubCredentials(file: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const creds = parseGitHubCredentials(text, file);
  if (!creds) return undefined;
  const base = creds.baseUrl ?? 'https://api.github.com';
  return /^http:\/\/127\.0\.0\.1(:\d+)?(\/|$)/.test(base) ? undefined : base;
}
