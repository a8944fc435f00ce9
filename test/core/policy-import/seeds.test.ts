/**
 * The five seed SECURITY.md files import to the promises their hand-written example configs hold. Where the
 * importer finds nothing, the example must say in `defaults` that the value was chosen (the file is silent).
 * Where the two word a value differently (askFor texts, supportedVersions.summary) the test pins both: the
 * importer quotes the file, the example was edited for the receipt (see docs in /work/notes/issue-18.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile } from '../../../lambdas/adapters/local/config-file';
import { projectSchema, type Project } from '../../../lambdas/core/config';
import { policyDrift } from '../../../lambdas/core/policy-import/drift';
import { importPolicy } from '../../../lambdas/core/policy-import/import-policy';
import { readBlocks } from '../../../lambdas/core/policy-import/markdown-text';

const ROOT = join(__dirname, '../../..');
const SEEDS = join(ROOT, '../shared/seed-policies');
const seed = (name: string) => readFileSync(join(SEEDS, `${name}-SECURITY.md`), 'utf8');
const example = (name: string): Project => loadConfigFile(join(ROOT, 'examples', `${name}.json`)).projects[0];

const at = (root: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), root);

/** A defaults note for the path or a parent that says the value was chosen, or not promised. */
function notedAsChosen(project: Project, path: string): boolean {
  const parts = path.split('.');
  for (let n = parts.length; n > 0; n--) {
    const note = project.defaults?.[parts.slice(0, n).join('.')];
    if (note !== undefined) return /not stated|not promised|chosen|none|no email|lists no items/i.test(note);
  }
  return false;
}

const plainDocument = (md: string) => readBlocks(md).map((b) => b.text).join(' ');

const SEED_NAMES = ['bases', 'falconpy', 'fdr-connector', 'misp-tools', 'template'];

describe.each(SEED_NAMES)('seed %s', (name) => {
  const proposal = importPolicy(seed(name), { projectId: name });
  const project = example(name);

  it('proposes exactly the timers the example holds, and the example notes every timer the file is silent on', () => {
    for (const path of Object.keys(proposal.evidence).filter((p) => p.startsWith('timers.'))) {
      expect([path, at(proposal.project, path)]).toEqual([path, at(project, path)]);
    }
    for (const path of proposal.noPromise.filter((p) => p.startsWith('timers.'))) {
      if (at(project, path) !== undefined) expect([path, notedAsChosen(project, path)]).toEqual([path, true]);
    }
  });

  it('finds the security addresses the example serves, or says there are none', () => {
    if (proposal.project.addresses) expect(proposal.project.addresses).toEqual(project.addresses);
    else {
      expect(proposal.noPromise).toContain('addresses');
      expect(notedAsChosen(project, 'addresses')).toBe(true);
    }
  });

  it('asks for the items the example asks for (same keys), or the example notes that the file lists none', () => {
    if (proposal.project.askFor) expect(proposal.project.askFor.map((a) => a.key)).toEqual(project.askFor.map((a) => a.key));
    else expect(notedAsChosen(project, 'askFor')).toBe(true);
  });

  it('lists the same supported and unsupported version ranges', () => {
    expect(proposal.project.supportedVersions?.supported ?? []).toEqual(project.supportedVersions?.supported ?? []);
    expect(proposal.project.supportedVersions?.unsupported ?? []).toEqual(project.supportedVersions?.unsupported ?? []);
  });

  it('proposes a fragment that, over the example config, is a valid project (the contract of --json)', () => {
    const merge = (base: unknown, over: unknown): unknown =>
      over && typeof over === 'object' && !Array.isArray(over) && base && typeof base === 'object'
        ? Object.fromEntries([...new Set([...Object.keys(base), ...Object.keys(over)])].map((k) => [k, merge((base as Record<string, unknown>)[k], (over as Record<string, unknown>)[k])]))
        : over === undefined ? base : over;
    expect(projectSchema.safeParse(merge(project, proposal.project)).error).toBeUndefined();
  });

  it('quotes every value from the file word for word, and the file agrees with its example config (no drift)', () => {
    const text = plainDocument(seed(name));
    for (const quote of Object.values(proposal.evidence)) for (const part of quote.split(' / ')) expect(text).toContain(part);
    expect(policyDrift(proposal, project)).toEqual([]);
  });
});

describe('seed details a maintainer checks', () => {
  it('bases: 24h acknowledgment, 48h response, weekly updates after a week, 72h typical embargo, its subject tag', () => {
    const p = importPolicy(seed('bases'));
    expect(p.project.timers).toEqual({ acknowledge: { soft: '24h' }, respond: '48h', update: { after: '7d', every: '7d' }, embargo: { default: '72h' } });
    expect(p.project.subjectTag).toBe('[security report #{id}]');
    expect(p.evidence['timers.update.every']).toBe(
      'If the fix requires a prolonged amount of time (> 1 week), we will send you weekly updates on our progress.',
    );
    expect(p.noPromise).toEqual(['timers.acknowledge.hard', 'timers.embargo.max', 'securityTxt.encryption']);
    expect(p.unsure).toEqual([]);
    // the example reworded one item for the receipt; the importer quotes the file
    expect(p.project.askFor?.[0].text).toBe('how we can contact you privately');
    expect(example('bases').askFor[0].text).toBe('how we can contact you privately, if not at the address you wrote from');
  });

  it('CrowdStrike seeds: "48 - 72 business hours" under the receipt item is the acknowledgment, soft 48bh and hard 72bh', () => {
    for (const name of ['falconpy', 'fdr-connector', 'misp-tools']) {
      const p = importPolicy(seed(name));
      expect(p.project.timers).toEqual({ acknowledge: { soft: '48bh', hard: '72bh' } });
      expect(p.evidence['timers.acknowledge.soft']).toBe('You should receive this message within 48 - 72 business hours.');
      // the Python table is runtime support, not project versions: left to a person
      expect(p.unsure).toEqual([expect.objectContaining({ why: expect.stringContaining('runtime versions') })]);
    }
    expect(importPolicy(seed('fdr-connector')).project.addresses).toBeUndefined();
  });

  it('template: 24h acknowledgment; "promptly addressed", the placeholder address and the relative key link go to a person', () => {
    const p = importPolicy(seed('template'));
    expect(p.project.timers).toEqual({ acknowledge: { soft: '24h' } });
    expect(p.project.supportedVersions).toEqual({ summary: '1.x.x supported; <1.0 not supported', supported: ['1.x.x'], unsupported: ['<1.0'] });
    expect(p.unsure.map((u) => u.why)).toEqual([
      'a promise with no time ("promptly"): no timer can hold it',
      'security@yourdomain.com looks like a placeholder: replace it with the real address',
      'the key link "./security-team.asc" is not a full https URL: give its published URL (securityTxt.encryption)',
    ]);
  });
});
