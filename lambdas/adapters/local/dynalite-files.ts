/**
 * The reports in a local data folder, read straight from dynalite's LevelDB files, for CLI commands that only
 * read: no DynamoDB stand-in, no HTTP, no AWS SDK, so `secintake reports` answers in a blink. Writes always go
 * through dynalite (DynamoReportStore), which owns this layout; test/adapters/dynalite-files.test.ts holds the
 * two readings of the same data against each other.
 *
 * dynalite 4 keeps one LevelDB (JSON values, DynamoDB attribute values) with keys
 *   item-<table>~<hash6>/<hex pk>/<hex sk>/      a table item; hash6 = md5('Outliers' + pk)[0..6]
 *   index-global~<table>~<index>~...            a GSI entry (byProject projects ALL: the whole item)
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { AuditEvent, InboundRecord, MessageRecord, OutboxItem, Report, ReportStatus } from '../../core/report';
import type { ReportStore } from '../../ports/report-store';

/** = GSI_BY_PROJECT of adapters/aws/dynamo-table.ts, not imported from there: that module loads the AWS SDK. */
export const GSI_BY_PROJECT = 'byProject';

type AttributeValue = Record<string, unknown>;
type Item = Record<string, unknown>;

/** The reads the CLI's read-only commands make. */
export type ReportReader = Pick<ReportStore, 'getReport' | 'listReports' | 'listMessages' | 'listEvents' | 'listOutbox' | 'getInbound' | 'listFailedInbound'>;

interface LevelLike {
  open(): Promise<void>;
  close(): Promise<void>;
  get(key: string): Promise<unknown>;
  values(opts: { gte: string; lt: string }): AsyncIterable<unknown> & { all(): Promise<unknown[]> };
}

const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');
const hashPrefix = (pk: string) => createHash('md5').update('Outliers').update(Buffer.from(pk, 'utf8')).digest('hex').slice(0, 6);
/** The key range just after every key starting with `prefix`. */
const after = (prefix: string) => prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);

/** DynamoDB attribute values to plain values, as the DocumentClient reads them (numbers as numbers). */
export function fromAttribute(v: AttributeValue): unknown {
  if ('S' in v) return v.S;
  if ('N' in v) return Number(v.N);
  if ('BOOL' in v) return v.BOOL;
  if ('NULL' in v) return null;
  if ('M' in v) return fromItem(v.M as Record<string, AttributeValue>);
  if ('L' in v) return (v.L as AttributeValue[]).map(fromAttribute);
  if ('SS' in v) return new Set(v.SS as string[]);
  if ('NS' in v) return new Set((v.NS as string[]).map(Number));
  if ('B' in v) return Buffer.from(v.B as string, 'base64');
  if ('BS' in v) return new Set((v.BS as string[]).map((b) => Buffer.from(b, 'base64')));
  throw new Error(`unknown attribute value type: ${Object.keys(v).join(',')}`);
}

function fromItem(m: Record<string, AttributeValue>): Item {
  const out: Item = {};
  for (const [k, v] of Object.entries(m)) out[k] = fromAttribute(v);
  return out;
}

function withoutKeys<T>(item: Item): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...rest } = item;
  return rest as T;
}

export class DataFolderInUse extends Error {
  override readonly name = 'DataFolderInUse';
}

/** Opens the LevelDB folder `dir` (dynalite's `path`) if it exists; an absent folder reads as no data. */
export async function openDynaliteFiles(dir: string, tableName: string): Promise<ReportReader & { close(): Promise<void> }> {
  if (!existsSync(dir)) return new DynaliteFiles(undefined, tableName);
  // loaded here, not at the top: only commands that read reports pay for it
  const { Level } = (await import('level')) as unknown as { Level: new (dir: string, o: object) => LevelLike };
  const db = new Level(dir, { valueEncoding: 'json', createIfMissing: false });
  // LevelDB admits one process at a time: a command that writes may hold it for a moment
  for (let attempt = 0; ; attempt++) {
    try {
      await db.open();
      break;
    } catch (err) {
      const cause = String((err as { cause?: Error }).cause?.message ?? (err as Error).message);
      if (!/lock/i.test(cause)) throw err;
      if (attempt >= 20) throw new DataFolderInUse(`the data folder is in use by another secintake process (${dir}); wait for it, or stop it`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return new DynaliteFiles(db, tableName);
}

class DynaliteFiles implements ReportReader {
  constructor(private readonly db: LevelLike | undefined, private readonly table: string) {}

  async close(): Promise<void> {
    await this.db?.close();
  }

  private async item<T>(pk: string, sk: string): Promise<T | undefined> {
    if (!this.db) return undefined;
    const value = (await this.db.get(`item-${this.table}~${hashPrefix(pk)}/${hex(pk)}/${hex(sk)}/`)) as Record<string, AttributeValue> | undefined;
    return value ? withoutKeys<T>(fromItem(value)) : undefined;
  }

  private async range(prefix: string): Promise<Item[]> {
    if (!this.db) return [];
    const values = (await this.db.values({ gte: prefix, lt: after(prefix) }).all()) as Record<string, AttributeValue>[];
    return values.map(fromItem);
  }

  /** The items of one partition whose sort key starts with `skPrefix`, in sort key order (as a Query). */
  private async partition(pk: string, skPrefix: string): Promise<Item[]> {
    return this.range(`item-${this.table}~${hashPrefix(pk)}/${hex(pk)}/${hex(skPrefix)}`);
  }

  getInbound(sesMessageId: string): Promise<InboundRecord | undefined> {
    return this.item<InboundRecord>(`INBOUND#${sesMessageId}`, 'INBOUND');
  }

  async listFailedInbound(): Promise<InboundRecord[]> {
    return (await this.range(`item-${this.table}~`))
      .filter((i) => String(i.pk).startsWith('INBOUND#') && i.state === 'failed')
      .map((i) => withoutKeys<InboundRecord>(i))
      .sort((a, b) => a.at.localeCompare(b.at));
  }

  getReport(id: string): Promise<Report | undefined> {
    return this.item<Report>(`REPORT#${id}`, 'META');
  }

  /** Every report is in the byProject index (projection ALL): one range read, no scan of the messages. */
  async listReports(filter: { project?: string; status?: ReportStatus[] } = {}): Promise<Report[]> {
    const all = (await this.range(`index-global~${this.table}~${GSI_BY_PROJECT}~`)).map((i) => withoutKeys<Report>(i));
    return all
      .filter((r) => (filter.project === undefined || r.project === filter.project) && (!filter.status || filter.status.includes(r.status)))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async listMessages(reportId: string): Promise<MessageRecord[]> {
    return (await this.partition(`REPORT#${reportId}`, 'MSG#')).map((i) => withoutKeys<MessageRecord>(i));
  }

  async listEvents(reportId: string): Promise<AuditEvent[]> {
    return (await this.partition(`REPORT#${reportId}`, 'EVENT#')).map((i) => withoutKeys<AuditEvent>(i));
  }

  async listOutbox(reportId?: string): Promise<OutboxItem[]> {
    const items = reportId !== undefined
      ? await this.partition(`REPORT#${reportId}`, 'OUTBOX#')
      : (await this.range(`item-${this.table}~`)).filter((i) => String(i.sk).startsWith('OUTBOX#'));
    return items
      .map((i) => withoutKeys<OutboxItem>(i))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }
}
