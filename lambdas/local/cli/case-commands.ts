/** `raw`, `attachments` and `export`: the original messages and the whole case of one report (report-files.ts). */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../user-error';
import { withReader, type GlobalOptions } from './connect';
import type { CliIo } from './io';
import type { CaseSource } from './report-files';

export interface CaseContext {
  g: () => GlobalOptions;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  act: <A extends any[]>(fn: (...args: A) => Promise<number | void>) => (...args: A) => Promise<void>;
  io: CliIo;
  /** Output that may quote mail: made terminal-safe. */
  show: (text: string) => void;
}

async function localSource(g: GlobalOptions): Promise<CaseSource> {
  if (g.aws) {
    const { ops, raw } = await (await import('./connect')).awsSource(g);
    return { show: (id) => ops.show(id), raw };
  }
  const [{ FsRawStore }, { rawDir }] = await Promise.all([import('../../adapters/local/fs-raw-store'), import('../data-folder')]);
  return { show: (id) => withReader(g, (ops) => ops.show(id)), raw: new FsRawStore(rawDir(g.data)) };
}

/** Written whole, readable by the owner only (reports are confidential until disclosed). */
function writePrivate(file: string, body: Buffer): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, body, { mode: 0o600 });
}

export function addCaseCommands(program: Command, { g, act, io, show }: CaseContext): void {
  program
    .command('raw <id> [n]')
    .description('the Nth stored message of a report (default 1), exactly as received, to a file or a pipe')
    .option('-o, --output <file>', 'write it to this file')
    .action(act(async (id: string, n: string | undefined, o: { output?: string }) => {
      if (n !== undefined && !/^[1-9]\d*$/.test(n)) throw new UserError(`${JSON.stringify(n)} is not a message number (1, 2, ...)`, 2);
      if (!o.output && (io.isTerminal?.() || !io.outBytes)) {
        throw new UserError('raw prints the exact bytes, escape sequences included: give -o FILE or send it to a pipe (secintake raw ID > mail.eml)', 2);
      }
      const { rawMessage } = await import('./report-files');
      const { message, bytes } = await rawMessage(await localSource(g()), id, Number(n ?? 1));
      if (o.output) {
        writePrivate(o.output, bytes);
        io.err(`wrote ${o.output}: ${bytes.length} bytes, received ${message.at}\n`);
      } else io.outBytes!(bytes);
    }));

  program
    .command('attachments <id>')
    .description("save the attachments of a report's stored messages under safe file names (no path from the mail is used)")
    .option('-o, --output <dir>', 'folder to save them in (default: ./<ID>-attachments)')
    .action(act(async (id: string, o: { output?: string }) => {
      const [{ reportAttachments }, { MailparserParser }, { loadConfigCached }] = await Promise.all([
        import('./report-files'),
        import('../../adapters/mailparser-parser'),
        import('../../adapters/local/config-cache'),
      ]);
      const config = await loadConfigCached(g().config, g().data);
      const { view, files } = await reportAttachments(await localSource(g()), id, new MailparserParser(), config.limits);
      const dir = path.resolve(o.output ?? `${view.report.id}-attachments`);
      if (!files.length) return void show(`report ${view.report.id} has no attachments\n`);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      for (const f of files) {
        // flag wx: never overwrite a file that is already there
        writeFileSync(path.join(dir, f.file), f.content, { mode: 0o600, flag: 'wx' });
        show(`${path.join(dir, f.file)}  ${f.contentType}  ${f.size} bytes  sha256 ${f.sha256}  (message ${f.message})\n`);
      }
    }));

  program
    .command('export <id>')
    .description('one archive of a report (tar; .tar.gz when the name ends in .gz): every stored .eml byte for byte, record and audit trail as JSON, a summary; or, with --format osv|cve, the OSV 1.6 or CVE JSON 5.0 record built from its facts')
    .option('-o, --output <file>', 'the file to write, e.g. K7QM-2XPD.tar.gz (an OSV or CVE record without -o is printed)')
    .option('--format <format>', 'tar (default), osv (OSV schema 1.6 JSON) or cve (CVE JSON 5.0 record, CNA container, PUBLISHED)', 'tar')
    .option('--id <id>', 'osv: the record ID when it is not the CVE ID (a prefix OSV knows, e.g. GHSA-...)')
    .option('--org-id <uuid>', "cve: the CNA's organisation UUID (assignerOrgId)")
    .option('--short-name <name>', "cve: the CNA's short name")
    .option('--reference <url>', 'a reference URL (the advisory, the release notes); repeat it for several', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--description <text>', 'replaces the description built from the subject and the facts')
    .action(act(async (id: string, o: { output?: string; format: string; id?: string; orgId?: string; shortName?: string; reference: string[]; description?: string }) => {
      if (o.format === 'osv' || o.format === 'cve') {
        const { exportRecord } = await import('./report-files');
        for (const url of o.reference) {
          if (!/^https?:\/\/[^\s]+$/.test(url)) throw new UserError(`--reference ${JSON.stringify(url)} is not an http(s) URL`, 2);
        }
        const record = await exportRecord(await localSource(g()), id, o.format, {
          ...(o.id ? { id: o.id } : {}),
          ...(o.orgId ? { orgId: o.orgId } : {}),
          ...(o.shortName ? { shortName: o.shortName } : {}),
          ...(o.reference.length ? { references: o.reference } : {}),
          ...(o.description ? { description: o.description } : {}),
        });
        const json = JSON.stringify(record, null, 2) + '\n';
        if (!o.output) return void show(json);
        writePrivate(o.output, Buffer.from(json));
        io.out(`wrote ${o.output}: the ${o.format === 'osv' ? 'OSV 1.6' : 'CVE JSON 5.0'} record of ${id} (${json.length} bytes)\n`);
        return;
      }
      if (o.format !== 'tar') throw new UserError(`--format ${JSON.stringify(o.format)} is not tar, osv or cve`, 2);
      if (!o.output) throw new UserError('the archive needs -o FILE (e.g. -o K7QM-2XPD.tar.gz)', 2);
      const output = o.output;
      const [{ exportReport }, { tarArchive }] = await Promise.all([import('./report-files'), import('./tar-archive')]);
      const files = await exportReport(await localSource(g()), id, new Date());
      const archive = tarArchive(files, /\.t?gz$/i.test(output));
      writePrivate(output, archive);
      const emls = files.filter((f) => f.name.endsWith('.eml')).length;
      io.out(`wrote ${output}: ${emls} message(s) as received, report.json, audit.json, manifest.json, README.txt (${archive.length} bytes)\n`);
    }));
}
