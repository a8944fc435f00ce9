/**
 * DynamoDB on this machine: dynalite (DynamoDB's API on LevelDB) on a loopback port, reached by the unchanged
 * AWS SDK client through an endpoint override, so the same repository code runs locally and on AWS.
 * dynalite has no TransactWriteItems: the stand-in of dynalite-transactions.ts runs them in front of it.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { addTransactions } from './dynalite-transactions';

// dynalite ships no types; this is the part of its API we use.
type DynaliteFactory = (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number; path?: string }) => Server;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as DynaliteFactory;

export interface DynaliteHandle {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  close(): Promise<void>;
}

/** Starts dynalite on a free loopback port. With `path` the tables persist in a LevelDB folder; without, in memory. */
export async function startDynalite(opts: { path?: string } = {}): Promise<DynaliteHandle> {
  // createTableMs 0: tables are ACTIVE at once (real DynamoDB takes seconds; nothing here waits for it).
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: opts.path });
  addTransactions(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // keep-alive sockets of SDK clients would keep close() waiting forever
        server.closeAllConnections?.();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/**
 * A DynamoDB client for a local endpoint: static fake credentials and a fixed region, so the SDK never walks
 * its credential provider chain (no instance metadata or SSO lookups, no network beyond loopback).
 */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
}
