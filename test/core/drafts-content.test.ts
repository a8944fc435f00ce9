import { inAnyRange, mentionedVersions, missingInformation, versionSupportNote } from '../../lambdas/core/drafts';
import { basesProject } from '../support/draft-fixtures';
import { testTimeout } from '../support/timeouts';

const project = basesProject();

describe('missingInformation', () => {
  it('asks for an item when none of its hints match, case-insensitively', () => {
    expect(missingInformation('Affects VERSION 1.2; please CREDIT me as Jane', project)).toEqual([]);
    expect(missingInformation('it crashes', project).map((m) => m.key)).toEqual(['versions', 'credit']);
    expect(missingInformation('seen on 2.3.1, stay anonymous please', project)).toEqual([]);
  });

  it('always asks for an item without hints, and reads a broken hint as plain text', () => {
    const p = basesProject({ askFor: [{ key: 'steps', text: 'steps' }, { key: 'poc', text: 'a PoC', hints: ['poc ('] }] });
    expect(missingInformation('here is my poc (python)', p).map((m) => m.key)).toEqual(['steps']);
  });
});

describe('version ranges', () => {
  it.each([
    ['0.9.3', ['<1.0'], true],
    ['1.0.0', ['<1.0'], false],
    ['3.5.0', ['<= 3.5'], true],
    ['3.5.1', ['<= 3.5'], true],
    ['3.6.0', ['<= 3.5'], false],
    ['3.5.9', ['>3.5'], false],
    ['3.5.1', ['<=3.5.0'], false],
    ['3.6.4', ['3.6.x'], true],
    ['3.7.0', ['3.6.x'], false],
    ['1.4.2', ['>=1.0.0 <2.0.0'], true],
    ['2.0.0', ['>=1.0.0 <2.0.0'], false],
    ['0.5', ['>=2 || <1'], true],
    ['1.2', ['1.x'], true],
  ])('%s in %j -> %s', (version, ranges, expected) => {
    expect(inAnyRange(version, ranges)).toBe(expected);
  });

  it('ignores ranges it cannot read', () => {
    expect(inAnyRange('1.0', ['latest', '~1.0'])).toBe(false);
  });
});

describe('mentionedVersions', () => {
  it('finds versions near the word "version" and v-prefixed ones, not dates or addresses', () => {
    expect(mentionedVersions('Tested with version 0.9.3 and 0.9.4 of bases.')).toEqual(['0.9.3', '0.9.4']);
    expect(mentionedVersions('Affected versions: 1.2, 1.3')).toEqual(['1.2', '1.3']);
    expect(mentionedVersions('bases v0.8.1 crashes')).toEqual(['0.8.1']);
    expect(mentionedVersions('On 2027-03-12 from 10.0.0.1 it crashed')).toEqual([]);
  });

  it("finds versions after the project's name and in comparisons, as reporters write them", () => {
    const names = ['Quillpad', 'quillpad'];
    expect(mentionedVersions('We run Quillpad 1.9.0 in production.', names)).toEqual(['1.9.0']);
    expect(mentionedVersions('quillpad v1.9 and Quillpad 2.1.x', names)).toEqual(['1.9', '2.1']);
    expect(mentionedVersions('Affects versions <=1.9', names)).toEqual(['1.9']);
    // other products' versions are not the project's
    expect(mentionedVersions('CPython 3.12.3 on Ubuntu 24.04', names)).toEqual([]);
  });
});

describe('supported versions that work', () => {
  const quillpad = basesProject({ name: 'Quillpad', id: 'quillpad', supportedVersions: { summary: '2.x', supported: ['>=2.0'], unsupported: [] } });
  it('flags "Quillpad 1.9.0" against supported: [">=2.0"] alone, and not a supported one', () => {
    expect(versionSupportNote('Found in Quillpad 1.9.0 (the editor).', quillpad)).toContain('mentions version 1.9.0, which the Quillpad project does not support (supported: 2.x)');
    expect(versionSupportNote('Found in Quillpad 2.3.1.', quillpad)).toBeUndefined();
  });
  it('a "latest minor" policy is a range in config: supported: [">=0.6"]', () => {
    const bases = basesProject({ supportedVersions: { summary: 'the latest minor version, 0.6', supported: ['>=0.6'], unsupported: [] } });
    expect(versionSupportNote('bases 0.5.2 crashes', bases)).toContain('mentions version 0.5.2');
    expect(versionSupportNote('bases 0.6.1 crashes', bases)).toBeUndefined();
  });
});

describe('versionSupportNote', () => {
  it('notes a named version in an unsupported range', () => {
    expect(versionSupportNote('version 0.9.3 is affected', project)).toContain('mentions version 0.9.3');
  });

  it('says nothing for supported versions or no policy; names the supported versions when the report names none', () => {
    expect(versionSupportNote('version 1.4.2 is affected', project)).toBeUndefined();
    expect(versionSupportNote('it crashes', project)).toBe('Your report names no version. Supported versions: 1.x.x; not < 1.0. Please tell us which version you tested.');
    expect(versionSupportNote('version 0.1', basesProject({ supportedVersions: undefined }))).toBeUndefined();
  });

  // catastrophic backtracking would run for minutes: the generous jest timeout is the guard
  it('survives hostile text', () => {
    const hostile = 'version ' + '1.'.repeat(50_000) + ' version ' + '9'.repeat(100_000);
    expect(() => versionSupportNote(hostile, project)).not.toThrow();
    expect(Array.isArray(missingInformation(hostile, project))).toBe(true);
  }, testTimeout(120_000));
});
