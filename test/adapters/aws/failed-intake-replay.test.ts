/**
 * `secintake --aws replay` against SQS and Lambda: aws-sdk-client-mock stands in (no local SQS or Lambda here).
 * The use case itself runs on local parts in test/app/replay-failed-intakes.test.ts; this checks the AWS edges:
 * the on-failure record read, the hold/delete/release calls, the synchronous invoke, and the CLI's confirmation.
 */
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { parseFailureRecord } from '../../../lambdas/adapters/aws/failed-intake-replay';
import { awsReplayCommand } from '../../../lambdas/local/cli/aws-commands';

const ROOT = join(__dirname, '../../..');
const cfn = mockClient(CloudFormationClient);
const sqs = mockClient(SQSClient);
const lambda = mockClient(LambdaClient);
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/SecurityIntake-FailedIntake';

const event = (id: string) => ({ Records: [{ eventSource: 'aws:ses', ses: { mail: { messageId: id }, receipt: {} } }] });
/** A Lambda on-failure destination record, as SQS delivers it. */
const record = (id: string) =>
  JSON.stringify({
    version: '1.0',
    timestamp: '2027-03-12T21:10:00.000Z',
    requestContext: { requestId: 'r', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Intake', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
    requestPayload: event(id),
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'ProvisionedThroughputExceededException', errorMessage: 'Rate exceeded' },
  });

const g = { data: '/nonexistent', config: join(ROOT, 'examples/bases.json'), configExplicit: true, aws: { stack: 'SecurityIntake' } };
const clients = () => ({ cfn: new CloudFormationClient({ region: 'us-east-1' }), sqs: new SQSClient({ region: 'us-east-1' }), lambda: new LambdaClient({ region: 'us-east-1' }) });

function capture(answer?: string) {
  const io = { text: '', out: (t: string) => void (io.text += t), err: () => undefined, ...(answer !== undefined ? { ask: async () => answer } : {}) };
  return io;
}

const outputs = (extra: { OutputKey: string; OutputValue: string }[] = [{ OutputKey: 'IntakeFunctionName', OutputValue: 'SecurityIntake-IntakeFunction' }]) => ({
  Stacks: [{ StackName: 'SecurityIntake', StackStatus: 'UPDATE_COMPLETE' as const, CreationTime: new Date(), Outputs: [{ OutputKey: 'FailedIntakeQueueUrl', OutputValue: QUEUE }, ...extra] }],
});

beforeEach(() => {
  cfn.reset();
  sqs.reset();
  lambda.reset();
  cfn.on(DescribeStacksCommand).resolves(outputs());
  // two entries, then the queue answers empty
  sqs
    .on(ReceiveMessageCommand)
    .resolvesOnce({ Messages: [{ ReceiptHandle: 'h1', Body: record('ses-1') }, { ReceiptHandle: 'h2', Body: record('ses-2') }] })
    .resolves({});
  sqs.on(DeleteMessageCommand).resolves({});
  sqs.on(ChangeMessageVisibilityCommand).resolves({});
});

it('reads a Lambda on-failure record: the event as it was, its SES message ID, the error and the attempts', () => {
  expect(parseFailureRecord('h', record('ses-1'))).toEqual({
    handle: 'h',
    event: event('ses-1'),
    sesMessageIds: ['ses-1'],
    failedAt: '2027-03-12T21:10:00.000Z',
    error: 'ProvisionedThroughputExceededException: Rate exceeded',
    attempts: 3,
  });
  expect(parseFailureRecord('h', 'not json')).toEqual({ handle: 'h', sesMessageIds: [], error: 'not a Lambda on-failure record' });
});

it('--yes: invokes the intake function with each queued event, synchronously, and deletes what succeeded', async () => {
  lambda.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) => {
    const id = JSON.parse(Buffer.from(input.Payload).toString()).Records[0].ses.mail.messageId as string;
    return { StatusCode: 200, Payload: Buffer.from(JSON.stringify([{ sesMessageId: id, outcome: 'report', reportId: 'BASES-2027-001', reason: 'new report' }])) };
  });
  const io = capture();
  expect(await awsReplayCommand(g, { yes: true }, io, clients())).toBe(0);
  const invokes = lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input);
  expect(invokes.map((i) => [i.FunctionName, i.InvocationType, JSON.parse(Buffer.from(i.Payload as Uint8Array).toString())])).toEqual([
    ['SecurityIntake-IntakeFunction', 'RequestResponse', event('ses-1')],
    ['SecurityIntake-IntakeFunction', 'RequestResponse', event('ses-2')],
  ]);
  expect(sqs.commandCalls(ReceiveMessageCommand)[0].args[0].input).toMatchObject({ QueueUrl: QUEUE, VisibilityTimeout: 900 });
  expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle)).toEqual(['h1', 'h2']);
  expect(sqs.commandCalls(ChangeMessageVisibilityCommand)).toHaveLength(0);
  expect(io.text).toContain('2 failed intake(s) to run again');
  expect(io.text).toContain('ses-1  failed 2027-03-12T21:10:00.000Z after 3 attempts: ProvisionedThroughputExceededException: Rate exceeded');
  expect(io.text).toContain('ses-1: report BASES-2027-001: new report\n');
  expect(io.text).toContain('2 replayed and removed from the queue.\n');
});

it('asks first: "n" runs nothing and puts the entries back in view', async () => {
  const io = capture('n');
  expect(await awsReplayCommand(g, {}, io, clients())).toBe(1);
  expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => [c.args[0].input.ReceiptHandle, c.args[0].input.VisibilityTimeout])).toEqual([
    ['h1', 0],
    ['h2', 0],
  ]);
  expect(io.text).toContain('Nothing replayed; the entries stay on the queue.');
});

it('without a terminal to ask on and without --yes, it refuses before reading the queue', async () => {
  await expect(awsReplayCommand(g, {}, capture(), clients())).rejects.toThrow('confirm it on a terminal, or give --yes');
  expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
});

it('--message-id: only that entry; one that fails again stays on the queue and the exit code says so', async () => {
  const payload = Buffer.from(JSON.stringify({ errorType: 'RawMessageNotFound', errorMessage: 'no raw message stored under inbound/ses-2' }));
  lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payload as unknown as Uint8Array & { transformToString(): string } } as never);
  const io = capture('y');
  expect(await awsReplayCommand(g, { messageId: 'ses-2' }, io, clients())).toBe(1);
  expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
  expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input.ReceiptHandle).sort()).toEqual(['h1', 'h2']);
  expect(io.text).toContain('ses-2: FAILED again: RawMessageNotFound: no raw message stored under inbound/ses-2 (left on the queue)');
});

it('--list shows what waits and changes nothing', async () => {
  const io = capture();
  expect(await awsReplayCommand(g, { list: true }, io, clients())).toBe(0);
  expect(io.text).toContain('2 failed intake(s) waiting on the failure queue:');
  expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  expect(sqs.commandCalls(ChangeMessageVisibilityCommand)).toHaveLength(2);
});

it('a stack deployed before IntakeFunctionName was an output is named', async () => {
  cfn.on(DescribeStacksCommand).resolves(outputs([]));
  await expect(awsReplayCommand(g, { yes: true }, capture(), clients())).rejects.toThrow('stack SecurityIntake has no IntakeFunctionName output');
});
