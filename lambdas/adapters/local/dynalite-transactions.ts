/**
 * TransactWriteItems for dynalite, which has none (dynalite 4 answers UnknownOperationException): the stand-in
 * sits in dynalite's own HTTP server, in front of its request handler. Every request goes to dynalite unchanged,
 * except `DynamoDB_20120810.TransactWriteItems`, which runs here under an exclusive gate (requests arriving while
 * it runs wait, and it waits for those already running: isolated, as DynamoDB's serializable transactions):
 *
 * 1. validate what DynamoDB validates before it starts: 1 to 100 actions, exactly one of ConditionCheck, Put,
 *    Update, Delete each, no two actions on one item, at most 4 MB
 * 2. read every item the actions touch (the snapshots)
 * 3. apply each action as the single-item request dynalite understands, with its own condition (a ConditionCheck
 *    as a conditional DeleteItem, always undone), all at once (they touch distinct items)
 * 4. when any condition failed: put every snapshot back and answer as DynamoDB does, HTTP 400
 *    TransactionCanceledException with one CancellationReason per action (`ConditionalCheckFailed` or `None`),
 *    so the AWS SDK throws TransactionCanceledException with `CancellationReasons`. Any other error of an
 *    action (a ValidationException of dynalite's) undoes the same way and is answered as dynalite answered it.
 *
 * `ClientRequestToken` (the SDK fills one in): the same token with the same request within 10 minutes answers
 * success without applying again, with a different request IdempotentParameterMismatchException, as on AWS.
 * `ReturnConsumedCapacity`: twice the write units dynalite counts for each action (AWS bills a transactional
 * write two units per KB of item). Not simulated: TransactionConflict (concurrent transactions here wait for
 * each other instead), throughput limits, a cancelled transaction's units. Loopback only, like dynalite.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type AttributeMap = Record<string, unknown>;
type Listener = (req: IncomingMessage, res: ServerResponse) => void;

const TARGET = 'DynamoDB_20120810.TransactWriteItems';
const MAX_ACTIONS = 100;
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
const TOKEN_TTL_MS = 10 * 60 * 1000;
const INTERNAL_HEADER = 'x-secintake-transaction';
const ERROR_PREFIX = 'com.amazonaws.dynamodb.v20120810#';

/** Readers share, a transaction is alone; a waiting transaction holds back new readers (no starvation). */
class Gate {
  private shared = 0;
  private exclusive = false;
  private waitingExclusive = 0;
  /** Each tries to go and says whether it went. */
  private waiters: Array<() => boolean> = [];

  /** A release function; synchronous when nothing exclusive runs or waits (no extra tick per request). */
  enterShared(): (() => void) | Promise<() => void> {
    if (!this.exclusive && this.waitingExclusive === 0) return this.takeShared();
    return new Promise((resolve) =>
      this.waiters.push(() => {
        if (this.exclusive || this.waitingExclusive > 0) return false;
        resolve(this.takeShared());
        return true;
      }),
    );
  }

  async enterExclusive(): Promise<() => void> {
    if (this.exclusive || this.shared > 0) {
      this.waitingExclusive++;
      await new Promise<void>((resolve) =>
        this.waiters.push(() => {
          if (this.exclusive || this.shared > 0) return false;
          // taken now, synchronously, so no reader slips in before the awaiting code runs
          this.exclusive = true;
          this.waitingExclusive--;
          resolve();
          return true;
        }),
      );
    } else {
      this.exclusive = true;
    }
    return () => {
      this.exclusive = false;
      this.wake();
    };
  }

  private takeShared(): () => void {
    this.shared++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.shared--;
      this.wake();
    };
  }

  /** Lets go every waiter that can, in arrival order. */
  private wake(): void {
    const pending = this.waiters;
    this.waiters = [];
    for (const w of pending) if (!w()) this.waiters.push(w);
  }
}

interface Action {
  kind: 'ConditionCheck' | 'Put' | 'Update' | 'Delete';
  body: AttributeMap & { TableName: string; Key?: AttributeMap; Item?: AttributeMap; ReturnValuesOnConditionCheckFailure?: string };
}

class DynamoError extends Error {
  constructor(readonly status: number, readonly body: AttributeMap) {
    super(String(body.message ?? body.Message ?? body.__type));
  }
}

