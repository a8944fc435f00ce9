/**
 * The deployed artifact, run: the asset folders `cdk synth` writes for this stack (the exact bundled handlers),
 * each loaded in a fresh Node process outside the project, with only the modules Lambda's Node runtime provides
 * (RUNTIME_PROVIDED_MODULES) and the environment variables the synthesized template gives that function, and
 * invoked against local stand-ins through the SDK's endpoint overrides: dynalite (the table created from the
 * template's own key schema), s3rver (the raw store), aws-ses-v2-local, the Step Functions stand-in, and a
 * Secrets Manager stand-in. The Tick and Arm inputs are built from the synthesized state machine's own Payload
 * templates. What this proves: every module a bundle needs is inside it or in the runtime, and the environment
 * contract between stack and handler holds. (Synthesized once per content of lambdas/ and infra/; see
 * test/support/deployed-artifact.ts.)
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { CreateTableCommand, type CreateTableCommandInput, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { build } from 'esbuild';
import { encode } from 'iconv-lite';
import { RUNTIME_PROVIDED_MODULES } from '../../infra/constructs/service-function';
import { DynamoReportStore } from '../../lambdas/adapters/aws/dynamo-report-store';
import { localDynamoClient, startDynalite, type DynaliteHandle } from '../../lambdas/adapters/local/dynalite-server';
import { SfnStandIn, type StepFunctionsBackend } from '../../lambdas/local/sfn-standin';
import {
  deployedFunctions,
  functionNamed,
  LambdaSandbox,
  PSEUDO,
  resolveCfn,
  synthesizedDeployment,
  type DeployedFunction,
  type Invocation,
  type Template,
} from '../support/deployed-artifact';
import { startS3Local, type S3Local } from '../support/s3-local';
import { startSecretsManagerLocal, type SecretsManagerLocal } from '../support/secrets-manager-local';
import { startSesLocal, type SesLocal } from '../support/ses-local';
import { testTimeout } from '../support/timeouts';

// synth (when lambdas/ or infra/ changed since the last run) bundles every function with esbuild
jest.setTimeout(testTimeout(300_000));

const FIXTURES = join(__dirname, '..', 'fixtures', 'ses');
const REPLY_KEY = 'k'.repeat(64);

/** Records what the handlers asked of Step Functions; the real HTTP stand-in answers them. */
class RecordingStepFunctions implements StepFunctionsBackend {
  started: { stateMachineArn: string; name: string; input: string }[] = [];
  woken: string[] = [];
  async startExecution(stateMachineArn: string, name: string, input: string) {
    this.started.push({ stateMachineArn, name, input });
    return { executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`, startDate: new Date() };
  }
  async sendTaskSuccess(token: string) {
    this.woken.push(token);
  }
  async sendTaskFailure() {}
  async describeExecution(executionArn: string): Promise<never> {
    throw Object.assign(new Error(`${executionArn} does not exist`), { name: 'ExecutionDoesNotExist' });
  }
  async stopExecution() {
    return { stopDate: new Date() };
  }
}

/** The handler's result; a failure shows its error and the end of its logs. */
function resultOf(out: Invocation): unknown {
  if (!out.ok) throw new Error(`the handler failed: ${out.error.name}: ${out.error.message}\n${out.logs.slice(-2000)}`);
  return out.result;
}

/** JSONPath as Step Functions' Parameters use it here: `$.a.b` on the state input, `$$.a.b` on the context. */
function evaluatePayload(template: unknown, input: unknown, context: unknown): unknown {
  const at = (path: string): unknown => {
    const [root, rest] = path.startsWith('$$') ? [context, path.slice(2)] : [input, path.slice(1)];
    return rest
      .split('.')
      .filter(Boolean)
      .reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], root);
  };
  if (typeof template !== 'object' || template === null) return template;
  return Object.fromEntries(
    Object.entries(template).map(([k, v]) => (k.endsWith('.$') ? [k.slice(0, -2), at(String(v))] : [k, evaluatePayload(v, input, context)])),
  );
}

/** The Task state of the state machine that invokes this function, and its Payload template. */
function taskInvoking(template: Template, names: Record<string, string>, fn: DeployedFunction): { name: string; payload: unknown } {
  const [machine] = Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  const definition = JSON.parse(resolveCfn(machine!.Properties['DefinitionString'], names)) as {
    States: Record<string, { Type: string; Parameters?: { FunctionName?: string; Payload?: unknown } }>;
  };
  const found = Object.entries(definition.States).filter(([, s]) => s.Parameters?.FunctionName?.endsWith(`:function:${fn.logicalId}`));
  expect(found).toHaveLength(1);
  return { name: found[0]![0], payload: found[0]![1].Parameters!.Payload };
}

describe('the synthesized Lambda bundles, run as Lambda runs them', () => {
  let template: Template;
  let functions: DeployedFunction[];
  let sandbox: LambdaSandbox;
  let dynamo: DynaliteHandle;
  let dynamoClient: DynamoDBClient;
  let s3: S3Local;
  let ses: SesLocal;
  let secrets: SecretsManagerLocal;
  let sfnBackend: RecordingStepFunctions;
  let sfn: SfnStandIn;
  let store: DynamoReportStore;
  /** Local physical names of the resources the functions' environments refer to. */
  const names: Record<string, string> = {};
  let endpoints: Record<string, string>;

  const environmentOf = (fn: DeployedFunction): Record<string, string> => ({
    ...Object.fromEntries(Object.entries(fn.environment).map(([k, v]) => [k, resolveCfn(v, names)])),
    ...endpoints,
  });
  const invoke = (fn: DeployedFunction, event: unknown, env = environmentOf(fn)) => sandbox.invoke(fn, event, env);

  beforeAll(async () => {
    const synth = await synthesizedDeployment();
    template = synth.template;
    functions = deployedFunctions(synth.outdir, template);
    sandbox = await LambdaSandbox.create();

    // every Ref in any function's environment gets a stand-in of its resource type; an unknown type fails below
    const refs = new Set(functions.flatMap((f) => JSON.stringify(f.environment).match(/"Ref":"[^"]+"/g) ?? []).map((r) => r.slice(7, -1)));
    const secretValues: Record<string, string> = {};
    let table: CreateTableCommandInput | undefined;
    const buckets: string[] = [];
    for (const id of refs) {
      const resource = template.Resources[id];
      if (!resource) continue; // a pseudo parameter
      if (resource.Type === 'AWS::DynamoDB::Table') {
        names[id] = 'SecurityIntake-Reports';
        const p = resource.Properties as unknown as CreateTableCommandInput;
        table = { TableName: names[id], AttributeDefinitions: p.AttributeDefinitions, KeySchema: p.KeySchema, GlobalSecondaryIndexes: p.GlobalSecondaryIndexes, BillingMode: p.BillingMode };
      } else if (resource.Type === 'AWS::S3::Bucket') {
        names[id] = `securityintake-${id.toLowerCase()}`;
        buckets.push(names[id]);
      } else if (resource.Type === 'AWS::SecretsManager::Secret') {
        names[id] = `arn:aws:secretsmanager:${PSEUDO['AWS::Region']}:${PSEUDO['AWS::AccountId']}:secret:${id}-AbCdEf`;
        secretValues[names[id]] = REPLY_KEY;
      }
    }
    dynamo = await startDynalite();
    dynamoClient = localDynamoClient(dynamo.endpoint);
    if (table) await dynamoClient.send(new CreateTableCommand(table));
    store = new DynamoReportStore({ client: dynamoClient, tableName: 'SecurityIntake-Reports' });
    s3 = await startS3Local(buckets);
    ses = await startSesLocal();
    secrets = await startSecretsManagerLocal(secretValues);
    sfnBackend = new RecordingStepFunctions();
    sfn = new SfnStandIn(sfnBackend);
    endpoints = {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_SES: ses.endpoint,
      AWS_ENDPOINT_URL_SFN: await sfn.listen(),
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      // s3rver checks signatures with its fixed credentials; the other stand-ins accept any
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_SESSION_TOKEN: 'local',
    };
  });

  afterAll(async () => {
    dynamoClient?.destroy();
    await Promise.all([dynamo?.close(), s3?.stop(), ses?.stop(), secrets?.stop(), sfn?.close(), sandbox?.remove()]);
  });

  it('has one bundle per function, for Node 24, requiring nothing outside itself but Node and the runtime-provided SDK', async () => {
    expect(functions.map((f) => f.logicalId.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(expect.arrayContaining(['ArmFunction', 'IntakeFunction', 'SesEventsFunction', 'TickFunction']));
    const allowed = new Set<string>([...builtinModules, ...builtinModules.map((m) => `node:${m}`), ...RUNTIME_PROVIDED_MODULES]);
    for (const fn of functions) {
      expect([fn.logicalId, fn.runtime, fn.handler]).toEqual([fn.logicalId, 'nodejs24.x', 'index.handler']);
      // a module built into a file of its own in the asset (a lazily required one) is in node_modules there
      const inAsset = (m: string) => existsSync(join(fn.assetDir, 'node_modules', `${m}.js`));
      for (const file of (await readdir(fn.assetDir, { recursive: true })).filter((f) => String(f).endsWith('.js'))) {
        const code = await readFile(join(fn.assetDir, String(file)), 'utf8');
        const required = [...new Set([...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!))];
        // as Node resolves a relative require: the file itself, or with .js or .json added
        const relative = (m: string) =>
          /^\.\.?\//.test(m) && ['', '.js', '.json'].some((ext) => existsSync(join(fn.assetDir, dirname(String(file)), m + ext)));
        const outside = required.filter((m) => !allowed.has(m) && !inAsset(m) && !relative(m));
        expect({ fn: fn.logicalId, file, outside }).toEqual({ fn: fn.logicalId, file, outside: [] });
      }
    }
  });

  let reportId: string;
  let executionName: string;

  it('intake: an SES event whose raw message is in the raw-mail bucket opens a report, sends the receipt and notice, starts the workflow', async () => {
    const intake = functionNamed(functions, 'IntakeFunction');
    const env = environmentOf(intake);
    const event = JSON.parse(await readFile(join(FIXTURES, 'report.json'), 'utf8'));
    const mail = event.Records[0].ses.mail;
    const raw = [
      'Return-Path: <jane@reporter.example>',
      'From: Jane Reporter <jane@reporter.example>',
      'To: security@hashberg.io',
      'Subject: Heap overflow in decode()',
      'Date: Fri, 12 Mar 2027 21:01:58 +0000',
      'Message-ID: <CAF3x9uQm2pL7vN0k@mail.reporter.example>',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'decode() overflows its heap buffer on a crafted header; a proof of concept is attached to the next mail.',
      '',
    ].join('\r\n');
    const client = s3.client();
    await client.send(new PutObjectCommand({ Bucket: env.BUCKET_NAME, Key: `${env.INBOUND_PREFIX}${mail.messageId}`, Body: raw }));

    const result = resultOf(await invoke(intake, event, env)) as { reportId: string }[];

    expect(result).toMatchObject([{ sesMessageId: mail.messageId, outcome: 'report' }]);
    reportId = result[0]!.reportId;
    const report = await store.getReport(reportId);
    expect(report).toMatchObject({ project: 'bases', reporter: { address: 'jane@reporter.example' } });
    const sent = ses.requests.filter((r) => r.Action === 'SendRawEmail');
    expect(sent).toHaveLength(2);
    expect(sent.every((r) => r.ConfigurationSetName === env.SES_CONFIGURATION_SET)).toBe(true);
    // one execution for the report, named after it (a later generation carries a suffix), its input the ID only
    expect(sfnBackend.started).toEqual([{ stateMachineArn: env.STATE_MACHINE_ARN, name: expect.stringMatching(new RegExp(`^${reportId}`)), input: JSON.stringify({ reportId }) }]);
    executionName = sfnBackend.started[0]!.name;
    // the reply key, and the project's OpenPGP key secret (issue 17; a placeholder here, so mail goes in clear),
    // each read once per container
    const projectKeys = JSON.parse(env.PROJECT_KEY_SECRETS!) as Record<string, string>;
    expect([...secrets.requests].sort()).toEqual([env.REPLY_KEY_SECRET_ARN, projectKeys.bases].sort());
  });

  let tickResult: unknown;

  it('tick: invoked with the Payload its Task state builds, plans the report\'s next wake-up', async () => {
    const tick = functionNamed(functions, 'TickFunction');
    const task = taskInvoking(template, names, tick);
    const payload = evaluatePayload(task.payload, {}, { Execution: { Input: { reportId }, Name: executionName } });

    tickResult = resultOf(await invoke(tick, payload));

    expect(tickResult).toMatchObject({ reportId, done: false });
    expect((tickResult as { sleepSeconds: number }).sleepSeconds).toBeGreaterThan(0);
  });

  it('arm: invoked with the sleeping Task state\'s Payload, stores the task token on the report', async () => {
    const arm = functionNamed(functions, 'ArmFunction');
    const task = taskInvoking(template, names, arm);
    // the Tick task's result as the next states see it (lambda:invoke returns { Payload }; ResultSelector keeps it)
    const payload = evaluatePayload(task.payload, { Payload: tickResult }, { Task: { Token: 'token-1' }, Execution: { Input: { reportId }, Name: executionName } });

    resultOf(await invoke(arm, payload));

    expect((await store.getReport(reportId))?.workflow).toMatchObject({ token: 'token-1' });
  });

  it('ses-events: a bounce notification of our receipt marks the reporter unreachable and tells the maintainers', async () => {
    const sesEvents = functionNamed(functions, 'SesEventsFunction');
    const receipt = (await store.listOutbox(reportId)).find((o) => o.kind === 'receipt');
    expect(receipt).toBeDefined();
    const bounce = {
      eventType: 'Bounce',
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: 'jane@reporter.example' }], timestamp: '2027-03-12T21:02:05.000Z' },
      mail: { timestamp: '2027-03-12T21:02:03.000Z', source: 'security@hashberg.io', messageId: 'ses-out-1', destination: ['jane@reporter.example'], commonHeaders: { messageId: `<${receipt!.messageId}>` } },
    };
    const event = { Records: [{ EventSource: 'aws:sns', EventVersion: '1.0', Sns: { Type: 'Notification', MessageId: 'sns-1', TopicArn: 'arn:aws:sns:us-east-1:123456789012:SecurityIntake-events', Message: JSON.stringify(bounce), Timestamp: '2027-03-12T21:02:06.000Z' } }] };
    const before = ses.requests.length;

    resultOf(await invoke(sesEvents, event));

    expect((await store.getReport(reportId))?.reporterUnreachable?.reason).toMatch(/bounce/);
    expect(ses.requests.length).toBe(before + 1);
  });

  it('intake: mail from a maintainer\'s address loads the DKIM verifier, which the bundle keeps in a file of its own', async () => {
    const intake = functionNamed(functions, 'IntakeFunction');
    const env = environmentOf(intake);
    const event = JSON.parse(await readFile(join(FIXTURES, 'report.json'), 'utf8'));
    const mail = event.Records[0].ses.mail;
    mail.messageId = 'maintainer0mail0000000000000000000000001';
    mail.source = 'alice@hashberg.io';
    const raw = [
      'From: Alice <alice@hashberg.io>',
      'To: security@hashberg.io',
      `Subject: Re: [security report #${reportId}] Heap overflow in decode()`,
      'Date: Fri, 12 Mar 2027 22:00:00 +0000',
      'Message-ID: <alice-1@hashberg.io>',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Status: triaged',
      '',
      'Unsigned, so this changes nothing.',
      '',
    ].join('\r\n');
    await s3.client().send(new PutObjectCommand({ Bucket: env.BUCKET_NAME, Key: `${env.INBOUND_PREFIX}${mail.messageId}`, Body: raw }));

    const result = resultOf(await invoke(intake, event, env)) as { outcome: string }[];

    expect(result).toHaveLength(1);
    expect((await store.getReport(reportId))?.status).toBe('received'); // no signature covers the command
  });

