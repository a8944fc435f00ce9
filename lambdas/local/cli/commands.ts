/** The CLI commands that are more than one call: start, send, doctor. */
import { promises as fs } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { loadConfigFile } from '../../adapters/local/config-file';
import { PortInUse } from '../../adapters/local/smtp-inbound';
import { submitOverSmtp } from '../../adapters/local/smtp-submit';
import { controlClient } from '../control-server';
import { headerFields, importRecipients } from '../import-mail';
import { ImportPathError } from '../import-sources';
import { startLocalStack } from '../stack';
import { UserError } from '../stack-operations';
import { rememberConfig, runningStack, withStack, type GlobalOptions } from './connect';
import { textLogger, type CliIo } from './io';
import { securityTxtHealth } from './policy';

export class StackAlreadyRunning extends UserError {
  override readonly name = 'StackAlreadyRunning';
}

function port(text: string, what: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new UserError(`${what} ${JSON.stringify(text)} is not a port number (0-65535)`, 2);
  return Number(text);
}

function relay(text: string | undefined): { host: string; port: number } | undefined {
  if (!text) return undefined;
  const m = /^([^:\s]+):(\d{1,5})$/.exec(text);
  if (!m) throw new UserError(`--relay ${JSON.stringify(text)} is not host:port (e.g. 127.0.0.1:1025)`, 2);
  return { host: m[1], port: port(m[2], '--relay port') };
}

/** Paths as the user would type them: relative when under the current folder, else absolute. */
const shown = (p: string) => {
  const rel = path.relative(process.cwd(), p);
  return rel === '' ? '.' : rel.startsWith('..') ? p : rel;
};