const validation = (message: string) => new DynamoError(400, { __type: 'com.amazon.coral.validate#ValidationException', message });

/** Installs the stand-in on dynalite's server (before it listens). */
export function addTransactions(server: Server): void {
  const [original] = server.listeners('request') as Listener[];
  if (!original) throw new Error('dynalite server without a request handler');
  server.removeAllListeners('request');
  const secret = randomBytes(16).toString('hex');
  const gate = new Gate();
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  server.once('close', () => agent.destroy());
  const tokens = new Map<string, { hash: string; at: number }>();
  const keySchemas = new Map<string, string[]>();

  /** One request of dynalite's own API, straight to its handler (past the gate). */
  const call = (target: string, body: unknown): Promise<{ status: number; body: AttributeMap }> =>
    new Promise((resolve, reject) => {
      const { port } = server.address() as AddressInfo;
      const payload = JSON.stringify(body);
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/',
          agent,
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'content-length': Buffer.byteLength(payload),
            'x-amz-target': `DynamoDB_20120810.${target}`,
            'x-amz-date': '20200101T000000Z',
            authorization: 'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=local',
            [INTERNAL_HEADER]: secret,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 500, body: text ? (JSON.parse(text) as AttributeMap) : {} });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });

  const ok = async (target: string, body: unknown): Promise<AttributeMap> => {
    const out = await call(target, body);
    if (out.status !== 200) throw new DynamoError(out.status, out.body);
    return out.body;
  };

  const keyOf = async (action: Action): Promise<AttributeMap> => {
    if (action.body.Key) return action.body.Key;
    const table = action.body.TableName;
    let names = keySchemas.get(table);
    if (!names) {
      const described = await ok('DescribeTable', { TableName: table });
      names = ((described.Table as { KeySchema: Array<{ AttributeName: string }> }).KeySchema).map((k) => k.AttributeName);
      keySchemas.set(table, names);
    }
    const item = action.body.Item ?? {};
    const key: AttributeMap = {};
    for (const name of names) {
      if (!(name in item)) throw validation(`One or more parameter values were invalid: Missing the key ${name} in the item`);
      key[name] = item[name];
    }
    return key;
  };

  async function transact(raw: string): Promise<AttributeMap> {
    if (Buffer.byteLength(raw) > MAX_REQUEST_BYTES) throw validation('Transaction request size exceeds the limit of 4 MB');
    let input: { TransactItems?: unknown; ClientRequestToken?: string; ReturnConsumedCapacity?: string };
    try {
      input = JSON.parse(raw) as typeof input;
    } catch {
      throw new DynamoError(400, { __type: 'com.amazon.coral.service#SerializationException' });
    }
    const items = input.TransactItems;
    if (!Array.isArray(items)) throw validation("1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null");
    if (items.length < 1) throw validation("1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1");
    if (items.length > MAX_ACTIONS) {
      throw validation(`1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ACTIONS}`);
    }
    const actions: Action[] = items.map((entry: AttributeMap) => {
      const kinds = (['ConditionCheck', 'Put', 'Update', 'Delete'] as const).filter((k) => entry && entry[k] !== undefined);
      if (kinds.length !== 1) throw validation('TransactItems can only contain one of Check, Put, Update or Delete');
      return { kind: kinds[0]!, body: entry[kinds[0]!] as Action['body'] };
    });
    for (const a of actions) {
      if (a.kind === 'ConditionCheck' && !a.body.ConditionExpression) throw validation('The ConditionCheck action requires a ConditionExpression');
    }

    const token = input.ClientRequestToken;
    const hash = createHash('sha256').update(JSON.stringify(items)).digest('hex');
    if (token !== undefined) {
      const now = Date.now();
      for (const [t, seen] of tokens) if (now - seen.at > TOKEN_TTL_MS) tokens.delete(t);
      const seen = tokens.get(token);
      if (seen && seen.hash !== hash) {
        throw new DynamoError(400, { __type: `${ERROR_PREFIX}IdempotentParameterMismatchException`, message: 'The request uses the same client token as a previous, but non-identical request.' });
      }
      if (seen) return {};
    }

    const keys = await Promise.all(actions.map(keyOf));
    const ids = keys.map((key, i) => `${actions[i]!.body.TableName}\u0000${JSON.stringify(Object.keys(key).sort().map((k) => [k, key[k]]))}`);
    if (new Set(ids).size !== ids.length) throw validation('Transaction request cannot include multiple operations on one item');

    const snapshots = await Promise.all(
      actions.map(async (a, i) => (await ok('GetItem', { TableName: a.body.TableName, Key: keys[i], ConsistentRead: true })).Item as AttributeMap | undefined),
    );
    /** Every touched item back as it was (an untouched one is put back unchanged: harmless). */
    const restore = () =>
      Promise.all(
        actions.map((a, i) => {
          const snapshot = snapshots[i];
          return snapshot ? ok('PutItem', { TableName: a.body.TableName, Item: snapshot }) : ok('DeleteItem', { TableName: a.body.TableName, Key: keys[i] });
        }),
      );

    // AWS bills a transaction's items twice the units of the same single-item writes: summed from dynalite's own
    // count (the larger of the item's old and new size, per started KB)
    const capacity = input.ReturnConsumedCapacity === 'TOTAL' || input.ReturnConsumedCapacity === 'INDEXES';
    const units = new Map<string, number>();
    // the actions touch distinct items (checked above), so they go to dynalite at once; nothing else runs meanwhile
    const outcomes = await Promise.allSettled(
      actions.map((a, i) => {
        const { ReturnValuesOnConditionCheckFailure: _returnOld, ...rest } = a.body;
        const body = capacity ? { ...rest, ReturnConsumedCapacity: 'TOTAL' } : rest;
        if (a.kind === 'Put') return call('PutItem', body);
        if (a.kind === 'Update') return call('UpdateItem', body);
        return call('DeleteItem', { ...body, Key: keys[i] });
      }),
    );
    const reasons: AttributeMap[] = [];
    let failed = false;
    for (const [i, outcome] of outcomes.entries()) {
      const a = actions[i]!;
      if (outcome.status === 'rejected') {
        await restore();
        throw outcome.reason;
      }
      const out = outcome.value;
      if (out.status === 200) {
        reasons.push({ Code: 'None' });
        const consumed = (out.body.ConsumedCapacity as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0;
        units.set(a.body.TableName, (units.get(a.body.TableName) ?? 0) + 2 * Math.max(consumed, 1));
      } else if (String(out.body.__type ?? '').endsWith('#ConditionalCheckFailedException')) {
        failed = true;
        reasons.push({
          Code: 'ConditionalCheckFailed',
          Message: 'The conditional request failed',
          ...(a.body.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && snapshots[i] ? { Item: snapshots[i] } : {}),
        });
      } else {
        await restore();
        throw new DynamoError(out.status, out.body);
      }
    }
    if (failed) {
      await restore();
      throw new DynamoError(400, {
        __type: `${ERROR_PREFIX}TransactionCanceledException`,
        Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
        CancellationReasons: reasons,
      });
    }
    // a ConditionCheck writes nothing: its probe (a conditional delete) is undone
    for (const [i, a] of actions.entries()) {
      if (a.kind !== 'ConditionCheck') continue;
      const snapshot = snapshots[i];
      if (snapshot) await ok('PutItem', { TableName: a.body.TableName, Item: snapshot });
    }
    if (token !== undefined) tokens.set(token, { hash, at: Date.now() });
    return capacity ? { ConsumedCapacity: [...units].map(([TableName, CapacityUnits]) => ({ TableName, CapacityUnits })) } : {};
  }

  const send = (res: ServerResponse, status: number, body: AttributeMap) => {
    const text = JSON.stringify(body);
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/x-amz-json-1.0');
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.setHeader('x-amzn-RequestId', randomBytes(26).toString('hex').toUpperCase());
    res.end(text);
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers[INTERNAL_HEADER] === secret) return original(req, res);
    if (req.headers['x-amz-target'] !== TARGET) {
      const entered = gate.enterShared();
      const go = (release: () => void) => {
        res.once('close', release);
        original(req, res);
      };
      if (typeof entered === 'function') go(entered);
      else void entered.then(go);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const release = await gate.enterExclusive();
        try {
          send(res, 200, await transact(Buffer.concat(chunks).toString('utf8')));
        } catch (err) {
          if (err instanceof DynamoError) send(res, err.status, err.body);
          else send(res, 500, { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: String((err as Error)?.message ?? err) });
        } finally {
          release();
        }
      })();
    });
  });
}
