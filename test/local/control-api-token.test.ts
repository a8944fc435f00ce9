/**
 * The control API (issue: any local user could move the clock, replay, import and read the outbox): loopback
 * only, and every endpoint but /health needs the token the stack writes to the data folder with 0600.
 */
import { mkdtemp, rm, stat, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlClient } from '../../lambdas/local/control-server';
import { startLocalStack, type LocalStack } from '../../lambdas/local/stack';

const ROOT = join(__dirname, '../..');

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? '{"duration":"72h"}' : undefined);
  });
}

describe('control API token', () => {
  let data: string;
  let stack: LocalStack;
  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), 'secintake-control-'));
    stack = await startLocalStack({ config: join(ROOT, 'examples/bases.json'), data, frozenClock: true, startAt: new Date('2027-03-09T10:00:00Z'), port: 0 });
  });
  afterAll(async () => {
    await stack.close();
    await rm(data, { recursive: true, force: true });
  });

  it('writes the token to the data folder, readable by its owner only', async () => {
    const file = join(data, 'control.token');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(stack.controlToken);
    expect(stack.controlToken).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses every endpoint but /health without the token, or with a wrong one', async () => {
    expect((await get(stack.controlPort, '/health')).status).toBe(200);
    for (const path of ['/reports', '/clock', '/outbox', '/failed', '/orphans']) {
      expect((await get(stack.controlPort, path)).status).toBe(401);
      expect((await get(stack.controlPort, path, { authorization: `Bearer ${'0'.repeat(64)}` })).status).toBe(401);
    }
    const before = (await controlClient(stack.controlPort, stack.controlToken).clockNow()).now;
    expect((await get(stack.controlPort, '/clock/advance', { 'content-type': 'application/json' }, 'POST')).status).toBe(401);
    expect((await controlClient(stack.controlPort, stack.controlToken).clockNow()).now).toBe(before);
  });

  it('answers the CLI client, which sends the token', async () => {
    expect(await controlClient(stack.controlPort, stack.controlToken).reports()).toEqual([]);
  });

  it('removes the token when the stack stops', async () => {
    const other = await mkdtemp(join(tmpdir(), 'secintake-control-'));
    const s = await startLocalStack({ config: join(ROOT, 'examples/bases.json'), data: other, frozenClock: true, port: 0 });
    await s.close();
    await expect(stat(join(other, 'control.token'))).rejects.toThrow(/ENOENT/);
    await rm(other, { recursive: true, force: true });
  });
});
