/**
 * The read-only commands read dynalite's files directly: what they read must be exactly what the DynamoDB
 * adapter reads through dynalite, on data written by the real intake.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GSI_BY_PROJECT as AWS_GSI } from '../../lambdas/adapters/aws/dynamo-table';
import { GSI_BY_PROJECT, openDynaliteFiles } from '../../lambdas/adapters/local/dynalite-files';
import { run } from '../../lambdas/local/cli/main';
import { TABLE_NAME, startLocalStack } from '../../lambdas/local/stack';

const ROOT = join(__dirname, '../..');
const quiet = { out: () => {}, err: () => {} };

describe('dynalite files, read directly', () => {
  let data: string;
  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), 'secintake-files-'));
    expect(await run(['--data', data, 'import', join(ROOT, 'examples/mail')], quiet)).toBe(0);
  });
  afterAll(() => rm(data, { recursive: true, force: true }));

  it('reads the same reports, messages, events, outbox and inbound records as DynamoReportStore', async () => {
    const stack = await startLocalStack({ config: join(ROOT, 'examples/bases.json'), data, listen: false, resume: false });
    const viaDynalite = stack.deps.store;
    const reports = await viaDynalite.listReports();
    const expected = {
      reports,
      perReport: await Promise.all(
        reports.map(async (r) => ({
          report: await viaDynalite.getReport(r.id),
          messages: await viaDynalite.listMessages(r.id),
          events: await viaDynalite.listEvents(r.id),
          outbox: await viaDynalite.listOutbox(r.id),
        })),
      ),
      outbox: await viaDynalite.listOutbox(),
      failed: await viaDynalite.listFailedInbound(),
    };
    const firstInbound = expected.perReport[0].messages.find((m) => m.direction === 'in')!.id;
    const inboundRecord = await viaDynalite.getInbound(firstInbound);
    await stack.close();

    const files = await openDynaliteFiles(join(data, 'dynamo'), TABLE_NAME);
    try {
      expect(reports.length).toBeGreaterThanOrEqual(2);
      expect(await files.listReports()).toEqual(expected.reports);
      for (const [i, r] of reports.entries()) {
        expect(await files.getReport(r.id)).toEqual(expected.perReport[i].report);
        expect(await files.listMessages(r.id)).toEqual(expected.perReport[i].messages);
        expect(await files.listEvents(r.id)).toEqual(expected.perReport[i].events);
        expect(await files.listOutbox(r.id)).toEqual(expected.perReport[i].outbox);
      }
      expect(await files.listOutbox()).toEqual(expected.outbox);
      expect(await files.listFailedInbound()).toEqual(expected.failed);
      expect(await files.getInbound(firstInbound)).toEqual(inboundRecord);
      expect(await files.getReport('NONE-XIST')).toBeUndefined();
    } finally {
      await files.close();
    }
    expect(GSI_BY_PROJECT).toBe(AWS_GSI);
  });

  it('an absent folder reads as no data', async () => {
    const files = await openDynaliteFiles(join(data, 'no-such-folder'), TABLE_NAME);
    expect(await files.listReports()).toEqual([]);
    await files.close();
  });
});
