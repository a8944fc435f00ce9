/**
 * secintake: the local stack's command line (DESIGN section 6). Every command has --help; errors are one line
 * per problem on stderr, no stack trace (SECINTAKE_DEBUG=1 shows it); exit 1 for errors, 2 for bad usage.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { silentLogger } from '../../ports/logger';
import { packageRoot } from '../package-root';
import { UserError } from '../user-error';
import { rememberedConfig, withReader, withStack, type GlobalOptions } from './connect';
import { importLine, outboxText, reportsText, showText } from './format';
import { jsonSafe, terminalSafe } from './terminal-safe';
import { processIo, type CliIo } from './io';
import type { SlaCommandOptions } from './sla-command';
import { addPolicyCommands } from './policy';
import { addCaseCommands } from './case-commands';
import { addKeysCommands } from './keys-cli';
// Every other module (the stack, mail parsing, the AWS SDK, SMTP) is loaded by the command that needs it, with
// `await import(...)`: `secintake reports` loads none of them (npm run bench -- cli measures it).
const commands = () => import('./commands');

/** The config the package ships: found from wherever the CLI is run. */
export const DEFAULT_CONFIG = path.join(packageRoot(), 'examples', 'bases.json');

/** The commands that also run against a deployed stack (--aws). */
const AWS_COMMANDS = new Set(['reports', 'show', 'raw', 'attachments', 'export', 'outbox', 'replay', 'doctor']);

