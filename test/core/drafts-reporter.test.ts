import {
  lateNoticeDraft,
  missingInformation,
  receiptDraft,
  relayDraft,
  subjectFor,
  versionSupportNote,
  withoutQuotedHistory,
} from '../../lambdas/core/drafts';
import { basesProject, k7qm, k7qmDeadlines } from '../support/draft-fixtures';

const project = basesProject();
const report = k7qm();
const now = new Date('2027-03-12T21:02:05Z');

describe('receiptDraft', () => {
  const text = 'decode() overflows the heap with the attached file. Found in version 1.4.2.';
  const draft = receiptDraft({
    report,
    project,
    deadlines: k7qmDeadlines,
    missing: missingInformation(text, project),
    unsupportedVersionNote: versionSupportNote(text, project),
    now,
  });

  it('reads as a person would write it: what happened, then what happens next, each promise once, with dates in both zones', () => {
    expect(draft.text).toBe(
      [
        'We received your report on Fri 2027-03-12 16:02 EST (21:02 UTC) and gave it the ID K7QM-2XPD.',
        '',
        "What happens next (the bases project's security policy):",
        '- a maintainer acknowledges it by Sat 2027-03-13 16:02 EST (21:02 UTC);',
        '- a detailed response with a first assessment follows by Sun 2027-03-14 17:02 EDT (21:02 UTC);',
        '- while a fix takes longer than 7 days, you get an update at least every 7 days, the first by Fri 2027-03-19 16:02 EDT (20:02 UTC).',
        '',
        'To help the maintainers, please reply with what is missing from your report:',
        '- how you would like to be credited when the advisory is published (or that you prefer not to be)',
        '',
        'Reply to this message to add anything; keep the subject line so it reaches the same report.',
        'Please keep this report private until it is disclosed.',
        '',
      ].join('\n'),
    );
  });

  it("lists the policy's promises as instants, across the DST change", () => {
    expect(draft.text).toContain('- a maintainer acknowledges it by Sat 2027-03-13 16:02 EST (21:02 UTC);');
    expect(draft.text).toContain('- a detailed response with a first assessment follows by Sun 2027-03-14 17:02 EDT (21:02 UTC);');
    expect(draft.text).toContain(
      '- while a fix takes longer than 7 days, you get an update at least every 7 days, the first by Fri 2027-03-19 16:02 EDT (20:02 UTC).',
    );
  });

  it('asks only for what seems missing, and says how to answer and to keep it private', () => {
    expect(draft.text).toContain('please reply with what is missing from your report:\n- how you would like to be credited');
    expect(draft.text).not.toContain('the affected package version(s)');
    expect(draft.text).toContain('Reply to this message to add anything');
    expect(draft.text).toContain('Please keep this report private until it is disclosed.');
  });

  it('is an automatic reply to the reporter, tagged and threaded under their message', () => {
    expect(draft).toMatchObject({
      kind: 'receipt',
      to: ['jane@reporter.example'],
      subject: '[security report #K7QM-2XPD] Heap overflow in decode()',
      autoSubmitted: 'auto-replied',
      inReplyTo: 'first@reporter.example',
      references: ['first@reporter.example'],
    });
  });

  it('gives the outer bound of an acknowledgment window, and notes an unsupported version', () => {
    const d = receiptDraft({
      report,
      project,
      deadlines: [{ ...k7qmDeadlines[0], hardAt: '2027-03-15T20:02:00.000Z' }],
      missing: [],
      unsupportedVersionNote: versionSupportNote('Affects version 0.9.3 of bases', project),
      now,
    });
    expect(d.text).toContain('by Sat 2027-03-13 16:02 EST (21:02 UTC), at the latest by Mon 2027-03-15 16:02 EDT (20:02 UTC).');
    expect(d.text).toContain('Your report mentions version 0.9.3, which the bases project does not support (supported: 1.x.x; not < 1.0).');
    expect(d.text).not.toContain('what is missing');
  });

  it('makes no promise it does not have (no pending deadline)', () => {
    const d = receiptDraft({ report, project, deadlines: [], missing: [], now });
    expect(d.text).not.toContain('promises');
    expect(d.text.split('\n')[1]).toBe('Next: the maintainers will write to you from this address.');
  });
});