  it('intake: a report in a Chinese charset is decoded with the code-page tables kept beside the bundle', async () => {
    const intake = functionNamed(functions, 'IntakeFunction');
    const env = environmentOf(intake);
    const event = JSON.parse(await readFile(join(FIXTURES, 'report.json'), 'utf8'));
    const mail = event.Records[0].ses.mail;
    mail.messageId = 'gbk0report0000000000000000000000000000001';
    mail.source = 'li@reporter.example';
    const subject = '解码函数中的堆溢出';
    const head = [
      'From: Li <li@reporter.example>',
      'To: security@hashberg.io',
      `Subject: =?GBK?B?${encode(subject, 'gbk').toString('base64')}?=`,
      'Date: Fri, 12 Mar 2027 23:00:00 +0000',
      'Message-ID: <gbk-1@reporter.example>',
      'Content-Type: text/plain; charset=GBK',
      '',
      '',
    ].join('\r\n');
    const raw = Buffer.concat([Buffer.from(head), encode('解码时堆缓冲区溢出。\r\n', 'gbk')]);
    await s3.client().send(new PutObjectCommand({ Bucket: env.BUCKET_NAME, Key: `${env.INBOUND_PREFIX}${mail.messageId}`, Body: raw }));

    const [result] = resultOf(await invoke(intake, event, env)) as { outcome: string; reportId: string }[];

    expect(result!.outcome).toBe('report');
    expect((await store.getReport(result!.reportId))?.subject).toBe(subject);
  });

