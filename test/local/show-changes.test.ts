/** `secintake show` says how the reporter is credited and what each event changed (issue 15). */
import { showText } from '../../lambdas/local/cli/format';
import type { ReportView } from '../../lambdas/local/stack-operations';

test('show prints the credit and each change as from -> to', () => {
  const view = {
    report: {
      id: 'K7QM-2XPD', project: 'bases', status: 'triaged', subject: 's', reporter: { address: 'j@r.example' },
      createdAt: '2027-03-12T21:02:00.000Z', fired: [], version: 3, credit: 'Jane Doe (Example Corp)',
    },
    deadlines: [],
    messages: [],
    events: [
      { reportId: 'K7QM-2XPD', at: '2027-03-13T09:00:00.000Z', key: 'a', type: 'status.changed', actor: 'alice@hashberg.io', detail: { from: 'received', to: 'triaged' } },
      { reportId: 'K7QM-2XPD', at: '2027-03-13T09:00:00.000Z', key: 'b', type: 'severity.set', actor: 'alice@hashberg.io', detail: { to: 'high' } },
      { reportId: 'K7QM-2XPD', at: '2027-03-13T09:00:00.000Z', key: 'c', type: 'embargo.set', actor: 'alice@hashberg.io', detail: { from: undefined, to: '2027-03-16T09:00:00.000Z' } },
      { reportId: 'K7QM-2XPD', at: '2027-03-13T09:00:01.000Z', key: 'd', type: 'mail.sent', actor: 'system', detail: { kind: 'relay' } },
    ],
    outbox: [],
  } as unknown as ReportView;
  const text = showText(view);
  expect(text).toMatch(/^Credit: +Jane Doe \(Example Corp\)$/m);
  expect(text).toMatch(/status\.changed +alice@hashberg\.io {2}received -> triaged$/m);
  expect(text).toMatch(/severity\.set +alice@hashberg\.io {2}-> high$/m);
  expect(text).toMatch(/embargo\.set +alice@hashberg\.io {2}\(none\) -> 2027-03-16T09:00:00\.000Z$/m);
  expect(text).toMatch(/mail\.sent +system$/m);
});
