/** Mail names the command that works where its reader is: on AWS the deployed stack's, locally the data folder's (issue 15). */
import { cliCommand } from '../../lambdas/core/cli-hint';
import { quarantineDigestDraft } from '../../lambdas/core/drafts/notice-drafts';
import { heldDigestDraft } from '../../lambdas/core/drafts/held-drafts';
import { weeklyDigestDraft } from '../../lambdas/core/weekly-digest';
import { loadExample } from '../support/intake-harness';

const project = loadExample('bases').projects[0];
const now = new Date('2027-03-12T21:00:00Z');
const aws = { stack: 'SecIntakeProd' };

it('builds the command for each place', () => {
  expect(cliCommand(undefined, 'show <ID>')).toBe('secintake show <ID>');
  expect(cliCommand(aws, 'show <ID>')).toBe('secintake --aws --stack SecIntakeProd --config <deployment config> show <ID>');
});

it('the quarantine digest names show on the local data folder, or on the deployed stack', () => {
  expect(quarantineDigestDraft({ project, now, items: [] }).text).toContain('`secintake show <ID>` shows what was recorded for one.');
  const onAws = quarantineDigestDraft({ project, now, items: [], place: aws }).text;
  expect(onAws).toContain('`secintake --aws --stack SecIntakeProd --config <deployment config> show <ID>` shows what was recorded for one.');
});

it('the held-mail digest offers `secintake promote` only locally (on AWS: the Promote: reply)', () => {
  expect(heldDigestDraft({ project, now, items: [] }).text).toContain('an answer could loop). Locally: secintake promote');
  const onAws = heldDigestDraft({ project, now, items: [], place: aws }).text;
  expect(onAws).toContain('an answer could loop).\n');
  expect(onAws).not.toContain('secintake promote');
});

it('the weekly digest names sla only locally, and show where the reader is', () => {
  expect(weeklyDigestDraft({ project, at: now, reports: [], weeks: [] }).text).toContain('`secintake sla` and `secintake show <ID>` give the details');
  const onAws = weeklyDigestDraft({ project, at: now, reports: [], weeks: [], place: aws }).text;
  expect(onAws).toContain('`secintake --aws --stack SecIntakeProd --config <deployment config> show <ID>` gives the details');
  expect(onAws).not.toContain('secintake sla');
});

it('the notice names `attachments` for the files that did not fit, where the reader is', async () => {
  const { attachmentList } = await import('../../lambdas/core/drafts/maintainer-drafts');
  const big = [{ filename: 'poc.bin', contentType: 'application/octet-stream', size: 20_000_000, sha256: 'ab' }];
  const local = attachmentList(big as never, { attached: [], reportId: 'BASES-2027-001' });
  expect(local).toContain('`secintake attachments BASES-2027-001` saves them.');
  const onAws = attachmentList(big as never, { attached: [], reportId: 'BASES-2027-001', place: aws });
  expect(onAws).toContain('`secintake --aws --stack SecIntakeProd --config <deployment config> attachments BASES-2027-001` saves them.');
});
