/**
 * A seeded history for the SLA figures: 24 reports (2 quarantined) in two projects, received in March and April
 * 2027, read on 2027-05-01. `calpro` promises in calendar time (24h / 48h / weekly updates / embargo), `bizpro`
 * in working time (8bh / 3bd on Mon-Fri 09:00-17:00 UTC). Every expected figure in sla-figures.test.ts is
 * worked out by hand from the comments here.
 */
import { configSchema, type Config } from '../../lambdas/core/config';
import type { AuditEvent, Report } from '../../lambdas/core/report';
import type { ReportHistory } from '../../lambdas/core/report-figures';

export const SLA_NOW = new Date('2027-05-01T00:00:00Z');

export const slaConfig: Config = configSchema.parse({
  messageIdDomain: 'intake.example.org',
  projects: [
    {
      id: 'calpro',
      name: 'calpro',
      addresses: ['security@calpro.example.org'],
      maintainers: [{ address: 'cal@calpro.example.org', name: 'Cal' }],
      calendar: { timeZone: 'UTC' },
      timers: { acknowledge: { soft: '24h' }, respond: '48h', update: { after: '7d', every: '7d' }, embargo: { default: '72h', max: '14d' } },
    },
    {
      id: 'bizpro',
      name: 'bizpro',
      addresses: ['security@bizpro.example.org'],
      maintainers: [{ address: 'biz@bizpro.example.org', name: 'Biz' }],
      calendar: { timeZone: 'UTC', workingDays: ['mon', 'tue', 'wed', 'thu', 'fri'], workingHours: { start: '09:00', end: '17:00' } },
      timers: { acknowledge: { soft: '8bh', hard: '16bh' }, respond: '3bd' },
    },
  ],
});

const H = 3_600_000;
const after = (iso: string, hours: number) => new Date(new Date(iso).getTime() + hours * H).toISOString();

interface Seed {
  /** Instants as hours after creation (calpro), or as ISO instants (bizpro, where working time matters). */
  ack?: number | string;
  resp?: number | string;
  closed?: number | string;
  disclosed?: number | string;
  embargoUntil?: number;
  updates?: number[];
  quarantined?: boolean;
  status?: Report['status'];
}

let n = 0;
function history(project: string, createdAt: string, s: Seed = {}): ReportHistory {
  const id = `${project.slice(0, 1).toUpperCase()}${String(++n).padStart(3, '0')}-TEST`;
  const at = (v: number | string | undefined) => (v === undefined ? undefined : typeof v === 'number' ? after(createdAt, v) : v);
  const events: AuditEvent[] = [];
  const event = (when: string, type: string, detail: Record<string, unknown>) =>
    events.push({ reportId: id, at: when, key: `${type}:${when}`, type, actor: 'cal@calpro.example.org', detail });
  event(createdAt, 'report.created', {});
  for (const u of s.updates ?? []) event(after(createdAt, u), 'reply.relayed', { internal: false, commands: [] });
  const closed = at(s.closed);
  const disclosed = at(s.disclosed);
  if (closed) event(closed, 'status.changed', { from: 'triaged', to: 'closed' });
  if (disclosed) event(disclosed, 'status.changed', { from: 'fixed', to: 'disclosed' });
  // what other work may add: unknown event types and statuses are ignored by the figures
  event(after(createdAt, 1), 'workflow.something-new', { whatever: true });
  const updates = (s.updates ?? []).map((u) => after(createdAt, u));
  const report: Report = {
    id,
    project,
    status: s.status ?? (disclosed ? 'disclosed' : closed ? 'closed' : at(s.ack) ? 'acknowledged' : 'received'),
    reporter: { address: 'rita@example.net' },
    subject: 'a report',
    createdAt,
    origin: `ses-${id}`,
    securityAddress: `security@${project}.example.org`,
    fired: [],
    version: 1,
    ...(at(s.ack) ? { acknowledgedAt: at(s.ack) } : {}),
    ...(at(s.resp) ? { respondedAt: at(s.resp) } : {}),
    ...(updates.length ? { lastUpdateAt: updates[updates.length - 1] } : {}),
    ...(s.embargoUntil !== undefined
      ? { embargo: { until: after(createdAt, s.embargoUntil), setAt: createdAt, setBy: 'cal@calpro.example.org' }, embargoAnchorAt: createdAt }
      : {}),
    ...(s.quarantined ? { quarantine: { reason: 'spam' } } : {}),
  };
  return { report, events };
}

