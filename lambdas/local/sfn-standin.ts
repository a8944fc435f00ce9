/**
 * A stand-in for the few Step Functions API calls we make, on 127.0.0.1, speaking the AWS JSON 1.0 protocol
 * (POST /, `X-Amz-Target: AWSStepFunctions.<Operation>`, errors as `{ "__type": ..., "message": ... }`), so the
 * unchanged SfnWorkflow adapter and @aws-sdk/client-sfn reach the local workflow runner through an endpoint
 * override (`AWS_ENDPOINT_URL_SFN` or the client's `endpoint`). Requests are not signature-checked: it only
 * listens on loopback.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An API error as Step Functions names it (ExecutionAlreadyExists, TaskDoesNotExist, ...). */
export class StepFunctionsError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = code;
  }
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** What the stand-in needs from the runner behind it. */
export interface StepFunctionsBackend {
  startExecution(stateMachineArn: string, name: string, input: string): Promise<{ executionArn: string; startDate: Date }>;
  sendTaskSuccess(token: string, output: string): Promise<void>;
  sendTaskFailure(token: string, error: string | undefined, cause: string | undefined): Promise<void>;
  describeExecution(executionArn: string): Promise<{
    executionArn: string;
    stateMachineArn: string;
    name: string;
    status: ExecutionStatus;
    startDate: Date;
    stopDate?: Date;
    input: string;
  }>;
  stopExecution(executionArn: string): Promise<{ stopDate: Date }>;
}

/** Request bodies are IDs and tokens: anything bigger is not ours. */
const MAX_BODY_BYTES = 256 * 1024;

type Body = Record<string, unknown>;
const str = (body: Body, key: string): string => {
  const v = body[key];
  if (typeof v !== 'string' || v === '') throw new StepFunctionsError('ValidationException', `${key} is required`);
  return v;
};
const optional = (body: Body, key: string): string | undefined => (typeof body[key] === 'string' ? (body[key] as string) : undefined);
/** AWS JSON timestamps are epoch seconds. */
const epoch = (d: Date | undefined) => (d ? d.getTime() / 1000 : undefined);

export class SfnStandIn {
  private server: Server | undefined;

  constructor(private readonly backend: StepFunctionsBackend) {}

  /** Listens on 127.0.0.1 (port 0: any free port); returns the endpoint URL. */
  async listen(port = 0): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return this.endpoint;
  }

  get endpoint(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('the Step Functions stand-in is not listening: call listen() first');
    return `http://127.0.0.1:${address.port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
      const body = await readJson(req);
      reply(res, 200, await this.dispatch(operation, body));
    } catch (e) {
      const error = e instanceof StepFunctionsError ? e : new StepFunctionsError('InternalFailure', (e as Error).message);
      reply(res, error.code === 'InternalFailure' ? 500 : 400, { __type: error.code, message: error.message });
    }
  }

  private async dispatch(operation: string, body: Body): Promise<Body> {
    const b = this.backend;
    switch (operation) {
      case 'StartExecution': {
        const out = await b.startExecution(str(body, 'stateMachineArn'), str(body, 'name'), optional(body, 'input') ?? '{}');
        return { executionArn: out.executionArn, startDate: epoch(out.startDate) };
      }
      case 'SendTaskSuccess':
        await b.sendTaskSuccess(str(body, 'taskToken'), optional(body, 'output') ?? '{}');
        return {};
      case 'SendTaskFailure':
        await b.sendTaskFailure(str(body, 'taskToken'), optional(body, 'error'), optional(body, 'cause'));
        return {};
      case 'DescribeExecution': {
        const d = await b.describeExecution(str(body, 'executionArn'));
        return { ...d, startDate: epoch(d.startDate), stopDate: epoch(d.stopDate) };
      }
      case 'StopExecution':
        return { stopDate: epoch((await b.stopExecution(str(body, 'executionArn'))).stopDate) };
      default:
        throw new StepFunctionsError('UnknownOperationException', `the local stand-in does not implement ${JSON.stringify(operation)}`);
    }
  }
}

async function readJson(req: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new StepFunctionsError('ValidationException', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Body;
  } catch {
    // fall through
  }
  throw new StepFunctionsError('SerializationException', 'the request body is not a JSON object');
}

function reply(res: ServerResponse, status: number, body: Body): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}
