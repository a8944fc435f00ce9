import type { Report } from '../../lambdas/core/report';
import { ReportIdTaken, VersionConflict } from '../../lambdas/ports/report-store';
import { MemoryReportStore, OutboxItemNotFound } from './memory-report-store';

const report: Report = {
  id: 'AAAA-BBBB',
  project: 'bases',
  status: 'received',
  reporter: { address: 'jane@reporter.example' },
  subject: 's',
  createdAt: '2027-03-12T21:02:00.000Z',
  origin: 'ses-1',
  securityAddress: 'security@bases.example',
  fired: [],
  version: 1,
  nextDueAt: '2027-03-13T21:02:00.000Z',
};

describe('MemoryReportStore (behaves like DynamoReportStore)', () => {
  it('creates conditionally: the same origin is a retry, another origin is a taken ID', async () => {
    const store = new MemoryReportStore();
    expect(await store.createReport(report)).toBe('created');
    expect(await store.createReport(report)).toBe('exists');
    await expect(store.createReport({ ...report, origin: 'ses-2' })).rejects.toBeInstanceOf(ReportIdTaken);
  });

  it('updates only from the expected version, bumps it, and removes keys patched to undefined', async () => {
    const store = new MemoryReportStore();
    await store.createReport(report);
    const next = await store.updateReport(report.id, 1, { status: 'acknowledged', nextDueAt: undefined });
    expect(next.version).toBe(2);
    expect('nextDueAt' in next).toBe(false);
    await expect(store.updateReport(report.id, 1, { status: 'triaged' })).rejects.toBeInstanceOf(VersionConflict);
    await expect(store.updateReport('NONE-NONE', 1, {})).rejects.toBeInstanceOf(VersionConflict);
    expect((await store.getReport(report.id))?.status).toBe('acknowledged');
  });

  it('hands out copies: mutating a returned report changes nothing stored', async () => {
    const store = new MemoryReportStore();
    await store.createReport(report);
    const got = (await store.getReport(report.id))!;
    got.fired.push('x');
    expect((await store.getReport(report.id))!.fired).toEqual([]);
  });

  it('keeps outbox items conditional and refuses to mark an unknown one sent', async () => {
    const store = new MemoryReportStore();
    const item = { id: 'receipt', reportId: report.id, kind: 'receipt', to: ['a@b.example'], state: 'pending' as const, createdAt: 't', messageId: 'm@x', subject: 's' };
    expect(await store.putOutbox(item)).toBe('created');
    expect(await store.putOutbox({ ...item, subject: 'other' })).toBe('exists');
    expect((await store.getOutbox(report.id, 'receipt'))?.subject).toBe('s');
    await expect(store.markOutboxSent(report.id, 'nope', 'p', 't')).rejects.toBeInstanceOf(OutboxItemNotFound);
  });

  it('finds a report by the first known Message-ID, lists by project in deadline order, counts per window', async () => {
    const store = new MemoryReportStore();
    await store.createReport(report);
    await store.createReport({ ...report, id: 'CCCC-DDDD', origin: 'ses-3', nextDueAt: '2027-03-12T22:00:00.000Z' });
    await store.appendToReport({ threadIndex: [{ messageId: 'b@x', reportId: 'CCCC-DDDD' }, { messageId: 'a@x', reportId: report.id }] });
    expect(await store.findReportByMessageIds(['zz@x', 'a@x', 'b@x'])).toBe(report.id);
    expect((await store.listReports({ project: 'bases' })).map((r) => r.id)).toEqual(['CCCC-DDDD', 'AAAA-BBBB']);
    expect(await store.listReports({ project: 'bases', status: ['closed'] })).toEqual([]);
    expect(await store.incrementCounter('receipt:a', '2027-03-12T21')).toBe(1);
    expect(await store.incrementCounter('receipt:a', '2027-03-12T21')).toBe(2);
    expect(await store.incrementCounter('receipt:a', '2027-03-12T22')).toBe(1);
  });
  it('createReportWith is all or nothing, as the table\'s transaction: created, exists, claimed by another, or a taken ID', async () => {
    const store = new MemoryReportStore();
    const pending = { id: 'receipt', reportId: report.id, kind: 'receipt', to: ['a@b.example'], state: 'pending' as const, createdAt: 't', messageId: 'm@x', subject: 's' };
    expect(await store.createReportWith(report, { claim: { key: 'k', owner: 'ses-1' }, items: { outbox: [pending] } })).toBe('created');
    expect(await store.getReportAndClaim(report.id, 'k')).toEqual({ report, claimOwner: 'ses-1' });
    expect(await store.createReportWith(report, { claim: { key: 'k', owner: 'ses-1' }, items: {} })).toBe('exists');
    const other = { ...report, id: 'CCCC-DDDD', origin: 'ses-2' };
    expect(await store.createReportWith(other, { claim: { key: 'k', owner: 'ses-2' }, items: { outbox: [{ ...pending, reportId: other.id }] } })).toEqual({ claimedBy: 'ses-1' });
    expect(await store.getReport(other.id)).toBeUndefined();
    expect(await store.getOutbox(other.id, 'receipt')).toBeUndefined();
    await expect(store.createReportWith({ ...report, origin: 'ses-3' }, { items: {} })).rejects.toBeInstanceOf(ReportIdTaken);
  });
});
