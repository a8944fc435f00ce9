/**
 * An in-memory ReportStore that behaves like DynamoReportStore (same key layout and ordering, conditional
 * creates, optimistic version checks, `undefined` in a patch removes the attribute, copies in and out so a
 * caller mutating a returned object changes nothing stored). For use-case tests; the adapter's own tests run
 * on dynalite.
 */
import { OutboxItemNotFound } from '../../lambdas/adapters/aws/dynamo-report-store';
import type { AuditEvent, InboundRecord, MessageRecord, OutboxItem, Report, ReportStatus } from '../../lambdas/core/report';
import { REPORT_STATUSES } from '../../lambdas/core/report';
import { heldHour, type HeldMessage } from '../../lambdas/core/held';
import { ReportIdTaken, VersionConflict, type ReportItems, type ReportStore } from '../../lambdas/ports/report-store';

export { OutboxItemNotFound };

const copy = <T>(value: T): T => structuredClone(value);

/** Drops keys whose value is undefined, as the DynamoDB document client does (`removeUndefinedValues`). */
function stored<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export class MemoryReportStore implements ReportStore {
  private readonly inbound = new Map<string, InboundRecord>();
  private readonly reports = new Map<string, Report>();
  /** pk REPORT#<id> -> sk -> item, like the table (MSG#<at>#<id>, EVENT#<at>#<key>, OUTBOX#<id>). */
  private readonly reportItems = new Map<string, Map<string, MessageRecord | AuditEvent | OutboxItem>>();
  private readonly threadIndex = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  /** Every write call, by method name: tests can assert that something was (not) written. */
  readonly writes: string[] = [];

  async getInbound(sesMessageId: string): Promise<InboundRecord | undefined> {
    const record = this.inbound.get(sesMessageId);
    return record && copy(record);
  }

  async putInbound(record: InboundRecord): Promise<void> {
    this.writes.push('putInbound');
    this.inbound.set(record.sesMessageId, stored(record));
  }

  async listFailedInbound(): Promise<InboundRecord[]> {
    return [...this.inbound.values()]
      .filter((r) => r.state === 'failed')
      .sort((a, b) => a.at.localeCompare(b.at))
      .map(copy);
  }

  async createReport(report: Report): Promise<'created' | 'exists'> {
    this.writes.push('createReport');
    const existing = this.reports.get(report.id);
    if (!existing) {
      this.reports.set(report.id, stored(report));
      return 'created';
    }
    if (existing.origin === report.origin) return 'exists';
    throw new ReportIdTaken(report.id);
  }

  async getReport(id: string): Promise<Report | undefined> {
    const report = this.reports.get(id);
    return report && copy(report);
  }

  async updateReport(id: string, expectedVersion: number, patch: Partial<Report>): Promise<Report> {
    this.writes.push('updateReport');
    const current = this.reports.get(id);
    if (!current || current.version !== expectedVersion) throw new VersionConflict(id);
    const next: Report = { ...copy(current), ...copy(patch), id, project: current.project, version: expectedVersion + 1 };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) delete (next as unknown as Record<string, unknown>)[key];
    }
    this.reports.set(id, stored(next));
    return copy(this.reports.get(id)!);
  }

  async listReports(filter: { project?: string; status?: ReportStatus[] } = {}): Promise<Report[]> {
    const statuses = new Set<ReportStatus>(filter.status ?? REPORT_STATUSES);
    const matching = [...this.reports.values()].filter(
      (r) => statuses.has(r.status) && (filter.project === undefined || r.project === filter.project),
    );
    if (filter.project !== undefined) {
      // the byProject GSI order: soonest deadline first, reports without one by arrival
      const key = (r: Report) => `${r.nextDueAt ?? r.createdAt}#${r.id}`;
      matching.sort((a, b) => key(a).localeCompare(key(b)));
    } else {
      matching.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    }
    return matching.map(copy);
  }

  async appendToReport(items: {
    messages?: MessageRecord[];
    threadIndex?: { messageId: string; reportId: string }[];
    events?: AuditEvent[];
    outbox?: OutboxItem[];
  }): Promise<void> {
    this.writes.push('appendToReport');
    this.putItems(items);
  }

  private putItems(items: ReportItems): void {
    for (const o of items.outbox ?? []) this.itemsOf(o.reportId).set(`OUTBOX#${o.id}`, stored(o));
    for (const m of items.messages ?? []) this.itemsOf(m.reportId).set(`MSG#${m.at}#${m.id}`, stored(m));
    for (const t of items.threadIndex ?? []) this.threadIndex.set(t.messageId, t.reportId);
    for (const e of items.events ?? []) this.itemsOf(e.reportId).set(`EVENT#${e.at}#${e.key}`, stored(e));
  }

  async getReportAndClaim(reportId: string, claimKey?: string): Promise<{ report?: Report; claimOwner?: string }> {
    const report = await this.getReport(reportId);
    const owner = claimKey === undefined ? undefined : this.claims.get(claimKey);
    return { ...(report ? { report } : {}), ...(owner !== undefined ? { claimOwner: owner } : {}) };
  }

  /** All or nothing, as the table's transaction: the conditions are checked before anything is written. */
  async createReportWith(report: Report, opts: { claim?: { key: string; owner: string }; items: ReportItems }): Promise<'created' | 'exists' | { claimedBy: string }> {
    this.writes.push('createReportWith');
    const { claim } = opts;
    const held = claim && this.claims.get(claim.key);
    if (claim && held !== undefined && held !== claim.owner) return { claimedBy: held };
    const existing = this.reports.get(report.id);
    if (existing) {
      if (existing.origin === report.origin) return 'exists';
      throw new ReportIdTaken(report.id);
    }
    if (claim) this.claims.set(claim.key, claim.owner);
    this.reports.set(report.id, stored(report));
    this.putItems(opts.items);
    return 'created';
  }

  async appendAndRecordInbound(items: ReportItems, record: InboundRecord): Promise<void> {
    this.writes.push('appendAndRecordInbound');
    this.putItems(items);
    this.inbound.set(record.sesMessageId, stored(record));
  }

  async listMessages(reportId: string): Promise<MessageRecord[]> {
    return this.withPrefix<MessageRecord>(reportId, 'MSG#');
  }

  async listEvents(reportId: string): Promise<AuditEvent[]> {
    return this.withPrefix<AuditEvent>(reportId, 'EVENT#');
  }

  async findReportByMessageIds(messageIds: string[]): Promise<string | undefined> {
    for (const id of messageIds) {
      if (id.length > 0 && this.threadIndex.has(id)) return this.threadIndex.get(id);
    }
    return undefined;
  }

  async putOutbox(item: OutboxItem): Promise<'created' | 'exists'> {
    this.writes.push('putOutbox');
    const items = this.itemsOf(item.reportId);
    if (items.has(`OUTBOX#${item.id}`)) return 'exists';
    items.set(`OUTBOX#${item.id}`, stored(item));
    return 'created';
  }

  async getOutbox(reportId: string, id: string): Promise<OutboxItem | undefined> {
    const item = this.reportItems.get(reportId)?.get(`OUTBOX#${id}`) as OutboxItem | undefined;
    return item && copy(item);
  }

  async markOutboxSent(reportId: string, id: string, providerId: string, sentAt: string): Promise<void> {
    this.writes.push('markOutboxSent');
    const items = this.reportItems.get(reportId);
    const item = items?.get(`OUTBOX#${id}`) as OutboxItem | undefined;
    if (!items || !item) throw new OutboxItemNotFound(reportId, id);
    items.set(`OUTBOX#${id}`, { ...item, state: 'sent', sentAt, providerId });
  }

  async listOutbox(reportId?: string): Promise<OutboxItem[]> {
    const all =
      reportId !== undefined
        ? this.withPrefix<OutboxItem>(reportId, 'OUTBOX#')
        : [...this.reportItems.keys()].flatMap((id) => this.withPrefix<OutboxItem>(id, 'OUTBOX#'));
    return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  private readonly held = new Map<string, HeldMessage>();
  async putHeld(held: HeldMessage): Promise<void> {
    this.writes.push('putHeld');
    this.held.set(held.ref, stored(held));
  }

  async getHeld(ref: string): Promise<HeldMessage | undefined> {
    const h = this.held.get(ref);
    return h && copy(h);
  }

  async listHeld(project: string, hour: string): Promise<HeldMessage[]> {
    return [...this.held.values()]
      .filter((h) => h.project === project && heldHour(h.heldAt) === hour)
      .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.ref.localeCompare(b.ref))
      .map(copy);
  }

  private readonly claims = new Map<string, string>();
  async claimOnce(key: string, owner: string): Promise<string> {
    this.writes.push('claimOnce');
    if (!this.claims.has(key)) this.claims.set(key, owner);
    return this.claims.get(key)!;
  }

  /** Retention TTLs by report (the table stamps every item; here one entry per report says the same). */
  readonly expiries = new Map<string, { records: number; audit: number }>();

  async setExpiry(reportId: string, expiry: { records: number; audit: number } | undefined): Promise<void> {
    this.writes.push('setExpiry');
    if (expiry) this.expiries.set(reportId, { ...expiry });
    else this.expiries.delete(reportId);
  }

  async incrementCounter(key: string, window: string, by = 1): Promise<number> {
    this.writes.push('incrementCounter');
    const k = `RATE#${key}#${window}`;
    const n = (this.counters.get(k) ?? 0) + by;
    this.counters.set(k, n);
    return n;
  }

  private itemsOf(reportId: string): Map<string, MessageRecord | AuditEvent | OutboxItem> {
    let items = this.reportItems.get(reportId);
    if (!items) {
      items = new Map();
      this.reportItems.set(reportId, items);
    }
    return items;
  }

  /** Items of one report whose sort key starts with `prefix`, in sort-key order (a Query's order). */
  private withPrefix<T>(reportId: string, prefix: string): T[] {
    const items = this.reportItems.get(reportId);
    if (!items) return [];
    return [...items.entries()]
      .filter(([sk]) => sk.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, item]) => copy(item) as T);
  }
}
