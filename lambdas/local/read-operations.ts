/**
 * The local read operations: app/read-operations.ts's report reads, plus the outbox folder (the .eml files the
 * local stack sent). Nothing here starts a stand-in: the CLI runs them on dynalite's files directly
 * (adapters/local/dynalite-files.ts) when no stack is running, and the running stack on its own store.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { reportReads, summarize, type ReportReadDeps } from '../app/read-operations';
import { listOutboxFolder } from '../adapters/local/outbox-folder-list';
import type { StackOperations } from './stack-operations';
import { UserError } from './user-error';

export { summarize };

export interface ReadDeps extends ReportReadDeps {
  outboxDir: string;
}

export type ReadOperations = Pick<StackOperations, 'reports' | 'show' | 'clockNow' | 'outbox' | 'outboxShow'>;

export function readOperations(deps: ReadDeps): ReadOperations {
  const outboxFiles = () => listOutboxFolder(deps.outboxDir);
  const { reports, show, clockNow } = reportReads(deps);
  return {
    reports,
    show,
    clockNow,
    outbox: outboxFiles,
    async outboxShow(n) {
      const files = await outboxFiles();
      const item = files.find((f) => f.n === n);
      if (!item) throw new UserError(`no outbox message ${n} (there are ${files.length}; secintake outbox lists them)`);
      const file = path.join(deps.outboxDir, item.file);
      return { file, raw: await fs.readFile(file, 'utf8') };
    },
  };
}
