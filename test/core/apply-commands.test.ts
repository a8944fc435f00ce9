/**
 * What maintainers' commands do to a report (pure): the patch, the audit entries, and refusals that leave the
 * whole message unapplied.
 */
import { applyCommands, resolveEmbargo } from '../../lambdas/core/apply-commands';
import { parseCommands } from '../../lambdas/core/commands';
import { parseConfig } from '../../lambdas/core/config-errors';
import type { Report } from '../../lambdas/core/report';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const bases = parseConfig(JSON.parse(readFileSync(join(__dirname, '../../examples/bases.json'), 'utf8'))).projects[0];
const now = new Date('2027-03-13T10:00:00Z');
const report: Report = {
  id: 'K7QM-2XPD',
  project: 'bases',
  status: 'received',
  reporter: { address: 'jane@reporter.example' },
  subject: 'Heap overflow',
  createdAt: '2027-03-12T21:02:00.000Z',
  origin: 'ses-1',
  securityAddress: 'security@hashberg.io',
  fired: [],
  version: 3,
};
const apply = (text: string, r: Report = report) => {
  const parsed = parseCommands(text, now, { defaultDuration: '72h', max: '14d' });
  expect(parsed.errors).toEqual([]);
  return applyCommands(r, parsed.commands, now, bases, 'alice@hashberg.io');
};

test('Status: acknowledged sets the acknowledgment, not the detailed response', () => {
  const e = apply('Status: acknowledged\n');
  expect(e.patch).toEqual({ status: 'acknowledged', acknowledgedAt: now.toISOString() });
  expect(e.changes).toEqual([{ type: 'status.changed', detail: { from: 'received', to: 'acknowledged' } }]);
});

test('Status: triaged acknowledges (the use case then tells the reporter); a status alone is never the detailed response', () => {
  expect(apply('Status: triaged\n').patch).toEqual({ status: 'triaged', acknowledgedAt: now.toISOString() });
  const acked = { ...report, acknowledgedAt: '2027-03-13T08:00:00.000Z' };
  expect(apply('Status: triaged\n', acked).patch).toEqual({ status: 'triaged' });
});

test('closing takes its reason, and a duplicate names the report it duplicates', () => {
  expect(apply('Status: closed duplicate of k7qm-2xpe\n').patch).toMatchObject({ status: 'closed', closeReason: 'duplicate', duplicateOf: 'K7QM-2XPE' });
  expect(apply('Status: closed wontfix\n').patch).toMatchObject({ status: 'closed', closeReason: 'wontfix' });
});

test('an embargo as a duration or an instant; none lifts it', () => {
  expect(apply('Embargo: 72h\n').patch.embargo).toEqual({ until: '2027-03-16T10:00:00.000Z', setAt: now.toISOString(), setBy: 'alice@hashberg.io' });
  expect(apply('Embargo: 2027-03-20 12:00 UTC\n').patch.embargo?.until).toBe('2027-03-20T12:00:00.000Z');
  expect(apply('Embargo: default\n').patch.embargo?.until).toBe('2027-03-16T10:00:00.000Z');
  const embargoed = { ...report, embargo: { until: '2027-03-16T10:00:00.000Z', setAt: '', setBy: '' } };
  const lifted = apply('Embargo: none\n', embargoed);
  expect('embargo' in lifted.patch && lifted.patch.embargo === undefined).toBe(true);
  expect(lifted.changes[0]).toMatchObject({ type: 'embargo.lifted', detail: { from: '2027-03-16T10:00:00.000Z' } });
});

test('an embargo beyond the policy maximum (14d for bases) is refused, with the latest allowed date', () => {
  const e = apply('Embargo: 15d\n');
  expect(e.patch.embargo).toBeUndefined();
  expect(e.refusals).toHaveLength(1);
  expect(e.refusals[0].reason).toMatch(/longer than this project's policy allows \(at most 14d from now, i\.e\. until Sat 2027-03-27/);
  expect(apply('Embargo: 14d\n').refusals).toEqual([]);
});

test('an embargo in the past is refused', () => {
  expect(resolveEmbargo({ kind: 'at', iso: '2027-03-12T00:00:00Z' }, now, bases)).toMatchObject({ refusal: expect.stringMatching(/not in the future/) });
});

test('severity, CVE, credit are recorded with their audit entries; Internal only flags the message', () => {
  const e = apply('Severity: high\nCVE: cve-2027-12345\nCredit: Jane Doe (Example Corp)\nInternal: yes\n');
  expect(e.patch).toEqual({ severity: 'high', cve: 'CVE-2027-12345', credit: 'Jane Doe (Example Corp)' });
  expect(e.changes.map((c) => c.type)).toEqual(['severity.set', 'cve.set', 'credit.set']);
  expect(e.internal).toBe(true);
});

test('the maximum is 14 days of London wall clock: across the start of BST that is one elapsed hour less', () => {
  const at = new Date('2027-03-16T12:00:00Z');
  expect(resolveEmbargo({ kind: 'at', iso: '2027-03-30T11:00:00Z' }, at, bases)).toEqual({ until: new Date('2027-03-30T11:00:00Z') });
  expect(resolveEmbargo({ kind: 'at', iso: '2027-03-30T11:00:01Z' }, at, bases)).toHaveProperty('refusal');
});
