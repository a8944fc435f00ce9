import { weeklyDigestDraft } from '../../lambdas/core/weekly-digest';
import { basesReport, exampleConfig } from '../support/timer-deps';

test('the digest lists open reports by owner: maintainers in config order, an unknown owner after, unassigned last', () => {
  const project = exampleConfig('bases').projects[0];
  const report = (id: string, owner?: string, status = 'received') => ({ report: basesReport({ id, subject: `Subject ${id}`, status: status as never, ...(owner ? { owner } : {}) }), deadlines: [] });
  const draft = weeklyDigestDraft({
    project,
    at: new Date('2027-03-15T09:00:00Z'),
    reports: [report('AAAA-0001'), report('AAAA-0002', 'bob@hashberg.io', 'triaged'), report('AAAA-0003', 'ALICE@hashberg.io'), report('AAAA-0004', 'carol@elsewhere.example'), report('AAAA-0005', 'alice@hashberg.io', 'closed')],
    weeks: [],
  });
  const open = draft.text.slice(draft.text.indexOf('Open reports, by owner:'), draft.text.indexOf('Missed in the last 7 days'));
  expect(open.trim()).toBe(
    [
      'Open reports, by owner:',
      'Alice (alice@hashberg.io), 1:',
      '- AAAA-0003  received, no deadline pending  Subject AAAA-0003',
      'Bob (bob@hashberg.io), 1:',
      '- AAAA-0002  triaged, no deadline pending  Subject AAAA-0002',
      'carol@elsewhere.example, 1:',
      '- AAAA-0004  received, no deadline pending  Subject AAAA-0004',
      'unassigned, 1:',
      '- AAAA-0001  received, no deadline pending  Subject AAAA-0001',
    ].join('\n'),
  );
});
