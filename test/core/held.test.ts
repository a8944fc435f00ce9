/** Held-mail references, the digest execution's name, and the Promote lines of a maintainer's reply. */
import { heldDigestExecution, heldRef, parseHeldDigestExecution, promoteRefs } from '../../lambdas/core/held';
import { parseCommands } from '../../lambdas/core/commands';
import { reportIdCandidate } from '../../lambdas/core/report-id';

test('a held reference is the ID its report would get', () => {
  expect(heldRef('abc123')).toBe(reportIdCandidate('abc123', 0));
});

test('one digest execution per project and UTC hour, never mistaken for a report or a generation', () => {
  const name = heldDigestExecution('fdr-connector', '2027-03-12T21:59:59.999Z');
  expect(name).toBe('held-fdr-connector-2027031221');
  expect(name).not.toMatch(/_/);
  expect(parseHeldDigestExecution(name)).toEqual({
    project: 'fdr-connector',
    start: new Date('2027-03-12T21:00:00Z'),
    end: new Date('2027-03-12T22:00:00Z'),
  });
  expect(parseHeldDigestExecution('K7QM-2XPD')).toBeUndefined();
  expect(parseHeldDigestExecution('held-bases-2027031221_1')).toBeUndefined();
});

test('Promote lines: only at the top, references normalized, the rest ignored', () => {
  expect(promoteRefs('Promote: k7qm2xpd, 9W2R-XC4M\nStatus: triaged\n\nPromote: AAAA-BBBB')).toEqual({ refs: ['K7QM-2XPD', '9W2R-XC4M'], invalid: [] });
  expect(promoteRefs('Hi,\nPromote: K7QM-2XPD')).toEqual({ refs: [], invalid: [] });
  expect(promoteRefs('Promote: the-first-one')).toEqual({ refs: [], invalid: ['the-first-one'] });
});

test('Promote in a reply about a report is a command error that says where it belongs', () => {
  const parsed = parseCommands('Promote: K7QM-2XPD\n\ntext', new Date('2027-03-12T00:00:00Z'));
  expect(parsed.commands).toEqual([]);
  expect(parsed.errors[0]!.reason).toMatch(/reply to the held-mail digest/);
});
