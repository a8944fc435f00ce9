/**
 * Disclosure steps (issue 14), pure: the commands that schedule them and their refusals, when each step is due,
 * and what the public items may say.
 */
import { applyCommands } from '../../lambdas/core/apply-commands';
import { parseCommands } from '../../lambdas/core/commands';
import { parseConfig } from '../../lambdas/core/config-errors';
import {
  advisoryDraft,
  announcementIssue,
  dueDisclosureSteps,
  embargoFromAnchor,
  githubRange,
  nextDisclosureAt,
  releaseNotes,
} from '../../lambdas/core/disclosure';
import type { Report } from '../../lambdas/core/report';
import { publishPreviewDraft } from '../../lambdas/core/drafts/disclosure-drafts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const seed = (name: string) => parseConfig(JSON.parse(readFileSync(join(__dirname, `../../examples/${name}.json`), 'utf8'))).projects[0]!;
const bases = seed('bases');
const template = seed('template');
const falconpy = seed('falconpy');
const now = new Date('2027-03-13T10:00:00Z');
const report: Report = {
  id: 'K7QM-2XPD',
  project: 'bases',
  status: 'triaged',
  reporter: { address: 'jane@reporter.example', name: 'Jane Reporter' },
  subject: 'Quadratic blowup in parse() SECRET-DETAIL',
  createdAt: '2027-03-12T21:02:00.000Z',
  origin: 'ses-1',
  securityAddress: 'security@hashberg.io',
  facts: { affected: [{ ecosystem: 'PyPI', package: 'bases', range: '>=0.2.0, <0.3.1' }], fixed: [{ version: '0.3.1' }], cwe: ['CWE-407'], severity: { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', score: 7.5, rating: 'high' } },
  reporterPreferences: { credit: 'Jane (her wish, not confirmed)' },
  fired: [],
  version: 3,
};
const apply = (text: string, project = bases, r: Report = report) => {
  const parsed = parseCommands(text, now, { defaultDuration: '72h', max: '14d' });
  expect(parsed.errors).toEqual([]);
  return applyCommands(r, parsed.commands, now, project, 'alice@hashberg.io');
};

test('the commands parse; a wrong value is an error with the correct form', () => {
  expect(parseCommands('Announce: yes\nPublish: at embargo end\nAdvisory: draft\n', now).commands).toEqual([
    { name: 'announce', announce: 'yes' },
    { name: 'publish', publish: 'at-embargo-end' },
    { name: 'advisory', advisory: 'draft' },
  ]);
  const bad = parseCommands('Announce: now\n', now);
  expect(bad.errors[0]).toMatchObject({ reason: '"now" is not yes or hold', example: expect.stringContaining('Announce: yes') });
  expect(parseCommands('Publish: tomorrow\n', now).errors[0]!.reason).toBe('"tomorrow" is not yes or at-embargo-end');
});

test('Announce: yes schedules the issue previewFor (1h) after the command; hold stops it; a done one is refused', () => {
  const e = apply('Announce: yes\n');
  expect(e.refusals).toEqual([]);
  expect(e.patch.disclosure).toEqual({ announce: { state: 'scheduled', notBefore: '2027-03-13T11:00:00.000Z', by: 'alice@hashberg.io', at: now.toISOString() } });
  const scheduled = { ...report, disclosure: e.patch.disclosure };
  expect(apply('Announce: hold\n', bases, scheduled).patch.disclosure!.announce!.state).toBe('held');
  expect(apply('Announce: hold\n').refusals[0]!.reason).toBe('no announcement is scheduled; nothing to hold');
  const opened = { ...report, disclosure: { announce: { state: 'done' as const, url: 'https://github.com/hashberg-io/bases/issues/7' } } };
  expect(apply('Announce: yes\n', bases, opened).refusals[0]!.reason).toBe('the announcement issue is already open: https://github.com/hashberg-io/bases/issues/7');
});

test('a step the policy does not have is refused with the reason; nothing is half-applied', () => {
  expect(apply('Announce: yes\n', template).refusals[0]!.reason).toBe("template's policy has no announcement issue (disclosure in the config)");
  expect(apply('Advisory: draft\n', bases).refusals[0]!.reason).toBe("bases's policy has no security advisory (disclosure in the config)");
  const { disclosure: _d, ...noDisclosure } = falconpy;
  expect(apply('Publish: yes\n', noDisclosure as typeof falconpy).refusals[0]!.reason).toContain('has no disclosure on GitHub');
  // Publish at the embargo end needs an embargo, or one set in the same message
  expect(apply('Publish: at-embargo-end\n', template).refusals[0]!.reason).toContain('no embargo');
  expect(apply('Embargo: 7d\nPublish: at-embargo-end\n', template).refusals).toEqual([]);
  // a quarantined report discloses nothing
  expect(apply('Announce: yes\n', bases, { ...report, quarantine: { reason: 'spam' } }).refusals[0]!.reason).toContain('quarantined');
});

test('when steps are due: the advisory draft at triage (template), the announcement after its preview, release notes at the embargo end', () => {
  expect(dueDisclosureSteps({ ...report, project: 'template', status: 'received' }, template, now)).toEqual([]);
  expect(dueDisclosureSteps({ ...report, project: 'template' }, template, now)).toEqual(['advisory']);
  expect(dueDisclosureSteps(report, falconpy, now)).toEqual([]); // advisory only on command there
  const scheduled: Report = { ...report, disclosure: { announce: { state: 'scheduled', notBefore: '2027-03-13T11:00:00.000Z' } } };
  expect(dueDisclosureSteps(scheduled, bases, now)).toEqual([]);
  expect(nextDisclosureAt(scheduled, bases, now)).toEqual(new Date('2027-03-13T11:00:00.000Z'));
  expect(dueDisclosureSteps(scheduled, bases, new Date('2027-03-13T11:00:00.000Z'))).toEqual(['announce']);
  const held: Report = { ...report, disclosure: { announce: { state: 'held', notBefore: '2027-03-13T11:00:00.000Z' } } };
  expect(dueDisclosureSteps(held, bases, new Date('2027-03-14T11:00:00.000Z'))).toEqual([]);
  expect(dueDisclosureSteps({ ...report, disclosureDueAt: now.toISOString() }, bases, now)).toEqual(['releaseNotes']);
  // a failed call waits for its retry instant
  const failed: Report = { ...report, disclosure: { announce: { state: 'calling', at: now.toISOString(), retryAt: '2027-03-13T10:05:00.000Z' } } };
  expect(dueDisclosureSteps(failed, bases, now)).toEqual([]);
  expect(nextDisclosureAt(failed, bases, now)).toEqual(new Date('2027-03-13T10:05:00.000Z'));
});

test('the announcement says only what the policy allows: affected versions, the UID, the embargo date (opening + 72h)', () => {
  const end = embargoFromAnchor(bases, new Date('2027-03-13T11:00:00Z'))!;
  expect(end.toISOString()).toBe('2027-03-16T11:00:00.000Z');
  const issue = announcementIssue(report, bases, end);
  expect(issue.body).toContain('Affected versions: PyPI bases >=0.2.0, <0.3.1');
  expect(issue.body).toContain('Security report UID: K7QM-2XPD');
  expect(issue.body).toContain('Embargo date: 2027-03-16T11:00:00Z');
  const text = issue.title + issue.body;
  for (const secret of ['SECRET-DETAIL', 'Quadratic', 'Jane', 'CWE-407', '7.5']) expect(text).not.toContain(secret);
  // a policy that allows only the UID says only the UID
  const uidOnly = { ...bases, disclosure: { ...bases.disclosure!, announce: { ...bases.disclosure!.announce!, contains: ['uid' as const] } } };
  expect(announcementIssue(report, uidOnly, end).body).not.toMatch(/Affected|Embargo date/);
});

test('release notes and the advisory use the confirmed credit only, never the reporter wish', () => {
  expect(releaseNotes(report, bases).body).not.toContain('Jane');
  const credited = { ...report, credit: 'Jane Reporter' };
  expect(releaseNotes(credited, bases)).toMatchObject({ tag_name: 'v0.3.1', body: expect.stringContaining('Credit: Jane Reporter') });
  const adv = advisoryDraft(credited, template);
  expect(adv).toMatchObject({ cvss_vector_string: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', cwe_ids: ['CWE-407'] });
  expect(adv.vulnerabilities).toEqual([{ package: { ecosystem: 'pip', name: 'bases' }, vulnerable_version_range: '>= 0.2.0, < 0.3.1', patched_versions: '0.3.1' }]);
  expect(adv).not.toHaveProperty('severity'); // GitHub takes the vector or the severity, not both
  expect(advisoryDraft({ ...report, facts: { ...report.facts!, severity: { rating: 'critical', vector: 'CVSS:4.0/AV:N' } } }, template).severity).toBe('critical');
  expect(githubRange('>=1.0, <2')).toBe('>= 1.0, < 2');
});

test('Publish: yes is due after its preview; at-embargo-end waits for the end; the preview shows the public text', () => {
  const credited: Report = { ...report, credit: 'Jane Reporter', disclosure: { announce: { state: 'done', url: 'https://github.com/hashberg-io/bases/issues/7', ref: '7' } } };
  const e = apply('Publish: yes\n', bases, credited);
  expect(e.patch.disclosure!.publish).toMatchObject({ state: 'scheduled', mode: 'now', notBefore: '2027-03-13T11:00:00.000Z' });
  const approved = { ...credited, disclosure: e.patch.disclosure };
  expect(dueDisclosureSteps(approved, bases, now)).toEqual([]);
  expect(dueDisclosureSteps(approved, bases, new Date('2027-03-13T11:00:00Z'))).toEqual(['publish']);
  const atEnd: Report = { ...approved, embargo: { until: '2027-03-16T11:00:00.000Z', setAt: now.toISOString(), setBy: 'announce' }, disclosure: { ...approved.disclosure, publish: { ...approved.disclosure!.publish!, mode: 'at-embargo-end' } } };
  expect(dueDisclosureSteps(atEnd, bases, new Date('2027-03-14T11:00:00Z'))).toEqual([]);
  expect(dueDisclosureSteps(atEnd, bases, new Date('2027-03-16T11:00:00Z'))).toEqual(['publish']);
  const preview = publishPreviewDraft(atEnd, bases, new Date('2027-03-16T11:00:00Z'));
  expect(preview).toMatchObject({ kind: 'disclosure-preview', to: ['alice@hashberg.io', 'bob@hashberg.io'] });
  expect(preview.text).toContain('https://github.com/hashberg-io/bases/issues/7');
  expect(preview.text).toContain('The embargo on security report K7QM-2XPD has ended and the fix is published.');
  expect(preview.text).toContain('Credit used: Jane Reporter');
  expect(preview.text).toContain('K7QM-2XPD');
});
