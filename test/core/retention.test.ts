import { parseCommands } from '../../lambdas/core/commands';
import { applyCommands } from '../../lambdas/core/apply-commands';
import { configSchema, type Project } from '../../lambdas/core/config';
import type { AuditEvent, Report } from '../../lambdas/core/report';
import { retentionPlan } from '../../lambdas/core/retention';

const project = (retention?: Project['retention']): Project =>
  configSchema.parse({
    messageIdDomain: 'intake.example.org',
    projects: [
      {
        id: 'p',
        name: 'p',
        addresses: ['security@p.example.org'],
        maintainers: [{ address: 'm@p.example.org' }],
        escalation: ['lead@p.example.org'],
        calendar: { timeZone: 'UTC' },
        timers: { acknowledge: { soft: '24h' } },
        ...(retention ? { retention } : {}),
      },
    ],
  }).projects[0];

const report = (o: Partial<Report> = {}): Report =>
  ({ id: 'R1', project: 'p', status: 'closed', reporter: { address: 'r@x.net' }, subject: 's', createdAt: '2027-01-01T00:00:00.000Z', origin: 'o', securityAddress: 'security@p.example.org', fired: [], version: 1, ...o }) as Report;
const changed = (to: string, at: string): AuditEvent => ({ reportId: 'R1', at, key: at, type: 'status.changed', actor: 'm', detail: { to } });

describe('retention plan', () => {
  test('counts from the first closing or disclosure; the audit skeleton outlives the records', () => {
    const p = project({ closedReportDays: 30, keepAuditDays: 365, redactAfterDisclosureDays: 7 });
    const events = [changed('disclosed', '2027-02-01T00:00:00.000Z'), changed('closed', '2027-03-01T00:00:00.000Z')];
    expect(retentionPlan(report({ status: 'closed' }), events, p)).toEqual({
      expiresAt: new Date('2027-03-03T00:00:00.000Z'),
      auditExpiresAt: new Date('2028-02-01T00:00:00.000Z'),
      redactAt: new Date('2027-02-08T00:00:00.000Z'),
    });
  });

  test('nothing for an open report, a report on hold, or a project without retention', () => {
    const p = project({ closedReportDays: 30 });
    expect(retentionPlan(report({ status: 'triaged' }), [], p)).toEqual({});
    expect(retentionPlan(report({ hold: { since: '2027-01-02T00:00:00Z', by: 'm' } }), [changed('closed', '2027-01-02T00:00:00Z')], p)).toEqual({});
    expect(retentionPlan(report(), [], project())).toEqual({});
  });

  test('keepAuditDays shorter than closedReportDays is a config error', () => {
    expect(() => project({ closedReportDays: 30, keepAuditDays: 10 })).toThrow(/keepAuditDays 10 is shorter than closedReportDays 30/);
  });
});

describe('Hold and Redact commands', () => {
  const now = new Date('2027-01-05T00:00:00Z');
  test('Hold: yes by a lead sets the hold, Hold: no lifts it; each an audit change; a maintainer is refused', () => {
    const on = applyCommands(report({ status: 'triaged' }), parseCommands('Hold: yes\n\nhi', now).commands, now, project(), 'lead@p.example.org');
    expect(on.patch.hold).toEqual({ since: now.toISOString(), by: 'lead@p.example.org' });
    expect(on.changes).toEqual([{ type: 'hold.set', detail: { from: 'no', to: 'yes' } }]);
    const off = applyCommands(report({ hold: { since: 'x', by: 'm' } }), parseCommands('Hold: no', now).commands, now, project(), 'lead@p.example.org');
    expect('hold' in off.patch && off.patch.hold === undefined).toBe(true);
    const maintainer = applyCommands(report({ hold: { since: 'x', by: 'm' } }), parseCommands('Hold: no', now).commands, now, project(), 'm@p.example.org');
    expect(maintainer.refusals[0]!.reason).toMatch(/only a lead/);
    expect('hold' in maintainer.patch).toBe(false);
  });

  test('Redact: yes by a lead is refused on hold, and asks for the redaction otherwise; a maintainer is refused', () => {
    const cmds = parseCommands('Redact: yes', now).commands;
    expect(applyCommands(report({ hold: { since: 'x', by: 'm' } }), cmds, now, project(), 'lead@p.example.org').refusals[0].reason).toMatch(/legal hold/);
    expect(applyCommands(report(), cmds, now, project(), 'lead@p.example.org')).toMatchObject({ redact: true, changes: [{ type: 'retention.redacted' }] });
    expect(applyCommands(report(), cmds, now, project(), 'm@p.example.org')).toMatchObject({ refusals: [{ reason: expect.stringMatching(/only a lead/) }] });
    expect(parseCommands('Redact: maybe', now).errors[0].reason).toMatch(/only value is "yes"/);
  });
});
