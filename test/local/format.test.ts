/** CLI wording a reader trips on (issue 20): "met late", and the next deadline rather than the next reminder. */
import { reportsText, showText } from '../../lambdas/local/cli/format';
import type { ReportSummary, ReportView } from '../../lambdas/local/stack-operations';

test('a promise kept after its date reads "met late at", one kept in time "met at"', () => {
  const view = {
    report: { id: 'K7QM-2XPD', project: 'bases', status: 'triaged', subject: 's', reporter: { address: 'j@r.example' }, createdAt: '2027-03-12T21:02:00.000Z', fired: [], version: 3 },
    deadlines: [
      { name: 'acknowledge', dueAt: '2027-03-13T21:02:00.000Z', state: 'missed', metAt: '2027-03-14T09:00:00.000Z' },
      { name: 'respond', dueAt: '2027-03-14T21:02:00.000Z', state: 'met', metAt: '2027-03-14T09:00:00.000Z' },
      { name: 'update', dueAt: '2027-03-19T21:02:00.000Z', state: 'pending' },
    ],
    messages: [],
    events: [],
    outbox: [],
  } as unknown as ReportView;
  const text = showText(view);
  expect(text).toMatch(/acknowledge +2027-03-13T21:02:00\.000Z +met late at 2027-03-14T09:00:00\.000Z/);
  expect(text).toMatch(/respond +2027-03-14T21:02:00\.000Z +met at 2027-03-14T09:00:00\.000Z/);
});

test('reports shows the next deadline by name, not the next reminder instant', () => {
  const summary: ReportSummary = {
    id: 'K7QM-2XPD', project: 'bases', status: 'received', subject: 'Heap overflow', reporter: 'j@r.example',
    createdAt: '2027-03-12T21:02:00.000Z', nextDueAt: '2027-03-13T09:02:00.000Z', quarantined: false,
    nextDeadline: { name: 'acknowledge', dueAt: '2027-03-13T21:02:00.000Z' },
  };
  const text = reportsText([summary]);
  expect(text).toMatch(/NEXT DEADLINE/);
  expect(text).toMatch(/OWNER/);
  expect(reportsText([{ ...summary, owner: 'alice@hashberg.io' }])).toMatch(/^K7QM-2XPD +bases +received +alice@hashberg\.io +2027-03-12/m);
  expect(text).toContain('acknowledge:2027-03-13T21:02:00.000Z');
  expect(text).not.toContain('2027-03-13T09:02:00.000Z');
});