export function slaHistory(): ReportHistory[] {
  n = 0;
  return [
    // calpro, March: ack 2/5/10/30(late)/-(closed first)/1 h; respond 20/30/47/60(late)/-/never (closed at 150h)
    history('calpro', '2027-03-01T10:00:00Z', { ack: 2, resp: 20, closed: 72 }),
    history('calpro', '2027-03-02T10:00:00Z', { ack: 5, resp: 30, closed: 72 }),
    history('calpro', '2027-03-03T10:00:00Z', { ack: 10, resp: 47, closed: 100 }),
    history('calpro', '2027-03-04T10:00:00Z', { ack: 30, resp: 60, closed: 120 }),
    history('calpro', '2027-03-05T10:00:00Z', { closed: 10 }),
    history('calpro', '2027-03-08T10:00:00Z', { ack: 1, closed: 150 }),
    history('calpro', '2027-03-09T10:00:00Z', { quarantined: true }),
    // calpro, April
    history('calpro', '2027-04-01T10:00:00Z', { ack: 4, resp: 24, closed: 96 }),
    // updates at 20h (meets the point at 168h), 40h (meets 188h), 180h (meets 208h); disclosed at 200h, after
    // its embargo's end at 120h: kept
    history('calpro', '2027-04-05T10:00:00Z', { ack: 20, resp: 40, updates: [20, 40, 180], embargoUntil: 120, disclosed: 200 }),
    // open, no update: the points at 168h and 336h were missed by 2027-05-01 (494h), 504h is ahead
    history('calpro', '2027-04-10T10:00:00Z', { ack: 3, resp: 50, status: 'triaged' }),
    // disclosed at 100h, before its embargo's end at 192h: broken
    history('calpro', '2027-04-12T10:00:00Z', { ack: 6, resp: 30, embargoUntil: 192, disclosed: 100 }),
    history('calpro', '2027-04-20T10:00:00Z', { ack: 8, resp: 12, closed: 48 }),
    // not acknowledged by 2027-04-30T10:00: missed; the response is due after now
    history('calpro', '2027-04-29T10:00:00Z'),

    // bizpro, March (working hours Mon-Fri 09-17 UTC; acknowledge 8bh, respond 3bd = 24bh)
    // Mon 10:00 -> ack Mon 12:00 (2h), respond Wed 10:00 (7+8+1 = 16h)
    history('bizpro', '2027-03-01T10:00:00Z', { ack: '2027-03-01T12:00:00Z', resp: '2027-03-03T10:00:00Z', closed: '2027-03-05T10:00:00Z' }),
    // Fri 16:00 -> ack Mon 10:00 (1+1 = 2h of work, 66h elapsed), respond Tue 17:00 (1+8+8 = 17h)
    history('bizpro', '2027-03-05T16:00:00Z', { ack: '2027-03-08T10:00:00Z', resp: '2027-03-09T17:00:00Z', closed: '2027-03-10T10:00:00Z' }),
    // Sat 12:00 counts from Mon 09:00 -> ack Mon 13:00 (4h), respond Mon 15:00 (6h)
    history('bizpro', '2027-03-06T12:00:00Z', { ack: '2027-03-08T13:00:00Z', resp: '2027-03-08T15:00:00Z', closed: '2027-03-12T10:00:00Z' }),
    // Tue 09:00 -> ack Wed 11:00 (8+2 = 10h: late, due Tue 17:00), respond Fri 10:00 (8+8+8+1 = 25h: late)
    history('bizpro', '2027-03-09T09:00:00Z', { ack: '2027-03-10T11:00:00Z', resp: '2027-03-12T10:00:00Z', closed: '2027-03-15T10:00:00Z' }),
    // Wed 14:00 -> ack 15:30 (1.5h); closed Thu 10:00 before the response was due: stopped
    history('bizpro', '2027-03-10T14:00:00Z', { ack: '2027-03-10T15:30:00Z', closed: '2027-03-11T10:00:00Z' }),
    // Thu 09:00, never answered: both missed
    history('bizpro', '2027-03-11T09:00:00Z'),
    // Mon 09:00 -> ack 09:30 (0.5h), respond Tue 09:30 (8.5h)
    history('bizpro', '2027-03-15T09:00:00Z', { ack: '2027-03-15T09:30:00Z', resp: '2027-03-16T09:30:00Z' }),
    history('bizpro', '2027-03-15T10:00:00Z', { quarantined: true }),
    // bizpro, April. Thu 16:00 -> ack Fri 16:00 (1+7 = 8h: exactly in time), respond Mon 12:00 (1+8+3 = 12h)
    history('bizpro', '2027-04-01T16:00:00Z', { ack: '2027-04-02T16:00:00Z', resp: '2027-04-05T12:00:00Z' }),
    // Fri 12:00 -> ack Mon 12:00 (5+3 = 8h: in time), respond Wed 12:00 (5+8+8+3 = 24h: in time)
    history('bizpro', '2027-04-09T12:00:00Z', { ack: '2027-04-12T12:00:00Z', resp: '2027-04-14T12:00:00Z' }),
    // Tue 09:00 -> ack Wed 11:00 (10h: late), respond Thu 12:00 (8+8+3 = 19h)
    history('bizpro', '2027-04-13T09:00:00Z', { ack: '2027-04-14T11:00:00Z', resp: '2027-04-15T12:00:00Z' }),
  ];
}
