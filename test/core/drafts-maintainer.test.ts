import {
  commandErrorDraft,
  embargoEndDrafts,
  embargoRefusedDraft,
  escalationDraft,
  followupForwardDraft,
  internalNoteDraft,
  newReportNoticeDraft,
  quarantineDigestDraft,
  reminderDraft,
  unreachableNoticeDraft,
} from '../../lambdas/core/drafts';
import { basesProject, k7qm, k7qmDeadlines } from '../support/draft-fixtures';

const project = basesProject();
const report = k7qm();
const now = new Date('2027-03-12T21:02:05Z');
const maintainers = ['sam@bases.example', 'alex@bases.example'];

describe('newReportNoticeDraft', () => {
  const draft = newReportNoticeDraft({
    report,
    project,
    deadlines: k7qmDeadlines,
    now,
    message: {
      from: { address: 'jane@reporter.example' },
      text: 'decode() overflows.\n-----\nStatus: closed invalid\n',
      attachments: [{ filename: 'poc.bin', contentType: 'application/octet-stream', size: 2048, sha256: 'f'.repeat(64) }],
    },
    checks: [
      { name: 'spam', result: 'fail', reason: 'SES spam verdict FAIL' },
      { name: 'loop', result: 'pass', reason: 'not ours' },
    ],
    verdicts: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'FAIL', virus: 'PASS' },
  });

  it('opens with who, the verdicts, when, and the next deadline', () => {
    const [first, second] = draft.text.split('\n');
    expect(first).toBe(
      'New report K7QM-2XPD from jane@reporter.example (SPF PASS, DKIM PASS, DMARC PASS, spam FAIL), received Fri 2027-03-12 16:02 EST (21:02 UTC).',
    );
    expect(second).toMatch(/^Next: acknowledgment due Sat 2027-03-13 16:02 EST \(21:02 UTC\)\. Just reply/);
  });

  it('lists deadlines, only the failed checks, attachments with sha256, then the command reference', () => {
    expect(draft.text).toContain('- detailed response: Sun 2027-03-14 17:02 EDT (21:02 UTC)');
    expect(draft.text).toContain('- spam: SES spam verdict FAIL');
    expect(draft.text).not.toContain('not ours');
    expect(draft.text).toContain(`- "poc.bin" (application/octet-stream, 2.0 KB, EXECUTABLE) sha256 ${"f".repeat(64)}`);
    expect(draft.text.trimEnd().split('\n').at(-1)).toBe(
      'Anything below the commands is sent to the reporter from the security address, without your address.',
    );
  });

  it("shows the reporter's text behind a margin, so it cannot pass for our lines or commands", () => {
    expect(draft.text).toContain('| decode() overflows.\n| -----\n| Status: closed invalid');
    expect(draft.text).not.toMatch(/^Status: closed invalid/m);
  });

  it('goes to the maintainers as an automatic notice with the tagged subject', () => {
    expect(draft).toMatchObject({
      to: maintainers,
      subject: '[security report #K7QM-2XPD] Heap overflow in decode()',
      autoSubmitted: 'auto-generated',
    });
  });
});

describe('timer mail', () => {
  it('reminder: which promise, which report, when (EMAILS.md)', () => {
    const d = reminderDraft({ report, project, deadline: 'acknowledge', dueAt: '2027-03-15T20:02:00Z', timeLeft: '1 working hour', now });
    expect(d.text.split('\n')[0]).toBe('Acknowledgment of K7QM-2XPD is due in 1 working hour: Mon 2027-03-15 16:02 EDT (20:02 UTC).');
    expect(d).toMatchObject({ to: maintainers, autoSubmitted: 'auto-generated', kind: 'reminder:acknowledge' });
  });

  it('reminder without a working-time text counts elapsed time to the bound asked for', () => {
    const d = reminderDraft({
      report,
      project,
      deadline: { ...k7qmDeadlines[0], hardAt: '2027-03-14T21:02:00.000Z' },
      bound: 'hard',
      now: new Date('2027-03-14T18:32:00Z'),
    });
    expect(d.text.split('\n')[0]).toBe('Acknowledgment of K7QM-2XPD is due in 2 hours 30 minutes: Sun 2027-03-14 17:02 EDT (21:02 UTC).');
  });

  it('escalation: missed by how long, to maintainers and escalation contacts (each once)', () => {
    const d = escalationDraft({ report, project, deadline: k7qmDeadlines[0], now: new Date('2027-03-14T22:32:00Z') });
    expect(d.text.split('\n')[0]).toBe(
      'Missed: acknowledgment of K7QM-2XPD was due Sat 2027-03-13 16:02 EST (21:02 UTC); it is about 1 day 2 hours late.',
    );
    expect(d.to).toEqual(maintainers);
    expect(d.cc).toEqual(['lead@bases.example']);
    expect(d.text).toContain('This message does not go to the reporter.');
  });

  it('a deadline given by name needs its instant', () => {
    expect(() => reminderDraft({ report, project, deadline: 'respond', now })).toThrow(/needs its dueAt/);
  });
});

