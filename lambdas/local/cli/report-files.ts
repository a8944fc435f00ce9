/**
 * The original and the whole case of one report: `raw` (a stored message exactly as received), `attachments`
 * (the reporter's files, under safe names) and `export` (one archive: every stored .eml byte for byte, the
 * record and the audit trail as JSON, a summary). They need only `show` and the raw-mail store, so they work the
 * same on the local data folder and, through the same ports, wherever those come from.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Config } from '../../core/config';
import type { MessageRecord } from '../../core/report';
import type { MailParser } from '../../ports/mail-parser';
import type { RawMailStore } from '../../ports/raw-mail-store';
import type { ReportView } from '../stack-operations';
import { UserError } from '../user-error';
import { RecordIncomplete, cveRecord, osvRecord, type RecordOptions } from '../../core/vulnerability-records';
import { safeFileName } from './safe-file-name';
import type { ArchiveFile } from './tar-archive';
import { terminalSafe } from './terminal-safe';

export interface CaseSource {
  show(id: string): Promise<ReportView>;
  raw: RawMailStore;
}

/** The messages of a report whose raw bytes are stored (what was received), oldest first, numbered from 1. */
export function storedMessages(view: ReportView): MessageRecord[] {
  return view.messages.filter((m) => m.rawKey).sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export async function rawMessage(src: CaseSource, id: string, n: number): Promise<{ view: ReportView; message: MessageRecord; bytes: Buffer }> {
  const view = await src.show(id);
  const stored = storedMessages(view);
  const message = stored[n - 1];
  if (!message) {
    throw new UserError(`report ${view.report.id} has ${stored.length} stored message(s); ask for 1..${stored.length} (secintake show ${view.report.id} lists them)`, 2);
  }
  return { view, message, bytes: await bytesOf(await src.raw.get(message.rawKey!)) };
}

export interface SavedAttachment {
  message: number;
  file: string;
  contentType: string;
  size: number;
  sha256: string;
}

/** Every attachment of every stored message, under a name that is safe here (see safe-file-name.ts). */
export async function reportAttachments(
  src: CaseSource,
  id: string,
  parser: MailParser,
  limits: Config['limits'],
): Promise<{ view: ReportView; files: (SavedAttachment & { content: Buffer })[] }> {
  const view = await src.show(id);
  const used = new Set<string>();
  const files: (SavedAttachment & { content: Buffer })[] = [];
  const stored = storedMessages(view);
  for (let i = 0; i < stored.length; i++) {
    const parsed = await parser.parse(await src.raw.get(stored[i].rawKey!), { limits, keepAttachmentContent: true });
    parsed.attachments.forEach((a, k) => {
      const content = a.content ?? Buffer.alloc(0);
      const file = safeFileName(a.filename, `attachment-${i + 1}-${k + 1}.bin`, used);
      files.push({ message: i + 1, file, contentType: a.contentType, size: content.length, sha256: sha256(content), content });
    });
  }
  return { view, files };
}

/** The archive of one report: a summary, the record, the audit trail, and every stored message as received. */
export async function exportReport(src: CaseSource, id: string, now: Date): Promise<ArchiveFile[]> {
  const view = await src.show(id);
  const r = view.report;
  const dir = r.id;
  const stored = storedMessages(view);
  const emls: { name: string; body: Buffer; message: MessageRecord }[] = [];
  for (let i = 0; i < stored.length; i++) {
    const body = await bytesOf(await src.raw.get(stored[i].rawKey!));
    emls.push({ name: `messages/${String(i + 1).padStart(3, '0')}-${stored[i].direction}.eml`, body, message: stored[i] });
  }
  const manifest = emls.map((e) => ({ file: e.name, sesMessageId: e.message.id, rawKey: e.message.rawKey, at: e.message.at, bytes: e.body.length, sha256: sha256(e.body) }));
  const record = { report: r, deadlines: view.deadlines, messages: view.messages, outbox: view.outbox };
  const summary = [
    `Report ${r.id}, exported ${now.toISOString()}`,
    '',
    `Project:   ${r.project}`,
    `Status:    ${r.status}${r.closeReason ? ` (${r.closeReason})` : ''}`,
    `Subject:   ${r.subject}`,
    `Reporter:  ${r.reporter.name ? `${r.reporter.name} <${r.reporter.address}>` : r.reporter.address}`,
    `Received:  ${r.createdAt} at ${r.securityAddress}`,
    ...(r.embargo ? [`Embargo:   until ${r.embargo.until}`] : []),
    ...(r.severity || r.cve ? [`Severity:  ${r.severity ?? '-'}   CVE: ${r.cve ?? '-'}`] : []),
    '',
    'Deadlines:',
    ...view.deadlines.map((d) => `  ${d.name.padEnd(12)} ${d.dueAt}  ${d.metAt ? `met at ${d.metAt}` : d.state}`),
    '',
    'Files:',
    '  report.json     the record: report, deadlines, every message record, the outbox',
    '  audit.json      the audit trail: every event, in order',
    '  manifest.json   each stored message: its file, SES message ID, size and sha256',
    ...manifest.map((m) => `  ${m.file}  ${m.at}  ${m.bytes} bytes  sha256 ${m.sha256}`),
    '',
    'Each .eml is the stored message byte for byte, exactly as received (the source of truth; the record was',
    'derived from it). Check one with: sha256sum messages/001-in.eml',
    '',
  ].join('\n');
  const mtime = now;
  const json = (v: unknown) => Buffer.from(JSON.stringify(v, null, 2) + '\n');
  return [
    // mail-derived text in a file a person will `cat`: no escape sequences
    { name: `${dir}/README.txt`, body: Buffer.from(terminalSafe(summary)), mtime },
    { name: `${dir}/report.json`, body: json(record), mtime },
    { name: `${dir}/audit.json`, body: json(view.events), mtime },
    { name: `${dir}/manifest.json`, body: json(manifest), mtime },
    ...emls.map((e) => ({ name: `${dir}/${e.name}`, body: e.body, mtime })),
  ];
}

export type RecordFormat = 'osv' | 'cve';

/** `export --format osv|cve`: the record others consume, built from the facts (core/vulnerability-records.ts). */
export async function exportRecord(src: Pick<CaseSource, 'show'>, id: string, format: RecordFormat, opts: RecordOptions = {}): Promise<Record<string, unknown>> {
  const view = await src.show(id);
  try {
    return format === 'osv' ? osvRecord(view.report, view.events, opts) : cveRecord(view.report, view.events, opts);
  } catch (err) {
    if (err instanceof RecordIncomplete) throw new UserError(`${view.report.id}: ${err.message}`, 2);
    throw err;
  }
}
