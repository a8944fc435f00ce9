/**
 * The TransactWriteItems stand-in in front of dynalite (lambdas/adapters/local/dynalite-transactions.ts), through
 * the real AWS SDK: all or nothing, isolated, and failing with the error DynamoDB gives.
 */
import {
  GetItemCommand,
  IdempotentParameterMismatchException,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../../../lambdas/adapters/aws/dynamo-table';
import { localDynamoClient, startDynalite, type DynaliteHandle } from '../../../lambdas/adapters/local/dynalite-server';

const TableName = 'transactions-test';
let dynalite: DynaliteHandle;
let client: DynamoDBClient;

beforeAll(async () => {
  dynalite = await startDynalite();
  client = localDynamoClient(dynalite.endpoint);
  await ensureTable(client, TableName);
});
afterAll(async () => {
  client.destroy();
  await dynalite.close();
});

const key = (pk: string, sk = 'X') => ({ pk: { S: pk }, sk: { S: sk } });
const put = (pk: string, extra: Record<string, { S: string } | { N: string }> = {}): TransactWriteItem => ({ Put: { TableName, Item: { ...key(pk), ...extra } } });
const get = async (pk: string, sk = 'X') => (await client.send(new GetItemCommand({ TableName, Key: key(pk, sk), ConsistentRead: true }))).Item;
const transact = (TransactItems: TransactWriteItem[], ClientRequestToken?: string) =>
  client.send(new TransactWriteItemsCommand({ TransactItems, ...(ClientRequestToken ? { ClientRequestToken } : {}) }));
async function cancelled(p: Promise<unknown>): Promise<TransactionCanceledException> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(TransactionCanceledException);
  return err as TransactionCanceledException;
}