describe('embargo end', () => {
  const ended = k7qm({ credit: 'Jane Doe (Example Corp)', embargo: { until: '2027-03-20T12:00:00.000Z', setAt: 'x', setBy: 'sam@bases.example' } });
  const { maintainers: m, reporter: r } = embargoEndDrafts({ report: ended, project, now, reporterTold: true });

  it('tells the maintainers it is due for disclosure, with the credit as recorded', () => {
    expect(m.text.split('\n')[0]).toBe('The embargo on K7QM-2XPD ended on Sat 2027-03-20 08:00 EDT (12:00 UTC). The report is now due for disclosure.');
    expect(m.text).toContain('Credit as recorded: Jane Doe (Example Corp)');
    expect(m.to).toEqual(maintainers);
  });

  it('tells the reporter, threaded, how they will be credited, and never a maintainer address', () => {
    expect(r.to).toEqual(['jane@reporter.example']);
    expect(r.inReplyTo).toBe('first@reporter.example');
    expect(r.text).toContain('You will be credited as: Jane Doe (Example Corp).');
    expect(r.text).not.toMatch(/@bases\.example/);
  });

  it('says when no credit is recorded', () => {
    const { reporter } = embargoEndDrafts({ report: k7qm(), project, now });
    expect(reporter.text).toContain('No credit is recorded for you.');
  });
});

describe('replies to a maintainer', () => {
  it('command error: quotes the line, why, the correct form, nothing changed, nothing sent', () => {
    const d = commandErrorDraft({
      report,
      project,
      to: ['sam@bases.example'],
      inReplyTo: 'sams-mail@bases.example',
      errors: [{ line: 'Staus: fixed', reason: 'unknown command "Staus"', example: 'Status: triaged' }],
      now,
    });
    expect(d.text).toContain('  > Staus: fixed\n  unknown command "Staus"\n  Correct form: Status: triaged');
    expect(d.text).toContain('Nothing changed, and nothing was sent to the reporter.');
    expect(d).toMatchObject({ to: ['sam@bases.example'], autoSubmitted: 'auto-replied', inReplyTo: 'sams-mail@bases.example' });
  });

  it('embargo refused: over the maximum, nothing changed, a line that would be accepted', () => {
    const d = embargoRefusedDraft({
      report,
      project,
      to: 'sam@bases.example',
      refusals: [{ line: 'Embargo: 2027-06-01 12:00 UTC', reason: 'longer than the policy allows', example: 'Embargo: 72h' }],
      latestAllowed: '2027-03-26T21:02:00.000Z',
      now,
    });
    expect(d.text.split('\n')[0]).toContain('(at most 14 days)');
    expect(d.text).toContain('Nothing changed, and nothing was sent to the reporter.');
    expect(d.text).toContain('  Embargo: 2027-03-26 21:02 UTC');
    expect(d.to).toEqual(['sam@bases.example']);
  });

  it('internal note: only the other maintainers, marked as not sent to the reporter', () => {
    const d = internalNoteDraft({ report, project, maintainer: 'sam@bases.example', to: ['alex@bases.example'], text: 'between us', now });
    expect(d.to).toEqual(['alex@bases.example']);
    expect(d.text).toContain('not sent to the reporter');
    expect(d.text).toContain('| between us');
  });
});

describe('notices', () => {
  it('follow-up from someone else says so', () => {
    const d = followupForwardDraft({ report, project, now, role: 'stranger', message: { from: { address: 'x@y.example' }, text: 'hi', attachments: [] } });
    expect(d.text.split('\n')[0]).toMatch(/^Someone who is not the reporter wrote about K7QM-2XPD: x@y\.example/);
    expect(d.to).toEqual(maintainers);
  });

  it('unreachable reporter: when, why, which mail', () => {
    const d = unreachableNoticeDraft({ report, project, reason: '550 5.1.1\r\nuser unknown', bouncedKind: 'receipt', at: '2027-03-12T21:03:00Z', now });
    expect(d.text.split('\n')[0]).toBe('Mail to the reporter of K7QM-2XPD bounced on Fri 2027-03-12 16:03 EST (21:03 UTC): 550 5.1.1 user unknown');
    expect(d.text).toContain('They may not have received our receipt.');
  });

  it('quarantine digest lists IDs, times, senders and reasons, never subjects or text', () => {
    const spam = k7qm({ id: 'SPAM-0001', subject: 'CHEAP PILLS', reporter: { address: 'spam@x.example' } });
    const d = quarantineDigestDraft({
      project,
      now,
      items: [
        { report: spam, reason: 'spam verdict FAIL' },
        { reportId: 'VIRU-0002', receivedAt: '2027-03-12T10:00:00.000Z', reason: 'virus verdict FAIL' },
      ],
    });
    expect(d.subject).toBe('[bases security] Quarantine digest: 2 messages held');
    expect(d.text).toContain('- VIRU-0002  Fri 2027-03-12 05:00 EST (10:00 UTC)  from unknown sender\n  reason: virus verdict FAIL');
    expect(d.text).toContain('SPAM-0001');
    expect(d.text).toContain('from spam@x.example');
    expect(d.text).not.toContain('CHEAP PILLS');
    expect(d.text.indexOf('VIRU-0002')).toBeLessThan(d.text.indexOf('SPAM-0001'));
  });
});
