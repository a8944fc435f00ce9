/**
 * The local stack's control API: JSON over HTTP on 127.0.0.1, for the CLI while `secintake start` runs (only one
 * process can open dynalite's LevelDB). Loopback only, and only what the CLI offers; no report content is logged.
 * Every endpoint but /health needs `Authorization: Bearer <token>`: the token is written to the data folder with
 * 0600 permissions at start (`control.token`), so only the user who runs the stack (and root) can move its clock,
 * replay, import or read the outbox; another local user who finds the port gets 401.
 *
 *   GET  /health                 { pid }
 *   GET  /reports                ReportSummary[]
 *   GET  /reports/<id>           ReportView
 *   GET  /clock                  { now }
 *   POST /clock/advance          { duration }  -> ClockMove
 *   POST /clock/set              { iso }       -> ClockMove
 *   POST /replay                 { sesMessageId, force }  -> IntakeResult
 *   GET  /outbox, /outbox/<n>    OutboxFile[], { file, raw }
 *   POST /import                 { paths, to, sendReceipts } -> NDJSON: one ImportResult per line, then { summary }
 *   POST /promote                { ref }       -> Promotion
 *   GET  /orphans                string[]
 *   GET  /failed                 [{sesMessageId, reason, at}]
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../ports/logger';
import { PortInUse } from '../adapters/local/port-in-use';
import type { ImportResult } from './import-mail';
import type { StackOperations } from './stack-operations';
import { UserError } from './user-error';

const MAX_BODY = 1024 * 1024;

export interface ControlServer {
  port: number;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new UserError('request body too large');
    chunks.push(chunk as Buffer);
  }
  if (!chunks.length) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new UserError('request body is not JSON', 2);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function route(ops: StackOperations, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const key = `${req.method} /${parts[0] ?? ''}${parts.length > 1 ? '/:' : ''}`;
  const body = req.method === 'POST' ? await readJson(req) : {};
  switch (key) {
    case 'GET /health':
      return send(res, 200, { pid: process.pid });
    case 'GET /reports':
      return send(res, 200, await ops.reports());
    case 'GET /reports/:':
      return send(res, 200, await ops.show(parts[1]));
    case 'GET /clock':
      return send(res, 200, await ops.clockNow());
    case 'POST /clock/:':
      if (parts[1] === 'advance') return send(res, 200, await ops.clockAdvance(String(body.duration ?? '')));
      if (parts[1] === 'set') return send(res, 200, await ops.clockSet(String(body.iso ?? '')));
      break;
    case 'POST /replay':
      return send(res, 200, await ops.replay(String(body.sesMessageId ?? ''), body.force === true));
    case 'GET /outbox':
      return send(res, 200, await ops.outbox());
    case 'GET /outbox/:':
      return send(res, 200, await ops.outboxShow(Number(parts[1])));
    case 'GET /orphans':
      return send(res, 200, await ops.orphans());
    case 'GET /failed':
      return send(res, 200, await ops.failedInbound());
    case 'POST /promote':
      return send(res, 200, await ops.promote(String(body.ref ?? '')));
    case 'POST /import': {
      const paths = Array.isArray(body.paths) ? body.paths.map(String) : [];
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      try {
        const summary = await ops.import(paths, { to: typeof body.to === 'string' ? body.to : undefined, sendReceipts: body.sendReceipts === true }, (r) =>
          res.write(JSON.stringify(r) + '\n'),
        );
        res.end(JSON.stringify({ summary }) + '\n');
      } catch (err) {
        res.end(JSON.stringify({ error: (err as Error).message }) + '\n');
      }
      return;
    }
  }
  send(res, 404, { error: `no such control endpoint: ${req.method} ${url.pathname}` });
}

export const controlTokenPath = (data: string) => path.join(data, 'control.token');

/** A new token for this run, written 0600 (created with that mode: never readable by others, even briefly). */
export async function writeControlToken(data: string): Promise<string> {
  const token = randomBytes(32).toString('hex');
  const file = controlTokenPath(data);
  await fs.rm(file, { force: true });
  await fs.writeFile(file, token, { mode: 0o600, flag: 'wx' });
  return token;
}

