import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoReportStore, OutboxItemNotFound, ensureTable } from '../../lambdas/adapters/aws/dynamo-report-store';
import { RequestCounter } from '../../lambdas/adapters/aws/request-counter';
import { localDynamoClient, startDynalite, type DynaliteHandle } from '../../lambdas/adapters/local/dynalite-server';
import { ReportIdTaken, VersionConflict } from '../../lambdas/ports/report-store';
import type { AuditEvent, MessageRecord, OutboxItem, Report } from '../../lambdas/core/report';

const TABLE = 'security-intake-test';

function report(id: string, over: Partial<Report> = {}): Report {
  return {
    id,
    project: 'bases',
    status: 'received',
    reporter: { address: 'reporter@example.org', name: 'Rita' },
    subject: 'Heap overflow in decode()',
    createdAt: '2027-03-12T21:02:00.000Z',
    origin: `ses-${id}`,
    securityAddress: 'security@bases.example',
    fired: [],
    version: 1,
    ...over,
  };
}

function message(reportId: string, id: string, at: string): MessageRecord {
  return {
    reportId,
    at,
    id,
    direction: 'in',
    from: { address: 'reporter@example.org' },
    to: ['security@bases.example'],
    role: 'reporter',
    subject: 'Heap overflow',
    checks: [{ name: 'human', result: 'pass', reason: 'no automatic markers' }],
    excerpt: 'decode() overflows',
    attachments: [],
  };
}

function event(reportId: string, at: string, key: string): AuditEvent {
  return { reportId, at, key, type: 'status', actor: 'system', detail: { to: 'received' } };
}

function outbox(reportId: string, id: string): OutboxItem {
  return {
    id,
    reportId,
    kind: 'receipt',
    to: ['reporter@example.org'],
    state: 'pending',
    createdAt: '2027-03-12T21:02:01.000Z',
    messageId: `${id}@bases.example`,
    subject: '[security report #K7QM-2XPD] Heap overflow',
  };
}

