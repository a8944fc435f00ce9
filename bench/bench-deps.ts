/**
 * The whole local intake path for benchmarks: dynalite through the real SDK (with a request counter), the file
 * raw store, the mailparser adapter. Outbound mail is composed but dropped, and the workflow only counted: the
 * figures are about intake.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deps } from '../lambdas/app/deps';
import type { Config } from '../lambdas/core/config';
import { DynamoReportStore, ensureTable } from '../lambdas/adapters/aws/dynamo-report-store';
import { RequestCounter } from '../lambdas/adapters/aws/request-counter';
import { localDynamoClient, startDynalite } from '../lambdas/adapters/local/dynalite-server';
import { startDynaliteProcess } from './dynalite-process';
import { FsRawStore } from '../lambdas/adapters/local/fs-raw-store';
import { mimeComposer } from '../lambdas/adapters/mime-composer';
import { MailparserParser } from '../lambdas/adapters/mailparser-parser';
import { edges } from './bench-edges';

/** `dynamoProcess`: dynalite runs in a child process (its CPU is not this process's), as DynamoDB runs elsewhere. */
export async function benchDeps(config: Config, opts: { dynamoProcess?: boolean } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'secintake-bench-'));
  const dynamo = opts.dynamoProcess ? await startDynaliteProcess() : await startDynalite();
  const client = localDynamoClient(dynamo.endpoint);
  await ensureTable(client, 'reports');
  const counter = new RequestCounter();
  client.middlewareStack.use(counter.plugin());
  let sent = 0;
  const deps: Deps = {
    config,
    store: new DynamoReportStore({ client, tableName: 'reports' }),
    raw: new FsRawStore(join(dir, 'raw')),
    parser: new MailparserParser(),
    ...edges(mimeComposer, () => ++sent),
  };
  return {
    deps,
    counter,
    sent: () => sent,
    dir,
    async close() {
      client.destroy();
      await dynamo.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
