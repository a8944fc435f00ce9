/**
 * `policy import`, `policy check` and `security-txt` (issue 18): the policy the project already publishes, read
 * into the config, kept in step with it, and published again as security.txt. The reading is pure
 * (core/policy-import/); this file reads files, picks the project and prints.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { Config, Project } from '../../core/config';
import { policyDrift } from '../../core/policy-import/drift';
import { importPolicy, type PolicyProposal } from '../../core/policy-import/import-policy';
import { securityTxt, securityTxtExpires } from '../../core/security-txt';
import { UserError } from '../user-error';
// the config loader (zod) and the stack are loaded by the commands that need them: `secintake reports` loads neither
const loadConfigFile = async (file: string) => (await import('../../adapters/local/config-file')).loadConfigFile(file);
import type { CliIo } from './io';
import { jsonSafe, terminalSafe } from './terminal-safe';

export interface PolicyCliContext {
  io: CliIo;
  /** The data folder (where `secintake keys` keeps the project keys). */
  data?: () => string;
  /** The config file the global options name. */
  config: () => string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  act: <A extends any[]>(fn: (...args: A) => Promise<number | void>) => (...args: A) => Promise<void>;
}

const MAX_FILE_BYTES = 4 * 1024 * 1024;

async function readPolicyFile(file: string): Promise<string> {
  try {
    const stat = await fs.stat(file);
    if (stat.isDirectory()) throw new UserError(`${file} is a directory: name the SECURITY.md file`, 2);
    if (stat.size > MAX_FILE_BYTES) throw new UserError(`${file} is ${stat.size} bytes: a SECURITY.md over 4 MB is not read`);
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

const shorten = (s: string, n = 400) => (s.length > n ? `${s.slice(0, n)}…` : s);

function valueText(v: unknown): string {
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? (x as { text?: string }).text ?? JSON.stringify(x) : String(x))).join('; ');
  if (v && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function at(root: unknown, p: string): unknown {
  return p.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), root);
}

/** The proposal as a person reads it: each value under its sentence, then what is missing and what is unclear. */
export function proposalText(p: PolicyProposal): string {
  const out: string[] = ['Proposed from SECURITY.md (check each value against its sentence):', ''];
  const paths = Object.keys(p.evidence);
  if (!paths.length) out.push('  (nothing: the file states none of the fields below)');
  for (const key of paths) {
    out.push(`  ${key}: ${valueText(at(p.project, key))}`);
    if (p.context[key]) out.push(`      (under "${shorten(p.context[key], 200)}")`);
    out.push(`      "${shorten(p.evidence[key])}"`);
  }
  out.push('', `No promise in the file (${p.noPromise.length}; choose a value and say why in "defaults", or leave it out):`);
  out.push(p.noPromise.length ? `  ${p.noPromise.join(', ')}` : '  (none)');
  out.push('', `Unsure (${p.unsure.length}; a person decides):`);
  if (!p.unsure.length) out.push('  (none)');
  for (const u of p.unsure) out.push(`  - "${shorten(u.sentence)}"`, `    ${u.why}`);
  if (p.ignored.length) {
    out.push('', `Not project promises (${p.ignored.length}):`);
    for (const u of p.ignored) out.push(`  - "${shorten(u.sentence)}"`, `    ${u.why}`);
  }
  out.push('', 'Project fragment (merge into the config):', JSON.stringify(p.project, null, 2), '');
  return out.join('\n');
}

function pickProject(config: Config, id: string | undefined, proposal: PolicyProposal): Project {
  if (id) {
    const p = config.projects.find((x) => x.id === id);
    if (!p) throw new UserError(`no project ${JSON.stringify(id)} in the config (it has: ${config.projects.map((x) => x.id).join(', ')})`, 2);
    return p;
  }
  if (config.projects.length === 1) return config.projects[0];
  const named = new Set((proposal.project.addresses ?? []).map((a) => a.toLowerCase()));
  const matching = config.projects.filter((x) => x.addresses.some((a) => named.has(a.toLowerCase())));
  if (matching.length === 1) return matching[0];
  throw new UserError(`the config has ${config.projects.length} projects: name one with --project (${config.projects.map((x) => x.id).join(', ')})`, 2);
}