describe('DynamoReportStore against dynalite', () => {
  let dynalite: DynaliteHandle;
  let client: DynamoDBClient;
  let store: DynamoReportStore;
  const counter = new RequestCounter();

  beforeAll(async () => {
    dynalite = await startDynalite();
    client = localDynamoClient(dynalite.endpoint);
    client.middlewareStack.use(counter.plugin());
    await ensureTable(client, TABLE);
    store = new DynamoReportStore({ client, tableName: TABLE });
  });
  afterAll(async () => {
    client.destroy();
    await dynalite.close();
  });

  it('ensureTable is idempotent and creates the byProject GSI', async () => {
    await ensureTable(client, TABLE);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
    expect(Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName)).toEqual(['byProject']);
  });

  it('records inbound outcomes and lists the failed ones', async () => {
    expect(await store.getInbound('m-1')).toBeUndefined();
    await store.putInbound({ sesMessageId: 'm-1', state: 'failed', reason: 'parse', rawKey: 'inbound/m-1', at: '2027-01-01T00:00:02Z', attempts: 1 });
    await store.putInbound({ sesMessageId: 'm-2', state: 'done', outcome: 'report', reportId: 'R1', rawKey: 'inbound/m-2', at: '2027-01-01T00:00:01Z' });
    await store.putInbound({ sesMessageId: 'm-0', state: 'failed', reason: 'timeout', rawKey: 'inbound/m-0', at: '2027-01-01T00:00:00Z' });
    expect(await store.getInbound('m-2')).toEqual(expect.objectContaining({ state: 'done', reportId: 'R1' }));
    expect((await store.listFailedInbound()).map((r) => r.sesMessageId)).toEqual(['m-0', 'm-1']);
    // the last write wins: a retry that succeeds replaces the failure record
    await store.putInbound({ sesMessageId: 'm-1', state: 'done', outcome: 'followup', reportId: 'R1', rawKey: 'inbound/m-1', at: '2027-01-01T00:01:00Z' });
    expect((await store.listFailedInbound()).map((r) => r.sesMessageId)).toEqual(['m-0']);
  });

  it('creates a report once: a retry from the same origin is "exists", another origin is ReportIdTaken', async () => {
    const r = report('AAAA-0001', { rootMessageId: 'root@example.org', embargo: undefined });
    expect(await store.createReport(r)).toBe('created');
    expect(await store.createReport(r)).toBe('exists');
    await expect(store.createReport({ ...r, origin: 'someone-else' })).rejects.toBeInstanceOf(ReportIdTaken);
    expect(await store.getReport('AAAA-0001')).toEqual(
      expect.objectContaining({ id: 'AAAA-0001', origin: 'ses-AAAA-0001', rootMessageId: 'root@example.org' }),
    );
    expect(await store.getReport('NOPE-0000')).toBeUndefined();
  });

  it('concurrent creates from the same origin give one report', async () => {
    const r = report('AAAA-0002');
    const results = await Promise.all(Array.from({ length: 8 }, () => store.createReport({ ...r })));
    expect(results.filter((x) => x === 'created')).toHaveLength(1);
    expect(results.filter((x) => x === 'exists')).toHaveLength(7);
  });

  it('updates optimistically: bumps the version, rejects a stale version, removes undefined fields', async () => {
    await store.createReport(report('AAAA-0003', { nextDueAt: '2027-03-13T21:02:00.000Z', workflow: { token: 't1' } }));
    const updated = await store.updateReport('AAAA-0003', 1, { status: 'acknowledged', acknowledgedAt: '2027-03-13T10:00:00.000Z' });
    expect(updated).toEqual(expect.objectContaining({ version: 2, status: 'acknowledged', acknowledgedAt: '2027-03-13T10:00:00.000Z' }));
    await expect(store.updateReport('AAAA-0003', 1, { severity: 'high' })).rejects.toBeInstanceOf(VersionConflict);
    await expect(store.updateReport('NOPE-0001', 1, { severity: 'high' })).rejects.toBeInstanceOf(VersionConflict);

    const cleared = await store.updateReport('AAAA-0003', 2, { workflow: undefined, nextDueAt: undefined });
    expect(cleared.workflow).toBeUndefined();
    const stored = await store.getReport('AAAA-0003');
    expect(stored).toEqual(cleared);
    expect(stored).not.toHaveProperty('nextDueAt');
    expect(stored).not.toHaveProperty('gsi1pk');
  });

  it('of two concurrent updates from the same version, exactly one wins', async () => {
    await store.createReport(report('AAAA-0004'));
    const outcomes = await Promise.allSettled([
      store.updateReport('AAAA-0004', 1, { severity: 'high' }),
      store.updateReport('AAAA-0004', 1, { severity: 'low' }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult | undefined;
    expect(rejected?.reason).toBeInstanceOf(VersionConflict);
    expect((await store.getReport('AAAA-0004'))?.version).toBe(2);
  });

  it('lists a project by status through the GSI, soonest deadline first, and follows status changes', async () => {
    await store.createReport(report('LIST-0001', { project: 'listing', nextDueAt: '2027-04-03T00:00:00.000Z' }));
    await store.createReport(report('LIST-0002', { project: 'listing', nextDueAt: '2027-04-01T00:00:00.000Z' }));
    await store.createReport(report('LIST-0003', { project: 'listing', status: 'triaged', nextDueAt: '2027-04-02T00:00:00.000Z' }));
    await store.createReport(report('LIST-0004', { project: 'other' }));

    const ids = async (filter: Parameters<DynamoReportStore['listReports']>[0]) => (await store.listReports(filter)).map((r) => r.id);
    expect(await ids({ project: 'listing' })).toEqual(['LIST-0002', 'LIST-0003', 'LIST-0001']);
    expect(await ids({ project: 'listing', status: ['received'] })).toEqual(['LIST-0002', 'LIST-0001']);

    // a status change and a new deadline move the report in the index
    await store.updateReport('LIST-0001', 1, { status: 'triaged', nextDueAt: '2027-03-30T00:00:00.000Z' });
    expect(await ids({ project: 'listing', status: ['received'] })).toEqual(['LIST-0002']);
    expect(await ids({ project: 'listing', status: ['triaged'] })).toEqual(['LIST-0001', 'LIST-0003']);
    expect((await store.listReports({ project: 'listing', status: ['triaged'] }))[0]).not.toHaveProperty('gsi1sk');

    // without a project: a scan of report items only
    const all = await ids(undefined);
    expect(all).toEqual(expect.arrayContaining(['LIST-0001', 'LIST-0004', 'AAAA-0001']));
    expect(all.every((id) => /^[A-Z]{4}-\d{4}$/.test(id))).toBe(true);
    expect(await ids({ status: ['triaged'] })).toEqual(['LIST-0001', 'LIST-0003']);
    expect(await ids({ status: [] })).toEqual([]);
  });

  it('appends messages, thread index and events in one batch request, in time order, idempotently', async () => {
    counter.reset();
    const items = {
      messages: [message('AAAA-0001', 'ses-2', '2027-03-12T22:00:00.000Z'), message('AAAA-0001', 'ses-1', '2027-03-12T21:02:00.000Z')],
      threadIndex: [{ messageId: 'first@example.org', reportId: 'AAAA-0001' }],
      events: [event('AAAA-0001', '2027-03-12T21:02:00.000Z', 'created'), event('AAAA-0001', '2027-03-12T21:02:00.000Z', 'status:received')],
    };
    await store.appendToReport(items);
    expect(counter.byCommand()).toEqual({ BatchWriteItemCommand: 1 });
    await store.appendToReport(items); // a retry overwrites, never duplicates

    expect((await store.listMessages('AAAA-0001')).map((m) => m.id)).toEqual(['ses-1', 'ses-2']);
    expect(await store.listEvents('AAAA-0001')).toEqual([items.events[0], items.events[1]]);
    expect(await store.listMessages('NOPE-0002')).toEqual([]);
  });

  it('appends more than 25 items across batches, and a duplicate key in one call does not fail it', async () => {
    const events = Array.from({ length: 60 }, (_, i) => event('BULK-0001', `2027-03-12T21:${String(i).padStart(2, '0')}:00.000Z`, `e${i}`));
    await store.appendToReport({ events: [...events, events[0]] });
    expect(await store.listEvents('BULK-0001')).toHaveLength(60);
  });

  it('writes again what DynamoDB left unprocessed (throttling) until all of it is stored', async () => {
    // a client whose BatchWriteItem stores only the first item of each call and hands the rest back as
    // UnprocessedItems, as DynamoDB does under throttling
    const throttled = localDynamoClient(dynalite.endpoint);
    let calls = 0;
    throttled.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'BatchWriteItemCommand') return next(args);
        calls++;
        const input = args.input as { RequestItems: Record<string, unknown[]> };
        const [first, ...rest] = input.RequestItems[TABLE];
        const result = await next({ ...args, input: { ...input, RequestItems: { [TABLE]: [first] } } });
        (result.output as { UnprocessedItems?: unknown }).UnprocessedItems = rest.length ? { [TABLE]: rest } : {};
        return result;
      },
      { step: 'serialize', priority: 'high', name: 'throttleBatchWrite' },
    );
    const throttledStore = new DynamoReportStore({ client: throttled, tableName: TABLE });
    const events = Array.from({ length: 4 }, (_, i) => event('THRO-0001', '2027-03-12T21:00:00.000Z', `e${i}`));
    await throttledStore.appendToReport({ events });
    throttled.destroy();
    expect(calls).toBe(4);
    expect((await store.listEvents('THRO-0001')).map((e) => e.key)).toEqual(['e0', 'e1', 'e2', 'e3']);
  });

  it('finds the report of the first known Message-ID in the given order, with one BatchGet', async () => {
    await store.appendToReport({
      threadIndex: [
        { messageId: 'a@x', reportId: 'AAAA-0001' },
        { messageId: 'b@x', reportId: 'AAAA-0002' },
      ],
    });
    counter.reset();
    expect(await store.findReportByMessageIds(['unknown@x', 'b@x', 'a@x'])).toBe('AAAA-0002');
    expect(counter.byCommand()).toEqual({ BatchGetItemCommand: 1 });
    expect(await store.findReportByMessageIds(['a@x', 'b@x', 'a@x'])).toBe('AAAA-0001');
    expect(await store.findReportByMessageIds(['unknown@x'])).toBeUndefined();
    expect(await store.findReportByMessageIds([])).toBeUndefined();
    const many = Array.from({ length: 150 }, (_, i) => `n${i}@x`).concat('a@x');
    expect(await store.findReportByMessageIds(many)).toBe('AAAA-0001');
  });

  it('records an outbox item once, marks it sent, and lists outboxes', async () => {
    const item = outbox('AAAA-0001', 'receipt-1');
    expect(await store.putOutbox(item)).toBe('created');
    expect(await store.putOutbox({ ...item, subject: 'changed' })).toBe('exists');
    expect(await store.getOutbox('AAAA-0001', 'receipt-1')).toEqual(item);

    await store.markOutboxSent('AAAA-0001', 'receipt-1', 'ses-out-1', '2027-03-12T21:02:05.000Z');
    expect(await store.getOutbox('AAAA-0001', 'receipt-1')).toEqual({ ...item, state: 'sent', providerId: 'ses-out-1', sentAt: '2027-03-12T21:02:05.000Z' });
    await expect(store.markOutboxSent('AAAA-0001', 'nope', 'x', 'y')).rejects.toBeInstanceOf(OutboxItemNotFound);
    expect(await store.getOutbox('AAAA-0001', 'nope')).toBeUndefined();

    await store.putOutbox(outbox('AAAA-0002', 'receipt-2'));
    expect((await store.listOutbox('AAAA-0001')).map((o) => o.id)).toEqual(['receipt-1']);
    expect((await store.listOutbox()).map((o) => o.id)).toEqual(['receipt-1', 'receipt-2']);
  });

  it('counts with ADD, atomically, per key and window', async () => {
    const counts = await Promise.all(Array.from({ length: 5 }, () => store.incrementCounter('reporter@example.org', '2027-03-12T21')));
    expect(counts.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(await store.incrementCounter('reporter@example.org', '2027-03-12T22')).toBe(1);
    expect(await store.incrementCounter('other@example.org', '2027-03-12T21')).toBe(1);
  });
  it('createReportWith: claim, report and items in one transaction, or nothing; says why not', async () => {
    const r = report('TXN1-AAAA');
    const items = { messages: [message(r.id, 'm1', '2027-03-12T21:02:00.000Z')], outbox: [outbox(r.id, 'receipt')], threadIndex: [{ messageId: 'txn1@x', reportId: r.id }] };
    expect(await store.getReportAndClaim(r.id, 'report:txn1')).toEqual({});
    counter.reset();
    expect(await store.createReportWith(r, { claim: { key: 'report:txn1', owner: r.origin }, items })).toBe('created');
    expect(counter.byCommand()).toEqual({ TransactWriteItemsCommand: 1 });
    expect(await store.getReportAndClaim(r.id, 'report:txn1')).toEqual({ report: r, claimOwner: r.origin });
    expect(await store.listMessages(r.id)).toHaveLength(1);
    expect(await store.findReportByMessageIds(['txn1@x'])).toBe(r.id);
    // the same again (a retry): exists; a copy under another delivery: the claim's owner; another origin: taken
    expect(await store.createReportWith(r, { claim: { key: 'report:txn1', owner: r.origin }, items })).toBe('exists');
    const copy = report('TXN1-BBBB', { origin: 'ses-copy' });
    expect(await store.createReportWith(copy, { claim: { key: 'report:txn1', owner: 'ses-copy' }, items: { outbox: [outbox(copy.id, 'receipt')] } })).toEqual({ claimedBy: r.origin });
    expect(await store.getReport(copy.id)).toBeUndefined();
    expect(await store.getOutbox(copy.id, 'receipt')).toBeUndefined();
    await expect(store.createReportWith({ ...r, origin: 'ses-other' }, { items: {} })).rejects.toBeInstanceOf(ReportIdTaken);
    expect(await store.claimOnce('report:txn1', 'someone')).toBe(r.origin);
  });

  it('appendAndRecordInbound: the items and the inbound record in one transaction', async () => {
    const r = report('TXN2-AAAA');
    await store.createReport(r);
    counter.reset();
    await store.appendAndRecordInbound(
      { outbox: [{ ...outbox(r.id, 'notice'), state: 'sent' }], events: [event(r.id, '2027-03-12T21:03:00.000Z', 'mail.sent:notice')] },
      { sesMessageId: 'ses-txn2', state: 'done', outcome: 'report', reportId: r.id, reason: 'new report', rawKey: 'inbound/ses-txn2', at: '2027-03-12T21:03:00.000Z' },
    );
    expect(counter.byCommand()).toEqual({ TransactWriteItemsCommand: 1 });
    expect((await store.getOutbox(r.id, 'notice'))?.state).toBe('sent');
    expect(await store.getInbound('ses-txn2')).toMatchObject({ state: 'done', reportId: r.id });
  });

  it('a transaction cancelled by a conflicting one (AWS: TransactionConflict) is tried again', async () => {
    const conflicted = localDynamoClient(dynalite.endpoint);
    let conflicts = 2;
    conflicted.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand' && conflicts-- > 0) {
          throw Object.assign(new Error('Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict, None]'), {
            name: 'TransactionCanceledException',
            CancellationReasons: [{ Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }, { Code: 'None' }],
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'injectConflict' },
    );
    const other = new DynamoReportStore({ client: conflicted, tableName: TABLE });
    const r = report('TXN3-AAAA');
    expect(await other.createReportWith(r, { claim: { key: 'report:txn3', owner: r.origin }, items: {} })).toBe('created');
    expect(conflicts).toBe(-1);
    expect(await store.getReport(r.id)).toEqual(r);
    conflicted.destroy();
  });
});