describe('subjects', () => {
  it('never carries a line break, never doubles the tag, and stays bounded', () => {
    expect(subjectFor(project, 'K7QM-2XPD', 'Re: [security report #K7QM-2XPD]  Heap\r\nBcc: x@y')).toBe(
      '[security report #K7QM-2XPD] Heap Bcc: x@y',
    );
    expect(subjectFor(project, 'K7QM-2XPD', 'x'.repeat(1000)).length).toBeLessThan(240);
    expect(subjectFor(basesProject({ subjectTag: '[bases $& #{id}]' }), 'K7QM-2XPD', 'Hi')).toBe('[bases $& #K7QM-2XPD] Hi');
  });

  it('gives an empty reporter subject a visible placeholder', () => {
    expect(receiptDraft({ report: k7qm({ subject: '' }), project, deadlines: [], missing: [], now }).subject).toBe(
      '[security report #K7QM-2XPD] (no subject)',
    );
  });
});

describe('lateNoticeDraft', () => {
  it('admits the slip and gives the next date (EMAILS.md)', () => {
    const d = lateNoticeDraft({
      report,
      project,
      deadline: 'acknowledge',
      dueAt: new Date('2027-03-13T21:02:00Z'),
      nextDate: new Date('2027-03-15T20:02:00Z'),
      now: new Date('2027-03-13T21:05:00Z'),
    });
    expect(d.subject).toBe('[security report #K7QM-2XPD] Still open: acknowledgment delayed');
    expect(d.text).toMatch(
      /^We promised to acknowledge your report K7QM-2XPD by Sat 2027-03-13 16:02 EST \(21:02 UTC\) and have not yet done so\.\nIt is not forgotten: the maintainers have been reminded, and you will hear from us by Mon 2027-03-15 16:02 EDT \(20:02 UTC\)\./,
    );
    expect(d).toMatchObject({ to: ['jane@reporter.example'], autoSubmitted: 'auto-generated', inReplyTo: 'first@reporter.example' });
  });
});

describe('relayDraft', () => {
  const maintainerText = [
    'Hi Jane, thanks: confirmed, a fix is in review.',
    '',
    '> internal: this one is embarrassing, do not tell her about 0.9',
    '',
    'On Mon, Mar 15, 2027 at 4:02 PM bases security <security+k7qm2xpd.mac@bases.example>',
    'wrote:',
    '> New report K7QM-2XPD from jane@reporter.example (SPF PASS, DKIM PASS)',
    '> Commands (one per line...)',
  ].join('\n');

  it("shows the maintainer's name, never their address, and none of the quoted history", () => {
    const d = relayDraft({ report, project, maintainer: { address: 'sam@bases.example', name: 'Samuel Q.' }, text: maintainerText, now });
    expect(d.fromDisplayName).toBe('Sam via bases security');
    expect(d.text).toContain('Hi Jane, thanks: confirmed, a fix is in review.');
    expect(d.text).not.toContain('sam@bases.example');
    expect(d.text).not.toContain('embarrassing');
    expect(d.text).not.toContain('New report');
    expect(d.text).toContain('K7QM-2XPD');
    expect(d.to).toEqual(['jane@reporter.example']);
    expect(d.autoSubmitted).toBeUndefined();
  });

  it('shows no name when the policy says so or none is known, and passes attachments through', () => {
    const attachments = [{ filename: 'fix.patch', contentType: 'text/x-diff', content: Buffer.from('diff') }];
    const off = relayDraft({ report, project: basesProject({ relayDisplayName: false }), maintainerName: 'Sam', text: 'ok', attachments, now });
    expect(off.fromDisplayName).toBeUndefined();
    expect(off.attachments).toBe(attachments);
    expect(relayDraft({ report, project, maintainer: { address: 'alex@bases.example' }, text: 'ok', now }).fromDisplayName).toBeUndefined();
  });

  it('threads under the message it answers and the report root', () => {
    const d = relayDraft({ report, project, maintainerName: 'Sam', text: 'ok', inReplyTo: 'second@reporter.example', now });
    expect(d.inReplyTo).toBe('second@reporter.example');
    expect(d.references).toEqual(['first@reporter.example', 'second@reporter.example']);
  });
});

describe('withoutQuotedHistory', () => {
  it('cuts at Outlook separators and attributions followed by quotes, keeps an "On ..." sentence of the text', () => {
    expect(withoutQuotedHistory('Fixed.\n\n-----Original Message-----\nFrom: x\nsecret')).toBe('Fixed.');
    expect(withoutQuotedHistory('Fixed.\nOn Tue Jane wrote:\n> hi\n> there')).toBe('Fixed.');
    expect(withoutQuotedHistory('On Monday we released 1.4.3, as Jane wrote:\nthe fix is in.')).toBe(
      'On Monday we released 1.4.3, as Jane wrote:\nthe fix is in.',
    );
  });
});
