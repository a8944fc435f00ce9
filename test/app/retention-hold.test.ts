/**
 * A hold put on a report whose expiry was already set (issue 19): the next retention run removes the TTL from
 * every item, on the real DynamoDB adapter (dynalite), so nothing is deleted however far the clock goes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyRetention } from '../../lambdas/app/retention';
import type { DynamoReportStore } from '../../lambdas/adapters/aws/dynamo-report-store';
import { startLocalStack, type LocalStack } from '../../lambdas/local/stack';
import { SLA_NOW, slaConfig } from '../support/sla-history';

let dir: string;
let stack: LocalStack;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secintake-hold-'));
  const config = { ...slaConfig, projects: slaConfig.projects.map((p) => ({ ...p, retention: { closedReportDays: 30 } })) };
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  stack = await startLocalStack({ config: join(dir, 'config.json'), data: join(dir, 'data'), listen: false, resume: false, frozenClock: true, startAt: SLA_NOW });
}, 30_000);
afterAll(async () => {
  await stack?.close();
  await rm(dir, { recursive: true, force: true });
});

test('Hold after the expiry was set removes it; nothing is deleted while it holds', async () => {
  const { store } = stack.deps;
  const closedAt = '2027-04-01T00:00:00.000Z';
  await store.createReport({ id: 'HOLD-0001', project: 'calpro', status: 'closed', reporter: { address: 'r@example.net' }, subject: 's', createdAt: '2027-03-30T00:00:00.000Z', origin: 'o-hold', securityAddress: 'security@calpro.example.org', fired: [], version: 1 });
  await store.appendToReport({
    events: [{ reportId: 'HOLD-0001', at: closedAt, key: 'k', type: 'status.changed', actor: 'cal@calpro.example.org', detail: { to: 'closed' } }],
    messages: [{ reportId: 'HOLD-0001', at: '2027-03-30T00:00:00.000Z', id: 'm1', direction: 'in', from: { address: 'r@example.net' }, to: [], role: 'reporter', subject: 's', checks: [], excerpt: 'text', attachments: [] }],
  });
  expect((await applyRetention(stack.deps)).expiring).toEqual(['HOLD-0001']);
  expect((await store.getReport('HOLD-0001'))!.retention).toEqual({ expiresAt: '2027-05-01T00:00:00.000Z', auditExpiresAt: '2027-05-01T00:00:00.000Z' });

  const current = (await store.getReport('HOLD-0001'))!;
  await store.updateReport(current.id, current.version, { hold: { since: SLA_NOW.toISOString(), by: 'cal@calpro.example.org' } });
  expect((await applyRetention(stack.deps)).released).toEqual(['HOLD-0001']);
  const held = (await store.getReport('HOLD-0001'))!;
  expect(held.retention?.expiresAt).toBeUndefined();
  expect((await store.listEvents('HOLD-0001')).map((e) => e.type).sort()).toEqual(['retention.expiry-removed', 'retention.expiry-set', 'status.changed']);

  expect(await (store as DynamoReportStore).deleteExpired(Math.floor(new Date('2030-01-01T00:00:00Z').getTime() / 1000))).toBe(0);
  expect(await store.listMessages('HOLD-0001')).toHaveLength(1);
}, 60_000);
