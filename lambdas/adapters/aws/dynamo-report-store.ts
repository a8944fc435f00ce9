/**
 * ReportStore on one DynamoDB table (layout in ports/report-store.ts). Every write is idempotent on its own:
 * deterministic keys, conditional creates, optimistic updates on `version`. Two writes are transactions
 * (TransactWriteItems: createReportWith, appendAndRecordInbound), each item of which costs AWS two write units.
 */
import { ConditionalCheckFailedException, type CancellationReason, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
  type QueryCommandInput,
  type ScanCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { REPORT_STATUSES, type AuditEvent, type InboundRecord, type MessageRecord, type OutboxItem, type Report, type ReportStatus } from '../../core/report';
import { ReportIdTaken, VersionConflict, type ReportItems, type ReportStore } from '../../ports/report-store';
import { heldHour, type HeldMessage } from '../../core/held';
import { EXPIRES_AT, GSI_BY_PROJECT } from './dynamo-table';

export { TABLE_SCHEMA, GSI_BY_PROJECT, ensureTable } from './dynamo-table';

type Item = Record<string, unknown>;

const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk'];
// BatchWriteItem takes at most 25 puts, BatchGetItem at most 100 keys (DynamoDB API limits).
const BATCH_WRITE_MAX = 25;
const BATCH_GET_MAX = 100;
const UNPROCESSED_RETRIES = 8;
// TransactWriteItems takes at most 100 actions; a transaction meeting another on an item is cancelled with
// TransactionConflict (AWS only: the local stand-in serializes them) and is tried again, a few times.
const TRANSACTION_MAX = 100;
const CONFLICT_RETRIES = 5;

export class OutboxItemNotFound extends Error {
  override readonly name = 'OutboxItemNotFound';
  constructor(readonly reportId: string, readonly outboxId: string) {
    super(`no outbox item ${outboxId} on report ${reportId}: record it with putOutbox before marking it sent`);
  }
}

/** Unprocessed items still left after the retries (sustained throttling): the caller's retry repeats the write. */
export class BatchIncomplete extends Error {
  override readonly name = 'BatchIncomplete';
  constructor(readonly operation: string, readonly left: number) {
    super(`${operation}: ${left} items still unprocessed after ${UNPROCESSED_RETRIES} retries (throttled); retry later`);
  }
}

const reportKey = (id: string) => ({ pk: `REPORT#${id}`, sk: 'META' });
const inboundKey = (sesMessageId: string) => ({ pk: `INBOUND#${sesMessageId}`, sk: 'INBOUND' });
const messageIdKey = (messageId: string) => ({ pk: `MSGID#${messageId}`, sk: 'MSGID' });
const outboxKey = (reportId: string, id: string) => ({ pk: `REPORT#${reportId}`, sk: `OUTBOX#${id}` });

/** GSI keys: reports of one project and status, soonest deadline first (reports without one by arrival). */
function reportItem(report: Report): Item {
  return {
    ...report,
    ...reportKey(report.id),
    gsi1pk: `PROJECT#${report.project}#${report.status}`,
    gsi1sk: `${report.nextDueAt ?? report.createdAt}#${report.id}`,
  };
}

function withoutKeys<T>(item: Item): T {
  const copy: Item = { ...item };
  for (const name of KEY_ATTRIBUTES) delete copy[name];
  return copy as T;
}

const claimKey = (key: string) => ({ pk: `CLAIM#${key}`, sk: 'CLAIM' });

/** The cancellation reasons of a cancelled transaction; undefined for any other error. */
function cancellationReasons(err: unknown): CancellationReason[] | undefined {
  if ((err as { name?: string })?.name !== 'TransactionCanceledException') return undefined;
  return (err as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
}

/** The table items of a message's records, one per key (the last of a key wins, as written in sequence). */
function itemsOf(items: ReportItems): Item[] {
  const puts: Item[] = [
    ...(items.outbox ?? []).map((o) => ({ ...o, ...outboxKey(o.reportId, o.id) })),
    ...(items.messages ?? []).map((m) => ({ ...m, pk: `REPORT#${m.reportId}`, sk: `MSG#${m.at}#${m.id}` })),
    ...(items.threadIndex ?? []).map((t) => ({ ...messageIdKey(t.messageId), reportId: t.reportId })),
    ...(items.events ?? []).map((e) => ({ ...e, pk: `REPORT#${e.reportId}`, sk: `EVENT#${e.at}#${e.key}` })),
  ];
  // a batch or a transaction may not name one key twice (ValidationException)
  return [...new Map(puts.map((item) => [`${item.pk}\u0000${item.sk}`, item])).values()];
}

const isConditionFailure = (err: unknown) =>
  err instanceof ConditionalCheckFailedException || (err as { name?: string })?.name === 'ConditionalCheckFailedException';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DynamoReportStore implements ReportStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(opts: { client: DynamoDBClient; tableName: string }) {
    this.doc = DynamoDBDocumentClient.from(opts.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = opts.tableName;
  }

  async getInbound(sesMessageId: string): Promise<InboundRecord | undefined> {
    return this.getItem<InboundRecord>(inboundKey(sesMessageId));
  }

  async putInbound(record: InboundRecord): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...record, ...inboundKey(record.sesMessageId) } }));
  }

  /** A Scan: fine for the local store and a small table; a busy table wants a sparse GSI on failures. */
  async listFailedInbound(): Promise<InboundRecord[]> {
    const items = await this.scanAll({
      FilterExpression: 'begins_with(pk, :p) AND #state = :failed',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':p': 'INBOUND#', ':failed': 'failed' },
    });
    return items.map((item) => withoutKeys<InboundRecord>(item)).sort((a, b) => a.at.localeCompare(b.at));
  }

  async createReport(report: Report): Promise<'created' | 'exists'> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: reportItem(report),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'created';
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    const existing = await this.getReport(report.id);
    if (existing && existing.origin === report.origin) return 'exists';
    throw new ReportIdTaken(report.id);
  }

  async getReport(id: string): Promise<Report | undefined> {
    return this.getItem<Report>(reportKey(id));
  }

  /** Read, merge, conditional put: the put succeeds only if nobody wrote the report since `expectedVersion`.
   *  A whole-item put (not UpdateItem) keeps the GSI keys consistent with status and nextDueAt in one write. */
  async updateReport(id: string, expectedVersion: number, patch: Partial<Report>): Promise<Report> {
    const current = await this.getReport(id);
    if (!current || current.version !== expectedVersion) throw new VersionConflict(id);
    const next: Report = { ...current, ...patch, id, project: current.project, version: expectedVersion + 1 };
    // a patch key present with `undefined` removes the attribute (e.g. clearing nextDueAt or the token)
    for (const [key, value] of Object.entries(patch)) if (value === undefined) delete (next as unknown as Item)[key];
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: reportItem(next),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new VersionConflict(id);
      throw err;
    }
    return next;
  }

  async listReports(filter: { project?: string; status?: ReportStatus[] } = {}): Promise<Report[]> {
    if (filter.project !== undefined) {
      const items: Item[] = [];
      for (const status of filter.status ?? REPORT_STATUSES) {
        items.push(
          ...(await this.queryAll({
            IndexName: GSI_BY_PROJECT,
            KeyConditionExpression: 'gsi1pk = :g',
            ExpressionAttributeValues: { ':g': `PROJECT#${filter.project}#${status}` },
          })),
        );
      }
      // soonest deadline first across the statuses asked for
      items.sort((a, b) => String(a.gsi1sk).localeCompare(String(b.gsi1sk)));
      return items.map((item) => withoutKeys<Report>(item));
    }
    const values: Item = { ':meta': 'META' };
    let statusFilter = '';
    if (filter.status) {
      filter.status.forEach((status, i) => (values[`:s${i}`] = status));
      statusFilter = ` AND #status IN (${filter.status.map((_, i) => `:s${i}`).join(', ')})`;
      if (filter.status.length === 0) return [];
    }
    const items = await this.scanAll({
      FilterExpression: `sk = :meta${statusFilter}`,
      ExpressionAttributeValues: values,
      ...(filter.status ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
    });
    return items
      .map((item) => withoutKeys<Report>(item))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async appendToReport(items: ReportItems): Promise<void> {
    const unique = itemsOf(items);
    for (let i = 0; i < unique.length; i += BATCH_WRITE_MAX) {
      let requests = unique.slice(i, i + BATCH_WRITE_MAX).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > UNPROCESSED_RETRIES) throw new BatchIncomplete('appendToReport', requests.length);
        if (attempt > 0) await pause(Math.min(50 * 2 ** attempt, 2000));
        const out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
        requests = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      }
    }
  }

  /** One BatchGetItem (consistent) when there is a claim to read, a GetItem otherwise. */
  async getReportAndClaim(reportId: string, claim?: string): Promise<{ report?: Report; claimOwner?: string }> {
    if (claim === undefined) return { report: await this.getReport(reportId) };
    let keys: Item[] = [reportKey(reportId), claimKey(claim)];
    const found: Item[] = [];
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > UNPROCESSED_RETRIES) throw new BatchIncomplete('getReportAndClaim', keys.length);
      if (attempt > 0) await pause(Math.min(50 * 2 ** attempt, 2000));
      const out = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }));
      found.push(...(out.Responses?.[this.tableName] ?? []));
      keys = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Item[];
    }
    const meta = found.find((i) => i.sk === 'META');
    const held = found.find((i) => i.sk === 'CLAIM');
    return {
      ...(meta ? { report: withoutKeys<Report>(meta) } : {}),
      ...(held ? { claimOwner: String(held.owner) } : {}),
    };
  }

  async createReportWith(report: Report, opts: { claim?: { key: string; owner: string }; items: ReportItems }): Promise<'created' | 'exists' | { claimedBy: string }> {
    const { claim } = opts;
    const actions: NonNullable<TransactWriteCommandInput['TransactItems']> = [
      ...(claim
        ? [{
            Put: {
              TableName: this.tableName,
              Item: { ...claimKey(claim.key), owner: claim.owner },
              ConditionExpression: 'attribute_not_exists(pk) OR #owner = :owner',
              ExpressionAttributeNames: { '#owner': 'owner' },
              ExpressionAttributeValues: { ':owner': claim.owner },
            },
          }]
        : []),
      { Put: { TableName: this.tableName, Item: reportItem(report), ConditionExpression: 'attribute_not_exists(pk)' } },
      ...itemsOf(opts.items).map((Item) => ({ Put: { TableName: this.tableName, Item } })),
    ];
    const reasons = await this.transact(actions);
    if (!reasons) return 'created';
    const failed = (i: number) => reasons[i]?.Code === 'ConditionalCheckFailed';
    if (claim && failed(0)) {
      const held = await this.getItem<{ owner: string }>(claimKey(claim.key));
      if (held && held.owner !== claim.owner) return { claimedBy: held.owner };
    }
    if (failed(claim ? 1 : 0)) {
      const existing = await this.getReport(report.id);
      if (existing && existing.origin === report.origin) return 'exists';
      throw new ReportIdTaken(report.id);
    }
    throw new Error(`createReportWith ${report.id}: transaction cancelled (${reasons.map((r) => r.Code).join(', ')})`);
  }

  async appendAndRecordInbound(items: ReportItems, record: InboundRecord): Promise<void> {
    const reasons = await this.transact([
      ...itemsOf(items).map((Item) => ({ Put: { TableName: this.tableName, Item } })),
      { Put: { TableName: this.tableName, Item: { ...record, ...inboundKey(record.sesMessageId) } } },
    ]);
    if (reasons) throw new Error(`appendAndRecordInbound: transaction cancelled (${reasons.map((r) => r.Code).join(', ')})`);
  }

  /** One TransactWriteItems; undefined when applied, the cancellation reasons when a condition failed. A
   *  cancellation by a conflicting transaction (TransactionConflict, AWS only) is tried again, with a pause. */
  private async transact(actions: NonNullable<TransactWriteCommandInput['TransactItems']>): Promise<CancellationReason[] | undefined> {
    if (actions.length > TRANSACTION_MAX) throw new Error(`a transaction of ${actions.length} actions (at most ${TRANSACTION_MAX})`);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.doc.send(new TransactWriteCommand({ TransactItems: actions }));
        return undefined;
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (!reasons) throw err;
        if (!reasons.some((r) => r.Code === 'TransactionConflict')) return reasons;
        if (attempt >= CONFLICT_RETRIES) throw err;
        await pause(Math.min(20 * 2 ** attempt, 500) * (0.5 + Math.random()));
      }
    }
  }

  async listMessages(reportId: string): Promise<MessageRecord[]> {
    return (await this.queryPrefix(reportId, 'MSG#')).map((item) => withoutKeys<MessageRecord>(item));
  }

  async listEvents(reportId: string): Promise<AuditEvent[]> {
    return (await this.queryPrefix(reportId, 'EVENT#')).map((item) => withoutKeys<AuditEvent>(item));
  }

  async findReportByMessageIds(messageIds: string[]): Promise<string | undefined> {
    const unique = [...new Set(messageIds.filter((id) => id.length > 0))];
    const found = new Map<string, string>();
    for (let i = 0; i < unique.length; i += BATCH_GET_MAX) {
      let keys: Item[] = unique.slice(i, i + BATCH_GET_MAX).map(messageIdKey);
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > UNPROCESSED_RETRIES) throw new BatchIncomplete('findReportByMessageIds', keys.length);
        if (attempt > 0) await pause(Math.min(50 * 2 ** attempt, 2000));
        const out = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }));
        for (const item of out.Responses?.[this.tableName] ?? []) {
          found.set(String(item.pk).slice('MSGID#'.length), String(item.reportId));
        }
        keys = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Item[];
      }
    }
    // BatchGet answers in no particular order: the caller's order decides
    for (const id of messageIds) if (found.has(id)) return found.get(id);
    return undefined;
  }

  async putOutbox(item: OutboxItem): Promise<'created' | 'exists'> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...item, ...outboxKey(item.reportId, item.id) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'created';
    } catch (err) {
      if (isConditionFailure(err)) return 'exists';
      throw err;
    }
  }

  async getOutbox(reportId: string, id: string): Promise<OutboxItem | undefined> {
    return this.getItem<OutboxItem>(outboxKey(reportId, id));
  }

  async markOutboxSent(reportId: string, id: string, providerId: string, sentAt: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: outboxKey(reportId, id),
          UpdateExpression: 'SET #state = :sent, sentAt = :at, providerId = :pid',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':sent': 'sent', ':at': sentAt, ':pid': providerId },
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new OutboxItemNotFound(reportId, id);
      throw err;
    }
  }

  /** One report's outbox by Query; all outboxes by Scan (local `secintake` use, small tables). */
  async listOutbox(reportId?: string): Promise<OutboxItem[]> {
    const items =
      reportId !== undefined
        ? await this.queryPrefix(reportId, 'OUTBOX#')
        : await this.scanAll({ FilterExpression: 'begins_with(sk, :o)', ExpressionAttributeValues: { ':o': 'OUTBOX#' } });
    return items
      .map((item) => withoutKeys<OutboxItem>(item))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async claimOnce(key: string, owner: string): Promise<string> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...claimKey(key), owner },
          ConditionExpression: 'attribute_not_exists(pk) OR #owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
      return owner;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const held = await this.getItem<{ owner: string }>(claimKey(key));
      return held?.owner ?? owner;
    }
  }

  async setExpiry(reportId: string, expiry: { records: number; audit: number } | undefined): Promise<void> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `REPORT#${reportId}` },
      ConsistentRead: true,
    });
    const keys: { key: Item; audit: boolean }[] = items.map((item) => ({
      key: { pk: item.pk, sk: item.sk },
      audit: item.sk === 'META' || String(item.sk).startsWith('EVENT#'),
    }));
    for (const item of items) {
      if (String(item.sk).startsWith('MSG#') && typeof item.messageId === 'string') keys.push({ key: messageIdKey(item.messageId), audit: false });
    }
    for (const { key, audit } of keys) {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          // only items that exist: a thread index entry never written is not created by this
          ConditionExpression: 'attribute_exists(pk)',
          UpdateExpression: expiry ? 'SET #ttl = :ttl' : 'REMOVE #ttl',
          ExpressionAttributeNames: { '#ttl': EXPIRES_AT },
          ...(expiry ? { ExpressionAttributeValues: { ':ttl': audit ? expiry.audit : expiry.records } } : {}),
        }),
      ).catch((err: unknown) => {
        if (!isConditionFailure(err)) throw err;
      });
    }
  }

  /**
   * What DynamoDB's TTL does on AWS, for dynalite, which never expires anything: deletes every item whose
   * `expiresAt` (epoch seconds) has passed. The local stack runs it when its clock moves. Returns how many.
   */
  async deleteExpired(nowSeconds: number): Promise<number> {
    const expired = await this.scanAll({
      FilterExpression: '#ttl <= :now',
      ExpressionAttributeNames: { '#ttl': EXPIRES_AT },
      ExpressionAttributeValues: { ':now': nowSeconds },
      ProjectionExpression: 'pk, sk',
    });
    for (let i = 0; i < expired.length; i += BATCH_WRITE_MAX) {
      let requests = expired.slice(i, i + BATCH_WRITE_MAX).map((Key) => ({ DeleteRequest: { Key } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > UNPROCESSED_RETRIES) throw new BatchIncomplete('deleteExpired', requests.length);
        if (attempt > 0) await pause(Math.min(50 * 2 ** attempt, 2000));
        const out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
        requests = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      }
    }
    return expired.length;
  }

  async incrementCounter(key: string, window: string, by = 1): Promise<number> {
    const out = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `RATE#${key}#${window}`, sk: 'RATE' },
        UpdateExpression: 'ADD #count :one',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': by },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(out.Attributes?.count ?? 0);
  }

  async putHeld(held: HeldMessage): Promise<void> {
    // two plain puts, each idempotent: a crash between them is repaired by the retry
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...held, pk: `HELDHOUR#${held.project}#${heldHour(held.heldAt)}`, sk: held.ref } }));
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...held, pk: `HELD#${held.ref}`, sk: 'HELD' } }));
  }

  async getHeld(ref: string): Promise<HeldMessage | undefined> {
    return this.getItem<HeldMessage>({ pk: `HELD#${ref}`, sk: 'HELD' });
  }

  async listHeld(project: string, hour: string): Promise<HeldMessage[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `HELDHOUR#${project}#${hour}` },
      ConsistentRead: true,
    });
    return items.map((item) => withoutKeys<HeldMessage>(item)).sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.ref.localeCompare(b.ref));
  }

  private async getItem<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return out.Item ? withoutKeys<T>(out.Item) : undefined;
  }

  private queryPrefix(reportId: string, prefix: string): Promise<Item[]> {
    return this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `REPORT#${reportId}`, ':prefix': prefix },
      ConsistentRead: true,
    });
  }

  private async queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: start }));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private async scanAll(input: Omit<ScanCommandInput, 'TableName'>): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await this.doc.send(new ScanCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: start }));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