test('applies every action: Put, Update, Delete; a ConditionCheck writes nothing', async () => {
  await client.send(new PutItemCommand({ TableName, Item: { ...key('ok-upd'), n: { N: '1' } } }));
  await client.send(new PutItemCommand({ TableName, Item: key('ok-del') }));
  await client.send(new PutItemCommand({ TableName, Item: { ...key('ok-chk'), v: { S: 'keep' } } }));
  await transact([
    { ...put('ok-new', { v: { S: 'new' } }), Put: { ...put('ok-new', { v: { S: 'new' } }).Put!, ConditionExpression: 'attribute_not_exists(pk)' } },
    { Update: { TableName, Key: key('ok-upd'), UpdateExpression: 'ADD n :one', ConditionExpression: 'n = :one', ExpressionAttributeValues: { ':one': { N: '1' } } } },
    { Delete: { TableName, Key: key('ok-del'), ConditionExpression: 'attribute_exists(pk)' } },
    { ConditionCheck: { TableName, Key: key('ok-chk'), ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': { S: 'keep' } } } },
    { ConditionCheck: { TableName, Key: key('ok-absent'), ConditionExpression: 'attribute_not_exists(pk)' } },
  ]);
  expect((await get('ok-new'))?.v).toEqual({ S: 'new' });
  expect((await get('ok-upd'))?.n).toEqual({ N: '2' });
  expect(await get('ok-del')).toBeUndefined();
  expect(await get('ok-chk')).toEqual({ ...key('ok-chk'), v: { S: 'keep' } });
  expect(await get('ok-absent')).toBeUndefined();
});

test('a failed condition cancels the whole transaction: every earlier action is undone; the error is DynamoDB\'s', async () => {
  await client.send(new PutItemCommand({ TableName, Item: { ...key('rb-upd'), n: { N: '5' } } }));
  await client.send(new PutItemCommand({ TableName, Item: { ...key('rb-taken'), owner: { S: 'first' } } }));
  await client.send(new PutItemCommand({ TableName, Item: { ...key('rb-del'), v: { S: 'still here' } } }));
  const err = await cancelled(
    transact([
      put('rb-new'),
      { Update: { TableName, Key: key('rb-upd'), UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } } },
      { Delete: { TableName, Key: key('rb-del') } },
      {
        Put: {
          TableName,
          Item: { ...key('rb-taken'), owner: { S: 'second' } },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      put('rb-after'),
    ]),
  );
  expect(err.name).toBe('TransactionCanceledException');
  expect(err.$metadata.httpStatusCode).toBe(400);
  expect(err.message).toBe('Transaction cancelled, please refer cancellation reasons for specific reasons [None, None, None, ConditionalCheckFailed, None]');
  expect(err.CancellationReasons).toEqual([
    { Code: 'None' },
    { Code: 'None' },
    { Code: 'None' },
    { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: { ...key('rb-taken'), owner: { S: 'first' } } },
    { Code: 'None' },
  ]);
  expect(await get('rb-new')).toBeUndefined();
  expect((await get('rb-upd'))?.n).toEqual({ N: '5' });
  expect((await get('rb-del'))?.v).toEqual({ S: 'still here' });
  expect((await get('rb-taken'))?.owner).toEqual({ S: 'first' });
  expect(await get('rb-after')).toBeUndefined();
});

test('a failed ConditionCheck cancels too, naming every failed condition', async () => {
  await client.send(new PutItemCommand({ TableName, Item: key('cc-exists') }));
  const err = await cancelled(
    transact([
      { ConditionCheck: { TableName, Key: key('cc-exists'), ConditionExpression: 'attribute_not_exists(pk)' } },
      put('cc-new'),
      { ConditionCheck: { TableName, Key: key('cc-absent'), ConditionExpression: 'attribute_exists(pk)' } },
    ]),
  );
  expect(err.CancellationReasons?.map((r) => r.Code)).toEqual(['ConditionalCheckFailed', 'None', 'ConditionalCheckFailed']);
  expect(err.CancellationReasons?.[0]).not.toHaveProperty('Item');
  expect(await get('cc-exists')).toEqual(key('cc-exists'));
  expect(await get('cc-new')).toBeUndefined();
  expect(await get('cc-absent')).toBeUndefined();
});

test('an invalid action (not a condition) undoes the earlier ones and answers ValidationException', async () => {
  const err = await transact([put('inv-new'), { Update: { TableName, Key: key('inv-upd'), UpdateExpression: 'SET #a = :v', ExpressionAttributeValues: { ':v': { S: 'x' } } } }]).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(err?.name).toBe('ValidationException');
  expect(await get('inv-new')).toBeUndefined();
});

test("DynamoDB's limits: 1 to 100 actions, one action per item", async () => {
  const names = async (p: Promise<unknown>) => ((await p.then(() => undefined, (e: Error) => e)) as Error | undefined)?.name;
  expect(await names(transact([]))).toBe('ValidationException');
  expect(await names(transact(Array.from({ length: 101 }, (_, i) => put(`lim-${i}`))))).toBe('ValidationException');
  expect(await get('lim-0')).toBeUndefined();
  const same = await transact([put('lim-same'), { Delete: { TableName, Key: key('lim-same') } }]).then(() => undefined, (e: Error) => e);
  expect(same?.name).toBe('ValidationException');
  expect(same?.message).toBe('Transaction request cannot include multiple operations on one item');
  await transact(Array.from({ length: 100 }, (_, i) => put(`lim-${i}`)));
  expect(await get('lim-99')).toBeDefined();
});

test('isolated: concurrent readers see none or all of a transaction, and a concurrent write lands before or after it', async () => {
  for (let round = 0; round < 4; round++) {
    const pk = `iso-${round}`;
    const items = Array.from({ length: 60 }, (_, i): TransactWriteItem => ({ Put: { TableName, Item: key(pk, `item-${String(i).padStart(2, '0')}`) } }));
    // the transaction requires the guard to be absent; a plain write of the guard races it
    const guard: TransactWriteItem = { ConditionCheck: { TableName, Key: key(`${pk}-guard`), ConditionExpression: 'attribute_not_exists(pk)' } };
    const counts: number[] = [];
    let done = false;
    const readers = Array.from({ length: 3 }, async () => {
      while (!done) {
        const out = await client.send(new QueryCommand({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: pk } }, ConsistentRead: true }));
        counts.push(out.Count ?? 0);
      }
    });
    const txn = transact([...items, guard]).then(() => 'applied', () => 'cancelled');
    const racer = client.send(new PutItemCommand({ TableName, Item: key(`${pk}-guard`) }));
    const [outcome] = await Promise.all([txn, racer]);
    done = true;
    await Promise.all(readers);
    const final = (await client.send(new QueryCommand({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: pk } }, ConsistentRead: true }))).Count;
    expect(final).toBe(outcome === 'applied' ? 60 : 0);
    expect(counts.length).toBeGreaterThan(0);
    for (const c of counts) expect([0, 60]).toContain(c);
    expect(await get(`${pk}-guard`)).toBeDefined();
  }
});

test('ClientRequestToken: the same request again is not applied twice; another request under the token is refused', async () => {
  await client.send(new PutItemCommand({ TableName, Item: { ...key('tok'), n: { N: '0' } } }));
  const add: TransactWriteItem[] = [{ Update: { TableName, Key: key('tok'), UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } } }];
  await transact(add, 'token-1');
  await transact(add, 'token-1');
  expect((await get('tok'))?.n).toEqual({ N: '1' });
  const err = await transact([put('tok-other')], 'token-1').then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(IdempotentParameterMismatchException);
  await transact(add, 'token-2');
  expect((await get('tok'))?.n).toEqual({ N: '2' });
});

test('ReturnConsumedCapacity: two write units per KB of each item, as AWS bills a transactional write', async () => {
  const out = await client.send(
    new TransactWriteItemsCommand({
      TransactItems: [put('cap-small'), put('cap-large', { v: { S: 'x'.repeat(1500) } })],
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  // 1 KB and 2 KB as single writes: 1 + 2 units; in a transaction twice that
  expect(out.ConsumedCapacity).toEqual([{ TableName, CapacityUnits: 6 }]);
});