export async function startCommand(
  g: GlobalOptions,
  o: { port: string; relay?: string; dns?: string; trustLocalSenders?: boolean; controlPort: string },
  io: CliIo,
): Promise<number> {
  const running = await runningStack(g.data);
  if (running) {
    throw new StackAlreadyRunning(`a stack already runs for ${shown(g.data)} (pid ${running.pid}, SMTP port ${running.smtpPort}); stop it first`);
  }
  await rememberConfig(g.data, g.config);
  io.out(`secintake: config ${shown(g.config)}, data ${shown(g.data)}${path.sep}\n`);
  const stack = await startLocalStack({
    config: g.config,
    data: g.data,
    port: port(o.port, '--port'),
    controlPort: port(o.controlPort, '--control-port'),
    relay: relay(o.relay),
    dns: o.dns ? path.resolve(o.dns) : undefined,
    trustLocalSenders: o.trustLocalSenders === true,
    log: textLogger(io),
  });
  const addresses = stack.deps.config.projects.flatMap((p) => p.addresses);
  const dataFlag = path.resolve('.data') === g.data ? '' : ` --data ${shown(g.data)}`;
  io.out(
    [
      `  SMTP inbound (plays SES)  127.0.0.1:${stack.smtpPort}  for ${addresses.join(', ')} (and their +reply addresses)`,
      `  control API               127.0.0.1:${stack.controlPort}  (the secintake commands use it while this runs)`,
      `  outbox                    ${shown(path.join(g.data, 'outbox'))}${path.sep} (.eml)${o.relay ? `, also relayed to ${o.relay}` : ''}`,
      `  local clock               ${stack.clock.now().toISOString()}`,
      '',
      'Try, in another terminal:',
      `  npx secintake${dataFlag} send examples/mail/report.eml`,
      `  npx secintake${dataFlag} reports`,
      `  npx secintake${dataFlag} clock advance 24h`,
      '',
      'Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  io.out('stopping...\n');
  await stack.close();
  io.out('stopped.\n');
  return 0;
}

export async function sendCommand(g: GlobalOptions, file: string, o: { from?: string; to?: string; port?: string }, io: CliIo): Promise<number> {
  let smtpPort: number;
  if (o.port) smtpPort = port(o.port, '--port');
  else {
    const running = await runningStack(g.data);
    if (!running) throw new UserError(`no stack is running for ${shown(g.data)}: start it with \`npm start\` (or give --port)`);
    smtpPort = running.smtpPort;
  }
  const raw = await fs.readFile(file).catch((err: Error) => {
    throw new ImportPathError(file, err.message);
  });
  const config = loadConfigFile(g.config);
  const fields = headerFields(raw, config.limits.maxHeaderBytes);
  const to = o.to ? [o.to] : importRecipients(fields, config);
  const field = (n: string) => fields.find(([name]) => name === n)?.[1] ?? '';
  // the null return path only for a delivery report (or a file that says <> itself): a file without From must
  // not pass for a bounce
  const bounce = /multipart\/report/i.test(field('content-type')) || /^\s*<\s*>\s*$/.test(field('return-path'));
  const from = o.from ?? /[^\s<>"]+@[^\s<>"]+/.exec(field('from'))?.[0] ?? (bounce ? '' : 'secintake-send@localhost');
  const response = await submitOverSmtp({ port: smtpPort, from, to, raw });
  io.out(`delivered to 127.0.0.1:${smtpPort} for ${to.join(', ')}: ${response}\nsee it with: secintake reports\n`);
  return 0;
}

async function portFree(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(p, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function reportFailed(
  failed: { sesMessageId: string; reason?: string }[],
  ok: (s: string) => void,
  problem: (s: string) => void,
): void {
  if (failed.length === 0) return ok('no inbound message is waiting for a replay');
  for (const f of failed) problem(`intake did not finish for ${f.sesMessageId} (${f.reason ?? 'no reason recorded'}): the raw is kept; run: secintake replay ${f.sesMessageId} (or doctor --repair for all)`);
}

export async function doctorCommand(g: GlobalOptions, o: { port: string; repair?: boolean }, io: CliIo): Promise<number> {
  let problems = 0;
  let failed: { sesMessageId: string; reason?: string }[] = [];
  const ok = (s: string) => io.out(`ok       ${s}\n`);
  const problem = (s: string) => {
    problems++;
    io.out(`PROBLEM  ${s}\n`);
  };

  try {
    const config = loadConfigFile(g.config);
    ok(`config ${shown(g.config)}: ${config.projects.map((p) => `${p.id} <${p.addresses.join(', ')}>`).join('; ')}`);
    const txt = await securityTxtHealth(config, g.config, new Date());
    txt.ok.forEach(ok);
    txt.problems.forEach(problem);
  } catch (err) {
    problem((err as Error).message);
    return 1; // nothing else can be checked without a config
  }

  try {
    await fs.mkdir(g.data, { recursive: true });
    const probe = path.join(g.data, `.doctor-${process.pid}`);
    await fs.writeFile(probe, 'ok');
    await fs.rm(probe);
    ok(`data folder ${shown(g.data)}${path.sep} is writable`);
  } catch (err) {
    problem(`data folder ${shown(g.data)} is not writable: ${(err as Error).message}`);
  }

  const running = await runningStack(g.data);
  if (running) {
    ok(`stack running: pid ${running.pid}, SMTP 127.0.0.1:${running.smtpPort}, control 127.0.0.1:${running.controlPort}`);
    const orphans = await controlClient(running.controlPort, running.token).orphans();
    if (orphans.length) problem(`${orphans.length} open report(s) without a running workflow: ${orphans.join(', ')} (restart the stack: start resumes them)`);
    else ok('every open report has a running workflow');
    failed = await controlClient(running.controlPort, running.token).failedInbound();
    reportFailed(failed, ok, problem);
  } else {
    const p = port(o.port, '--port');
    if (await portFree(p)) ok(`SMTP port ${p} is free (the stack is not running)`);
    else problem(new PortInUse(p, 'SMTP').message);
    const [open, unfinished] = await withStack(
      g,
      textLogger({ out: () => {}, err: () => {} }),
      async (ops) => [await ops.reports(), await ops.failedInbound()] as const,
      { resume: false },
    );
    failed = unfinished;
    reportFailed(failed, ok, problem);
    const waiting = open.filter((r) => !['closed', 'disclosed'].includes(r.status) && !r.quarantined);
    ok(`${waiting.length} open report(s); their workflows resume when the stack starts`);
  }
  if (o.repair && failed.length) {
    // intake is idempotent (keyed by the message, claims, outbox): a replay finishes what a crash cut off,
    // pending receipts and notices included, and never answers twice
    await withStack(g, textLogger({ out: () => {}, err: () => {} }), async (ops) => {
      for (const f of failed) {
        try {
          const r = await ops.replay(f.sesMessageId, false);
          io.out(`repaired ${f.sesMessageId}: ${r.outcome}${r.reportId ? ` ${r.reportId}` : ''}: ${r.reason}\n`);
          problems--;
        } catch (err) {
          io.out(`PROBLEM  replay of ${f.sesMessageId} failed again: ${(err as Error).message}\n`);
        }
      }
    });
  }
  return problems ? 1 : 0;
}

