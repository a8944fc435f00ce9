/**
 * `secintake --aws` reads a deployed stack through the Lambdas' own adapters: DynamoReportStore on dynalite and
 * S3RawStore on s3rver stand in for the table and the bucket, a stubbed DescribeStacks (aws-sdk-client-mock: no
 * local CloudFormation) gives their names, and the data is written by the real intake (receiveMail).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { receiveMail } from '../../lambdas/app/receive-mail';
import { DynamoReportStore, ensureTable } from '../../lambdas/adapters/aws/dynamo-report-store';
import { S3RawStore } from '../../lambdas/adapters/aws/s3-raw-store';
import { localDynamoClient, startDynalite, type DynaliteHandle } from '../../lambdas/adapters/local/dynalite-server';
import { awsReader } from '../../lambdas/adapters/aws/deployed-stack-reader';
import { exportRecord, exportReport, rawMessage } from '../../lambdas/local/cli/report-files';
import { checked, cveValidator, osvValidator } from '../support/record-schemas';
import { awsOutboxCommand } from '../../lambdas/local/cli/aws-commands';
import { startS3Local, type S3Local } from '../support/s3-local';
import { loadExample, startHarness, UNKNOWN_VERDICTS, type Harness } from '../support/intake-harness';

const ROOT = join(__dirname, '../..');
const cfn = mockClient(CloudFormationClient);

describe('secintake --aws: reading a deployed stack', () => {
  let h: Harness;
  let s3: S3Local;
  let dynamo: DynaliteHandle;
  let dynamoClient: ReturnType<typeof localDynamoClient>;
  let original: Buffer;
  let reportId: string;

  beforeAll(async () => {
    h = await startHarness(loadExample('bases'));
    s3 = await startS3Local(['raw-mail-bucket']);
    dynamo = await startDynalite();
    dynamoClient = localDynamoClient(dynamo.endpoint);
    await ensureTable(dynamoClient, 'SecurityIntake-ReportTable');
    // the intake as the Lambda runs it: SES has stored the raw in S3, the handler records it in DynamoDB
    h.deps.store = new DynamoReportStore({ client: dynamoClient, tableName: 'SecurityIntake-ReportTable' });
    h.deps.raw = new S3RawStore({ client: s3.client(), bucket: 'raw-mail-bucket' });
    original = await readFile(join(ROOT, 'examples/mail/report.eml'));
    await h.deps.raw.put('inbound/ses-0001', original);
    const result = await receiveMail(h.deps, {
      sesMessageId: 'ses-0001',
      recipients: ['security@hashberg.io'],
      verdicts: UNKNOWN_VERDICTS,
      receivedAt: h.clock.now().toISOString(),
      rawKey: 'inbound/ses-0001',
      mailFrom: 'jane@reporter.example',
    });
    reportId = result.reportId!;
    cfn.on(DescribeStacksCommand, { StackName: 'SecurityIntake' }).resolves({
      Stacks: [
        {
          StackName: 'SecurityIntake',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: [
            { OutputKey: 'ReportTable', OutputValue: 'SecurityIntake-ReportTable' },
            { OutputKey: 'RawMailBucket', OutputValue: 'raw-mail-bucket' },
          ],
        },
      ],
    });
  });
  afterAll(async () => {
    dynamoClient.destroy();
    await dynamo.close();
    await s3.stop();
    await h.close();
  });

  const reader = () =>
    awsReader(loadExample('bases'), { stack: 'SecurityIntake' }, { cfn: new CloudFormationClient({ region: 'us-east-1' }), dynamo: dynamoClient, s3: s3.client() });

  it('finds the table and the bucket in the stack outputs, and lists and shows the report', async () => {
    const { ops } = await reader();
    const reports = await ops.reports();
    expect(reports.map((r) => r.id)).toEqual([reportId]);
    expect(reports[0].nextDeadline?.name).toBe('acknowledge');
    const view = await ops.show(reportId.toLowerCase());
    expect(view.report.subject).toContain('Quadratic-time decoding');
    expect(view.outbox.map((o) => o.kind).sort()).toEqual(['notice', 'receipt']);
    expect(cfn.commandCalls(DescribeStacksCommand).length).toBeGreaterThan(0);
  });

  it('raw and export give the message exactly as SES stored it', async () => {
    const { ops, raw } = await reader();
    const source = { show: (id: string) => ops.show(id), raw };
    expect((await rawMessage(source, reportId, 1)).bytes).toEqual(original);
    const files = await exportReport(source, reportId, new Date('2027-03-13T00:00:00Z'));
    const eml = files.filter((f) => f.name.endsWith('.eml'));
    expect(eml).toHaveLength(1);
    expect(eml[0].body).toEqual(original);
  });

  it('export --format osv|cve reads the facts from the deployed table: records valid against the published schemas', async () => {
    const store = h.deps.store;
    const current = (await store.getReport(reportId))!;
    await store.updateReport(reportId, current.version, {
      cve: 'CVE-2026-41234',
      credit: 'Jane Reporter',
      facts: { affected: [{ ecosystem: 'PyPI', package: 'bases', range: '>=0.2.0, <0.3.1' }], fixed: [{ version: '0.3.1' }], cwe: ['CWE-407'] },
    });
    const { ops } = await reader();
    const source = { show: (id: string) => ops.show(id) };
    const osv = await exportRecord(source, reportId, 'osv');
    expect(checked(osvValidator(), osv)).toEqual({ valid: true, errors: null });
    expect(osv).toMatchObject({ id: 'CVE-2026-41234', credits: [{ name: 'Jane Reporter', type: 'FINDER' }] });
    const cve = await exportRecord(source, reportId, 'cve', { orgId: 'b3476cb9-2e3d-41a6-98d0-0f47421a65b6', references: ['https://github.com/hashberg-io/bases/releases'] });
    expect(checked(cveValidator(), cve)).toEqual({ valid: true, errors: null });
  });

  it('outbox --aws lists the outbox items of the table, all or one report\'s, as text and JSON', async () => {
    const g = { data: '/nonexistent', config: join(ROOT, 'examples/bases.json'), configExplicit: true, aws: { stack: 'SecurityIntake' } };
    const clients = { cfn: new CloudFormationClient({ region: 'us-east-1' }), dynamo: dynamoClient, s3: s3.client() };
    let out = '';
    const io = { out: (t: string) => void (out += t), err: () => undefined };
    expect(await awsOutboxCommand(g, {}, io, clients)).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^CREATED +REPORT +KIND +STATE +TO +SUBJECT$/);
    expect(lines.slice(1).map((l) => l.split(/ +/)[2]).sort()).toEqual(['notice', 'receipt']);
    expect(lines.slice(1).every((l) => l.includes(reportId))).toBe(true);

    out = '';
    await awsOutboxCommand(g, { json: true, report: reportId.toLowerCase() }, io, clients);
    const items = JSON.parse(out) as { reportId: string; kind: string; to: string[] }[];
    expect(items.map((i) => i.kind).sort()).toEqual(['notice', 'receipt']);
    expect(items.every((i) => i.reportId === reportId)).toBe(true);
    expect(items.find((i) => i.kind === 'receipt')?.to).toEqual(['jane@reporter.example']);

    out = '';
    await awsOutboxCommand(g, { report: 'BASES-2099-999' }, io, clients);
    expect(out).toBe('The outbox is empty.\n');
  });

  it('names a stack that is not there', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'Nope' }).rejects(Object.assign(new Error('Stack with id Nope does not exist'), { name: 'ValidationError' }));
    await expect(
      awsReader(loadExample('bases'), { stack: 'Nope' }, { cfn: new CloudFormationClient({ region: 'us-east-1' }), dynamo: dynamoClient, s3: s3.client() }),
    ).rejects.toThrow('no stack Nope in this account and region');
  });
});
