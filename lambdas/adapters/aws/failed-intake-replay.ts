/**
 * The failure queue and the intake function of a deployed stack (ports/failed-intake-queue.ts): the intake
 * function's on-failure SQS queue (Lambda writes one destination record per event whose retries ran out) and a
 * synchronous invoke of the function. Tested with aws-sdk-client-mock (test/adapters/aws/failed-intake-replay.test.ts):
 * no local stand-in answers for SQS or Lambda here.
 */
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { FailedIntake, FailedIntakeQueue, IntakeInvoker, IntakeRun, IntakeRunResult } from '../../ports/failed-intake-queue';

/** Long enough for a confirmation and the replays (intake's timeout is 2 minutes per message). */
const HOLD_SECONDS = 15 * 60;
/** At most this many entries in one run (10 per receive). */
const MAX_BATCHES = 100;

interface DestinationRecord {
  timestamp?: string;
  requestContext?: { approximateInvokeCount?: number; condition?: string };
  requestPayload?: unknown;
  responsePayload?: { errorType?: string; errorMessage?: string } | null;
}

function messageIdsOf(event: unknown): string[] {
  const records = (event as { Records?: unknown })?.Records;
  if (!Array.isArray(records)) return [];
  return records.flatMap((r) => {
    const id = (r as { ses?: { mail?: { messageId?: unknown } } })?.ses?.mail?.messageId;
    return typeof id === 'string' ? [id] : [];
  });
}

/** One queue message's body: a Lambda destination record (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html). */
export function parseFailureRecord(handle: string, body: string | undefined): FailedIntake {
  let record: DestinationRecord | undefined;
  try {
    const parsed: unknown = JSON.parse(body ?? '');
    record = parsed && typeof parsed === 'object' ? (parsed as DestinationRecord) : undefined;
  } catch {
    record = undefined;
  }
  if (!record || record.requestPayload === undefined) return { handle, sesMessageIds: [], error: 'not a Lambda on-failure record' };
  const r = record.responsePayload;
  const error = r && (r.errorType || r.errorMessage) ? `${String(r.errorType ?? 'Error')}: ${String(r.errorMessage ?? '')}` : record.requestContext?.condition;
  return {
    handle,
    event: record.requestPayload,
    sesMessageIds: messageIdsOf(record.requestPayload),
    ...(typeof record.timestamp === 'string' ? { failedAt: record.timestamp } : {}),
    ...(error ? { error } : {}),
    ...(typeof record.requestContext?.approximateInvokeCount === 'number' ? { attempts: record.requestContext.approximateInvokeCount } : {}),
  };
}

export class SqsFailedIntakeQueue implements FailedIntakeQueue {
  constructor(private readonly sqs: SQSClient, private readonly queueUrl: string) {}

  async takeAll(): Promise<FailedIntake[]> {
    const entries: FailedIntake[] = [];
    let empty = 0;
    // short polling samples a subset of the queue's servers: stop after two empty answers in a row
    for (let i = 0; i < MAX_BATCHES && empty < 2; i++) {
      const res = await this.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: HOLD_SECONDS, WaitTimeSeconds: i === 0 ? 1 : 0 }),
      );
      const messages = res.Messages ?? [];
      empty = messages.length ? 0 : empty + 1;
      for (const m of messages) if (m.ReceiptHandle) entries.push(parseFailureRecord(m.ReceiptHandle, m.Body));
    }
    return entries;
  }

  async remove(handle: string): Promise<void> {
    await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: handle }));
  }

  async release(handle: string): Promise<void> {
    await this.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: handle, VisibilityTimeout: 0 }));
  }
}

export class LambdaIntakeInvoker implements IntakeInvoker {
  constructor(private readonly lambda: LambdaClient, private readonly functionName: string) {}

  async invoke(event: unknown): Promise<IntakeRun> {
    const res = await this.lambda.send(
      new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(event)) }),
    );
    let payload: unknown;
    try {
      payload = res.Payload ? JSON.parse(Buffer.from(res.Payload).toString('utf8')) : undefined;
    } catch {
      payload = undefined;
    }
    if (res.FunctionError) {
      const p = payload as { errorType?: string; errorMessage?: string } | undefined;
      return { ok: false, error: `${p?.errorType ?? res.FunctionError}: ${p?.errorMessage ?? 'no message'}` };
    }
    return { ok: true, results: Array.isArray(payload) ? (payload as IntakeRunResult[]) : [] };
  }
}