/** The token of the stack running on this data folder; undefined when the file is missing or unreadable. */
export async function readControlToken(data: string): Promise<string | undefined> {
  try {
    return (await fs.readFile(controlTokenPath(data), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

function authorized(req: IncomingMessage, token: string): boolean {
  const given = Buffer.from(/^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startControlServer(ops: StackOperations, opts: { port?: number; log: Logger; token: string }): Promise<ControlServer> {
  const server: Server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== '/health' && !authorized(req, opts.token)) {
      req.resume();
      return send(res, 401, { error: 'the control API needs the token from the data folder (control.token); run the CLI as the user who started the stack, with the same --data' });
    }
    route(ops, req, res).catch((err: Error) => {
      if (err instanceof UserError) return send(res, 400, { error: err.message, exitCode: err.exitCode });
      opts.log.error('control request failed', { path: req.url, error: `${err.name}: ${err.message}` });
      if (!res.headersSent) send(res, 500, { error: `${err.name}: ${err.message}` });
      else res.end();
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUse(opts.port ?? 0, 'control API') : err),
    );
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The same operations, over the control API of a stack running in another process. */
export function controlClient(port: number, token: string): StackOperations {
  const call = <T>(method: string, pathname: string, body?: unknown, onLine?: (line: unknown) => void) =>
    new Promise<T>((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method,
          path: pathname,
          agent: false, // no keep-alive socket left behind
          headers: {
            authorization: `Bearer ${token}`,
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          },
        },
        (res) => {
          let buffered = '';
          let last: unknown;
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffered += chunk;
            if (!onLine) return;
            let nl: number;
            while ((nl = buffered.indexOf('\n')) >= 0) {
              const line = buffered.slice(0, nl);
              buffered = buffered.slice(nl + 1);
              if (line.trim()) {
                last = JSON.parse(line);
                onLine(last);
              }
            }
          });
          res.on('end', () => {
            try {
              const data = onLine ? last : JSON.parse(buffered);
              const error = (data as { error?: string; exitCode?: 1 | 2 } | undefined)?.error;
              if (res.statusCode !== 200 || error) {
                return reject(new UserError(error ?? `control API answered ${res.statusCode}`, (data as { exitCode?: 1 | 2 }).exitCode ?? 1));
              }
              resolve(data as T);
            } catch (err) {
              reject(err);
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', (err) => reject(new UserError(`cannot reach the running stack on port ${port}: ${err.message}`)));
      req.end(payload);
    });

  return {
    reports: () => call('GET', '/reports'),
    show: (id) => call('GET', `/reports/${encodeURIComponent(id)}`),
    clockNow: () => call('GET', '/clock'),
    clockAdvance: (duration) => call('POST', '/clock/advance', { duration }),
    clockSet: (iso) => call('POST', '/clock/set', { iso }),
    replay: (sesMessageId, force) => call('POST', '/replay', { sesMessageId, force }),
    outbox: () => call('GET', '/outbox'),
    outboxShow: (n) => call('GET', `/outbox/${n}`),
    orphans: () => call('GET', '/orphans'),
    failedInbound: () => call('GET', '/failed'),
    promote: (ref) => call('POST', '/promote', { ref }),
    async import(paths, opts, onResult) {
      const end = await call<{ summary: Awaited<ReturnType<StackOperations['import']>> }>('POST', '/import', { paths, to: opts.to, sendReceipts: opts.sendReceipts === true }, (line) => {
        if (line && typeof line === 'object' && 'outcome' in line) onResult(line as ImportResult);
      });
      return end.summary;
    },
  };
}

/** Whether a control API answers on this port, and with which pid. */
export async function pingControl(port: number): Promise<number | undefined> {
  try {
    const { pid } = await new Promise<{ pid: number }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/health', agent: false, timeout: 2000 }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(text) as { pid: number });
          } catch (err) {
            reject(err);
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end();
    });
    return pid;
  } catch {
    return undefined;
  }
}