export function addPolicyCommands(program: Command, ctx: PolicyCliContext): void {
  const { io, act } = ctx;
  const policy = program.command('policy').description("the project's own SECURITY.md: read it into the config, and check that they still agree");

  policy
    .command('import <file>')
    .description('propose a project config from a SECURITY.md: each value with the sentence it came from; what is not promised, and what a person must decide')
    .option('--project <id>', 'the project id to put in the proposal')
    .option('--json', 'print {"project", "evidence", "noPromise", "unsure", "ignored"}')
    .action(act(async (file: string, o: { project?: string; json?: boolean }) => {
      if (o.project !== undefined && !/^[a-z0-9][a-z0-9-]{0,39}$/.test(o.project)) {
        throw new UserError(`--project ${JSON.stringify(o.project)} is not a project id (a-z, 0-9, -)`, 2);
      }
      const proposal = importPolicy(await readPolicyFile(file), { projectId: o.project });
      if (o.json) io.out(jsonSafe(JSON.stringify(proposal, null, 2)) + '\n');
      else io.out(terminalSafe(proposalText(proposal)));
    }));

  policy
    .command('check <file>')
    .description("compare a SECURITY.md with the project's config (global --config); exit 1 when they differ, for the project's CI")
    .option('--project <id>', 'the project in the config (default: the only one, or the one serving the file\'s address)')
    .action(act(async (file: string, o: { project?: string }) => {
      const proposal = importPolicy(await readPolicyFile(file));
      const config = await loadConfigFile(ctx.config());
      const project = pickProject(config, o.project, proposal);
      const drift = policyDrift(proposal, project);
      const lines: string[] = [];
      for (const d of drift) lines.push(`DRIFT  ${d.path}: ${d.message}${d.quote ? `\n       "${shorten(d.quote)}"` : ''}`);
      for (const u of proposal.unsure) lines.push(`CHECK  "${shorten(u.sentence)}"\n       ${u.why}`);
      lines.push(drift.length ? `${drift.length} difference(s) between ${file} and project ${project.id}` : `ok: ${file} and project ${project.id} agree`);
      io.out(terminalSafe(lines.join('\n') + '\n'));
      return drift.length ? 1 : 0;
    }));

  program
    .command('security-txt')
    .description("write the project's security.txt (RFC 9116) from the config: Contact, Expires, Encryption, Policy...")
    .requiredOption('--project <id>', 'the project')
    .option('-o, --output <file>', 'write to this file (default: print)')
    .option('--sign-key <file>', 'OpenPGP cleartext-sign it with this armored private key (passphrase, if any, in SECINTAKE_KEY_PASSPHRASE)')
    .action(act(async (o: { project: string; output?: string; signKey?: string }) => {
      const config = await loadConfigFile(ctx.config());
      const project = config.projects.find((x) => x.id === o.project);
      if (!project) throw new UserError(`no project ${JSON.stringify(o.project)} in the config (it has: ${config.projects.map((x) => x.id).join(', ')})`, 2);
      // the project's own key, when `secintake keys create|import` made one here, is its Encryption field
      const fingerprint = ctx.data ? await (await import('./keys-command')).projectKeyFingerprint(ctx.data(), project.id) : undefined;
      const plain = securityTxt(project, new Date(), fingerprint);
      const text = o.signKey ? await (await import('./sign-security-txt')).signSecurityTxt(plain, o.signKey) : plain;
      if (o.output) {
        await fs.writeFile(o.output, text);
        io.err(`wrote ${o.output}\n`);
      } else io.out(text);
    }));
}

/** doctor: a security.txt kept at `securityTxt.file` that expires within 30 days (or has) is a problem. */
export async function securityTxtHealth(config: Config, configFile: string, now: Date): Promise<{ ok: string[]; problems: string[] }> {
  const ok: string[] = [];
  const problems: string[] = [];
  for (const p of config.projects) {
    const file = p.securityTxt?.file;
    if (!file) continue;
    const full = path.resolve(path.dirname(configFile), file);
    let text: string;
    try {
      text = await fs.readFile(full, 'utf8');
    } catch {
      problems.push(`security.txt of ${p.id} (${full}) cannot be read: write it with secintake security-txt --project ${p.id} -o ${full}`);
      continue;
    }
    const expires = securityTxtExpires(text);
    const days = expires ? Math.floor((expires.getTime() - now.getTime()) / 86_400_000) : undefined;
    if (days === undefined) problems.push(`security.txt of ${p.id} has no valid Expires field`);
    else if (days < 0) problems.push(`security.txt of ${p.id} expired on ${expires!.toISOString()}: write a new one (secintake security-txt --project ${p.id})`);
    else if (days < 30) problems.push(`security.txt of ${p.id} expires in ${days} day(s) (${expires!.toISOString()}): write a new one (secintake security-txt --project ${p.id})`);
    else ok.push(`security.txt of ${p.id} valid until ${expires!.toISOString()}`);
  }
  return { ok, problems };
}
