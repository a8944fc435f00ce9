/** A mistyped config field is answered with the closest valid one at that place in the file. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../../lambdas/core/config-errors';
import { closestName } from '../../lambdas/core/closest-name';

const example = () => JSON.parse(readFileSync(join(__dirname, '../../examples/bases.json'), 'utf8'));

function problems(json: unknown): string[] {
  try {
    parseConfig(json);
    return [];
  } catch (err) {
    return (err as ConfigError).problems;
  }
}

describe('unknown config fields', () => {
  it('suggests the closest field valid at that path', () => {
    const c = example();
    c.projects[0].maintainer = c.projects[0].maintainers;
    c.projects[0].calendar.timezone = 'Europe/Rome';
    c.projects[0].timers.acknowlege = '24h';
    c.limitz = {};
    expect(problems(c).sort()).toEqual(
      [
        'limitz: unknown field (did you mean "limits"?)',
        'projects[0].calendar.timezone: unknown field (did you mean "timeZone"?)',
        'projects[0].maintainer: unknown field (did you mean "maintainers"?)',
        'projects[0].timers.acknowlege: unknown field (did you mean "acknowledge"?)',
      ].sort(),
    );
  });

  it('guesses nothing when no field is close', () => {
    const c = example();
    c.zzzzzz = 1;
    expect(problems(c)).toEqual(['zzzzzz: unknown field (check the spelling; see examples/config.schema.json)']);
    expect(closestName('xyz', ['reports', 'show'])).toBeUndefined();
    expect(closestName('reprots', ['reports', 'show'])).toBe('reports');
  });
});