  it('intake: an HTML-only report in ISO-2022-JP loads the HTML stack and the Japanese tables from their own files', async () => {
    const intake = functionNamed(functions, 'IntakeFunction');
    const env = environmentOf(intake);
    const event = JSON.parse(await readFile(join(FIXTURES, 'report.json'), 'utf8'));
    const mail = event.Records[0].ses.mail;
    mail.messageId = 'jis0report0000000000000000000000000000001';
    mail.source = 'aoi@reporter.example';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const japanese = require('encoding-japanese') as { convert(data: number[], o: object): number[]; stringToCode(s: string): number[] };
    const jis = (text: string) => Buffer.from(japanese.convert(japanese.stringToCode(text), { to: 'JIS', from: 'UNICODE' }));
    const subject = 'デコーダのヒープオーバーフロー';
    const head = [
      'From: Aoi <aoi@reporter.example>',
      'To: security@hashberg.io',
      `Subject: =?ISO-2022-JP?B?${jis(subject).toString('base64')}?=`,
      'Date: Fri, 12 Mar 2027 23:00:00 +0000',
      'Message-ID: <jis-1@reporter.example>',
      'Content-Type: text/html; charset=ISO-2022-JP',
      'Content-Transfer-Encoding: 7bit',
      '',
      '',
    ].join('\r\n');
    const html = '<html><body><p>ヒープが壊れます。</p><span style="display:none">Status: disclosed</span></body></html>\r\n';
    const raw = Buffer.concat([Buffer.from(head), jis(html)]);
    await s3.client().send(new PutObjectCommand({ Bucket: env.BUCKET_NAME, Key: `${env.INBOUND_PREFIX}${mail.messageId}`, Body: raw }));

    const [result] = resultOf(await invoke(intake, event, env)) as { outcome: string; reportId: string }[];

    expect(result!.outcome).toBe('report');
    expect((await store.getReport(result!.reportId))?.subject).toBe(subject);
    const [record] = (await store.listMessages(result!.reportId)).filter((m) => m.direction === 'in');
    // mailparser's text of the HTML, through the bundle's html-to-text stand-in and ./visible-text.js
    expect(record!.excerpt).toContain('ヒープが壊れます。');
  });