const version = () => (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;

/** Errors whose message is written for the user: printed as they are. */
const USER_FACING = new Set([
  'UserError', 'ConfigError', 'PortInUse', 'ImportPathError', 'DnsRecordsFileError', 'SmtpRefused', 'ClockMovedBackwards',
  'InvalidDuration', 'KeyFileError', 'StackAlreadyRunning', 'DataFolderInUse',
]);


/** Header block as stored, then the text decoded and the attachments listed: what a mail client would show. */
async function readable(raw: string): Promise<string> {
  const [{ limitsSchema }, { MailparserParser }, { decodeHeaderWords }] = await Promise.all([
    import('../../core/config'),
    import('../../adapters/mailparser-parser'),
    import('../../adapters/header-values'),
  ]);
  const end = raw.search(/\r?\n\r?\n/);
  const head = end < 0 ? raw : raw.slice(0, end);
  const msg = await new MailparserParser().parse(Buffer.from(raw), { limits: limitsSchema.parse({}) });
  const files = msg.attachments.map((a) => `[attachment: ${a.filename ?? '(no name)'}, ${a.contentType}, ${a.size} bytes]`);
  const headers = head
    .replace(/^Content-Transfer-Encoding:.*\r?\n?/im, '')
    .replace(/\r?\n(?=[ \t])/g, '') // unfold, then decode encoded words (RFC 2047) as a mail client shows them
    .split(/\r?\n/)
    .map(decodeHeaderWords);
  return [...headers, '', msg.text.trimEnd(), ...files, ''].join('\n');
}


export async function run(argv: string[], io: CliIo = processIo): Promise<number> {
  let exitCode = 0;
  const program = new Command('secintake')
    .description('security-intake on this machine: a local SMTP inbound, DynamoDB (dynalite), the report workflow and a movable clock')
    .option('--data <dir>', 'data folder (reports, raw mail, outbox, clock)', '.data')
    .option('--config <file>', 'deployment config (projects, addresses, timers)', DEFAULT_CONFIG)
    .version(version(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(add --help for usage)');

  const g = (): GlobalOptions => {
    const o = program.opts<{ data: string; config: string }>();
    const data = path.resolve(o.data);
    const explicit = program.getOptionValueSource('config') === 'cli';
    // a data folder remembers the config `start` ran it with: every other command uses that one by default
    const a = program.opts<{ aws?: boolean; profile?: string; region?: string; stack: string }>();
    return {
      data,
      config: explicit ? path.resolve(o.config) : (rememberedConfig(data) ?? path.resolve(o.config)),
      configExplicit: explicit,
      ...(a.aws ? { aws: { stack: a.stack, region: a.region, profile: a.profile } } : {}),
    };
  };
  // commander passes the arguments, then the options, then the command
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const act = <A extends any[]>(fn: (...args: A) => Promise<number | void>) =>
    async (...args: A) => {
      exitCode = (await fn(...args)) ?? 0;
    };
  const json = (v: unknown) => io.out(jsonSafe(JSON.stringify(v, null, 2)) + '\n');
  // what may quote mail (subjects, addresses, reasons, bodies) goes through this, never io.out directly
  const show = (text: string) => io.out(terminalSafe(text));

  program
    .command('start')
    .description('run the whole system here until Ctrl-C: SMTP inbound, DynamoDB, workflows, outbox, control API')
    .option('--port <n>', 'SMTP port on 127.0.0.1 (0: any free port)', '2525')
    .option('--relay <host:port>', 'also deliver outbound mail to this SMTP server (e.g. a mail catcher)')
    .option('--dns <file>', 'JSON file of DNS records for offline SPF/DKIM/DMARC checks')
    .option('--trust-local-senders', 'treat all local mail as DMARC PASS (lets anyone act as a maintainer: testing only)')
    .option('--control-port <n>', 'control API port, loopback only (0: any free port); it needs the token the stack writes to <data>/control.token (0600)', '0')
    .action(act((o: { port: string; relay?: string; dns?: string; trustLocalSenders?: boolean; controlPort: string }) => commands().then((c) => c.startCommand(g(), o, io))));

  program
    .command('send <file>')
    .description('deliver a .eml file to the running stack over SMTP, like a mail client')
    .option('--from <addr>', 'envelope sender (default: the From address of the file)')
    .option('--to <addr>', 'envelope recipient (default: our addresses in To/Cc, else the first security address)')
    .option('--port <n>', 'SMTP port (default: the running stack\'s, from <data>/stack.json)')
    .action(act((file: string, o: { from?: string; to?: string; port?: string }) => commands().then((c) => c.sendCommand(g(), file, o, io))));

  program
    .command('import <paths...>')
    .description('run saved mail through intake: .eml files, folders (recursively), mbox files (split on "From " lines)')
    .option('--json', 'one JSON object per message, then a summary line')
    .option('--to <addr>', 'recipient when a message names none of our addresses (default: the first security address)')
    .option('--send-receipts', 'send receipts to the reporters of imported reports, and the maintainers one digest of those still open (default: no mail at all)')
    .action(
      act(async (paths: string[], o: { json?: boolean; to?: string; sendReceipts?: boolean }) => {
        let n = 0;
        let failed = 0;
        const summary = await withStack(g(), silentLogger, (ops) =>
          ops.import(paths.map((p) => path.resolve(p)), { to: o.to, sendReceipts: o.sendReceipts === true }, (r) => {
            n++;
            if (r.outcome === 'failed') failed++;
            if (o.json) {
              const { file, outcome, reportId, checks, reason, sesMessageId, duplicate } = r;
              io.out(jsonSafe(JSON.stringify({ file, outcome, reportId, checks, reason, sesMessageId, ...(duplicate ? { duplicate } : {}) })) + '\n');
            } else show(importLine(r));
            if (n % 50 === 0) io.err(`imported ${n} messages...\n`);
          }),
        );
        if (o.json) io.out(jsonSafe(JSON.stringify({ summary })) + '\n');
        else io.err(`${summary.messages} messages: ${Object.entries(summary.outcomes).map(([k, v]) => `${v} ${k}`).join(', ') || 'none'}\n`);
        if (failed) io.err(`${failed} failed; their raw mail is stored: secintake replay <sesMessageId>\n`);
        return failed ? 1 : 0;
      }),
    );

  program
    .command('promote <ref>')
    .description('open a report from held mail (a bounce, auto-reply or list mail that belonged to no report), by the reference in the held-mail digest')
    .action(act(async (ref: string) => {
      const r = await withStack(g(), silentLogger, (ops) => ops.promote(ref));
      show(r.ok ? `${r.ref}: ${r.already ? 'already promoted to' : 'opened as'} report ${r.reportId} (no receipt: it looked automatic; the maintainers got its notice)\n` : '');
    }));

  program
    .command('reports')
    .description('list reports, oldest first; with a filter, soonest next deadline first')
    .option('--json', 'print JSON')
    .option('--open', 'only reports not closed or disclosed')
    .option('--overdue', 'only reports with a promise whose date passed without the action')
    .option('--project <id>', 'only this project')
    .option('--owner <address>', "only reports this maintainer owns")
    .option('--status <s>', 'only these statuses (comma-separated)')
    .option('--since <date>', 'only reports received on or after this date (2026-11-01, or an ISO instant)')
    .action(act(async (o: { json?: boolean } & import('./report-filters').ReportFilterOptions) => {
      let reports = await withReader(g(), (ops) => ops.reports());
      const f = await import('./report-filters');
      if (f.filtering(o)) reports = f.filterReports(reports, o);
      if (o.json) json(reports);
      else if (!reports.length && f.filtering(o)) io.out('No report matches.\n');
      else show(reportsText(reports));
    }));

  program
    .command('show <id>')
    .description('one report: deadlines, messages, audit events, outbox')
    .option('--json', 'print JSON')
    .action(act(async (id: string, o: { json?: boolean }) => {
      const view = await withReader(g(), (ops) => ops.show(id));
      if (o.json) json(view);
      else show(showText(view));
    }));

  const clock = program.command('clock').description('the local clock: timers fire as it moves (forward only)');
  clock.command('now').description('print the local time').action(act(async () => {
    io.out(`${(await withReader(g(), (ops) => ops.clockNow())).now}\n`);
  }));
  clock
    .command('advance <duration>')
    .description('move forward (72h, 90m, 7d, 2bd); every timer due on the way fires once, in order')
    .action(act(async (d: string) => {
      const m = await withStack(g(), silentLogger, (ops) => ops.clockAdvance(d));
      io.out(`clock moved from ${m.from} to ${m.to}\n`);
    }));
  clock
    .command('set <iso>')
    .description('move forward to an instant (ISO 8601); earlier instants are refused')
    .action(act(async (iso: string) => {
      const m = await withStack(g(), silentLogger, (ops) => ops.clockSet(iso));
      io.out(`clock moved from ${m.from} to ${m.to}\n`);
    }));

  program
    .command('replay [sesMessageId]')
    .description('run intake again on a stored message whose processing failed (or was never recorded); with --aws: the failed intakes waiting on the stack\'s failure queue (all, or --message-id)')
    .option('--force', 'run it again even though it was processed')
    .option('--message-id <id>', 'the SES message ID to replay (same as the argument)')
    .option('--yes', 'with --aws: replay without asking')
    .option('--list', 'with --aws: only list the failed intakes waiting on the queue')
    .action(act(async (arg: string | undefined, o: { force?: boolean; messageId?: string; yes?: boolean; list?: boolean }) => {
      const gl = g();
      if (arg && o.messageId && arg !== o.messageId) throw new UserError('give the SES message ID once: as the argument or as --message-id', 2);
      if (gl.aws) return (await import('./aws-commands')).awsReplayCommand(gl, { ...o, messageId: o.messageId ?? arg }, io);
      const id = o.messageId ?? arg;
      if (!id) throw new UserError('replay needs the SES message ID of a stored message (secintake doctor lists those whose intake did not finish)', 2);
      const r = await withStack(gl, silentLogger, (ops) => ops.replay(id, o.force === true));
      show(`${r.outcome}${r.reportId ? ` ${r.reportId}` : ''}: ${r.reason}\n`);
    }));

  const outbox = program
    .command('outbox')
    .description('mail the stack sent (kept as .eml files)')
    .option('--json', 'print JSON')
    .option('--report <id>', 'only the mail of this report')
    .option('--kind <kind>', 'only mail of this kind (the KIND column: receipt, notice, relay, weekly-digest, ...)')
    .action(act(async (o: { json?: boolean; report?: string; kind?: string }) => {
      if (g().aws) return (await import('./aws-commands')).awsOutboxCommand(g(), o, io);
      let files = await withReader(g(), (ops) => ops.outbox());
      if (o.report) {
        const { normalizeReportId } = await import('../../core/report-id');
        const id = normalizeReportId(o.report) ?? o.report;
        files = files.filter((f) => f.reportId === id);
      }
      if (o.kind) files = files.filter((f) => f.kind === o.kind);
      if (o.json) json(files);
      else show(outboxText(files));
    }));
  outbox
    .command('show <n>')
    .description('print message N of the outbox listing: its headers and its text, decoded')
    .option('--raw', 'print the .eml exactly as stored (MIME encoded), into a file or pipe only')
    .action(act(async (n: string, o: { raw?: boolean }) => {
      if (!/^\d+$/.test(n)) throw new UserError(`${JSON.stringify(n)} is not a message number (secintake outbox lists them)`, 2);
      if (o.raw && io.isTerminal?.()) {
        throw new UserError('--raw prints the exact bytes, escape sequences included: send them to a file (secintake outbox show N --raw > mail.eml)', 2);
      }
      const { raw } = await withReader(g(), (ops) => ops.outboxShow(Number(n)));
      if (o.raw) io.out(raw);
      else show(await readable(raw));
    }));

  // issue 14: what the local GitHub stand-in holds
  program
    .command('github')
    .description('what the local GitHub stand-in holds: issues, security advisories, releases, with their text')
    .option('--json', 'print JSON')
    .action(act(async (o: { json?: boolean }) => {
      const { readFile } = await import('node:fs/promises');
      let state: { issues: any[]; advisories: any[]; releases: any[] };
      try {
        state = JSON.parse(await readFile(path.join(g().data, 'github-standin.json'), 'utf8'));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        state = { issues: [], advisories: [], releases: [] };
      }
      if (o.json) return json(state);
      const lines: string[] = [];
      const block = (head: string, text: string | null | undefined) => lines.push(head, ...(text ?? '').split('\n').map((l) => `    ${l}`), '');
      for (const i of state.issues) block(`issue ${i.repo}#${i.number} (${i.state}) ${i.html_url}\n  ${i.title}`, [i.body, ...i.comments_list.map((c: any) => `-- comment:\n${c.body}`)].join('\n'));
      for (const a of state.advisories) block(`advisory ${a.repo} ${a.ghsa_id} (${a.state}${a.cve_id ? `, ${a.cve_id}` : ''}) ${a.html_url}\n  ${a.summary}`, a.description);
      for (const r of state.releases) block(`release ${r.repo} ${r.tag_name} (${r.draft ? 'draft' : 'published'}) ${r.html_url}\n  ${r.name ?? ''}`, r.body);
      show(lines.length ? lines.join('\n') : 'the GitHub stand-in holds nothing yet\n');
    }));

  // issue 19: how well the promises were kept
  program
    .command('sla')
    .description('how well each project kept its promises: compliance, p50/p90 times, per period, with a small chart')
    .option('--project <id>', 'one project only')
    .option('--since <date>', 'only reports received since this date (YYYY-MM-DD, UTC, or an ISO 8601 instant)')
    .option('--period <kind>', 'week, month or quarter, in the project\'s time zone', 'month')
    .option('--json', 'print JSON: {projects: [{id, period, received, promises: [{name, due, met, compliance, p50Ms, p90Ms}]}], totals, reports}')
    .option('--html <file>', 'write a self-contained page (inline SVG) with the trend of each promise and the distribution of times')
    .action(act(async (o: SlaCommandOptions) => (await import('./sla-command')).slaCommand(g(), o, io)));
  addCaseCommands(program, { g, act, io, show });

  program
    .command('doctor')
    .description('check the config, the data folder, the SMTP port, and that open reports have running workflows')
    .option('--port <n>', 'SMTP port start would use', '2525')
    .option('--repair', 'replay every inbound message whose intake did not finish (a crash, a failure): pending receipts and notices are sent, nothing twice')
    .action(act(async (o: { port: string; repair?: boolean }) => {
      const safeIo = { ...io, out: (t: string) => io.out(terminalSafe(t)) };
      const a = program.opts<{ aws?: boolean; profile?: string; region?: string; stack: string }>();
      if (a.aws) return (await import('./aws-doctor-command')).awsDoctorCommand(g(), a, safeIo);
      return (await commands()).doctorCommand(g(), o, safeIo);
    }));

  // issue 18: policy import / policy check / security-txt
  addPolicyCommands(program, { io, config: () => g().config, data: () => g().data, act });
  addKeysCommands(program, { io, g, act });

  program.addOption(new Option('--debug', 'print stack traces').hideHelp());
  program
    .option('--aws', 'run against the deployed stack (your AWS credentials) instead of the local data folder: reports, show, raw, attachments, export, outbox, replay, doctor')
    .option('--profile <name>', 'with --aws: the AWS profile (default: the usual AWS credential chain)')
    .option('--region <region>', "with --aws: the region (default: the config's aws.region)")
    .option('--stack <name>', 'with --aws: the CloudFormation stack name', 'SecurityIntake');
  program.hook('preAction', (_, command) => {
    // `keys create|import|export` act on the stack's key secrets with --aws (issue 17)
    if (program.opts<{ aws?: boolean }>().aws && !AWS_COMMANDS.has(command.name()) && command.parent?.name() !== 'keys') {
      throw new UserError(`--aws: ${command.name()} works on the local data folder only; on AWS: ${[...AWS_COMMANDS].join(', ')}`, 2);
    }
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return 0;
      return 2; // commander has printed the usage error
    }
    return reportError(err as Error, io, program.opts<{ debug?: boolean }>().debug === true);
  }
}

function reportError(err: Error, io: CliIo, debug: boolean): number {
  if (debug || process.env.SECINTAKE_DEBUG) io.err(`${err.stack}\n`);
  if (USER_FACING.has(err.name)) {
    io.err(`secintake: ${err.message}\n`);
    return err instanceof UserError ? err.exitCode : 1;
  }
  io.err(`secintake: ${err.name}: ${err.message} (SECINTAKE_DEBUG=1 shows where)\n`);
  return 1;
}