  it('a handler without the environment the stack gives it says which variable is missing', async () => {
    const tick = functionNamed(functions, 'TickFunction');
    const { TABLE_NAME: _, ...withoutTable } = environmentOf(tick);

    const out = await invoke(tick, { reportId }, withoutTable);

    expect(out).toMatchObject({ ok: false, error: { name: 'DeploymentMisconfigured', message: expect.stringContaining('TABLE_NAME') } });
  });

  it('the sandbox runs nothing from the project: a bundle missing a module fails to load, a runtime-provided one loads', async () => {
    const entry = join(sandbox.root, 'probe.js');
    const { writeFile, mkdir } = await import('node:fs/promises');
    await writeFile(entry, "exports.handler = async () => [require('@aws-sdk/client-dynamodb').DynamoDBClient.name, require('mailparser').simpleParser.name];\n");
    const assetDir = join(sandbox.root, 'asset.probe');
    await mkdir(assetDir);
    await build({ entryPoints: [entry], bundle: true, platform: 'node', outfile: join(assetDir, 'index.js'), external: [...RUNTIME_PROVIDED_MODULES, 'mailparser'], logLevel: 'error' });

    const out = await sandbox.invoke({ assetDir, handler: 'index.handler', logicalId: 'Probe' }, {}, {});

    expect(out).toMatchObject({ ok: false, error: { code: 'MODULE_NOT_FOUND', message: expect.stringContaining("'mailparser'") } });
  });
});
