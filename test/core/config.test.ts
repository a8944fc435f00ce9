import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_SCHEMA_PATH, renderConfigSchema } from '../../infra/config/write-schema';
import { loadConfigFile } from '../../lambdas/adapters/local/config-file';
import { ConfigError, parseConfig } from '../../lambdas/core/config-errors';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const example = (name: string) => loadConfigFile(join(EXAMPLES, `${name}.json`));

/** A minimal valid config with two projects; each test breaks one thing. */
function twoProjects() {
  const project = (id: string) => ({
    id,
    name: id,
    addresses: [`security@${id}.example`],
    maintainers: [{ address: `alice@${id}.example` }],
    calendar: { timeZone: 'Europe/London', holidays: ['2026-12-25'] },
    timers: { acknowledge: { soft: '48bh', hard: '72bh' }, embargo: { default: '72h', max: '14d' } },
  });
  return { messageIdDomain: 'intake.example', projects: [project('one'), project('two')] };
}

/** The problem lines of a config that must be rejected. */
function problems(config: unknown): string[] {
  try {
    parseConfig(config);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('the config was accepted');
}

describe('the example configs', () => {
  it.each(['bases', 'falconpy', 'fdr-connector', 'misp-tools', 'template', 'crowdstrike'])('%s.json validates', (name) => {
    const config = example(name);
    expect(config.projects.length).toBeGreaterThan(0);
    for (const project of config.projects) {
      // Every choice the SECURITY.md did not make is explained, starting with the time zone.
      expect(project.defaults?.['calendar.timeZone']).toMatch(/chosen/);
    }
    expect(config.aws?.ruleSet).toEqual({ mode: 'existing', name: 'default-rule-set' });
  });

  it('bases encodes its SECURITY.md: 24h, 48h, weekly after a week, 72h embargo, five items to ask for', () => {
    const [bases] = example('bases').projects;
    expect(bases.addresses).toEqual(['security@hashberg.io']);
    expect(bases.timers).toMatchObject({
      acknowledge: { soft: '24h' },
      respond: '48h',
      update: { after: '7d', every: '7d' },
      embargo: { default: '72h' },
    });
    expect(bases.subjectTag).toBe('[security report #{id}]');
    expect(bases.askFor.map((item) => item.key)).toEqual(['contact', 'credit', 'affected-versions', 'environment', 'description']);
  });

  it('one CrowdStrike deployment serves three projects, each acknowledging in 2 to 3 whole working days', () => {
    const config = example('crowdstrike');
    expect(config.projects.map((p) => [p.id, p.addresses])).toEqual([
      ['falconpy', ['falconpy@crowdstrike.com']],
      ['fdr-connector', ['fdr-security@crowdstrike.com']],
      ['misp-tools', ['oss-security@crowdstrike.com']],
    ]);
    for (const project of config.projects) {
      expect(project.timers.acknowledge).toEqual({ soft: '48bh', hard: '72bh' });
      expect(project.calendar.workingHours).toBeUndefined();
      expect(project.calendar.workingDays).toEqual(['mon', 'tue', 'wed', 'thu', 'fri']);
      expect(project.calendar.holidays).toContainEqual({ from: '2026-11-26', name: 'Thanksgiving Day' });
    }
    // FDR's SECURITY.md names no address: the one chosen is marked as a default.
    expect(config.projects[1].defaults?.addresses).toMatch(/no email/);
  });

  it('the template supports 1.x.x and not < 1.0', () => {
    const [template] = example('template').projects;
    expect(template.timers.acknowledge).toEqual({ soft: '24h' });
    expect(template.supportedVersions).toMatchObject({ supported: ['1.x.x'], unsupported: ['<1.0'] });
    expect(template.askFor).toHaveLength(4);
  });
});

describe('config errors: one line per problem, path then message', () => {
  it('a bad duration names its path and the accepted forms', () => {
    const config = twoProjects();
    (config.projects[1].timers.acknowledge as { soft: string }).soft = '48 bizhours';
    expect(problems(config)).toEqual([
      'projects[1].timers.acknowledge.soft: "48 bizhours" is not a duration (use e.g. 24h, 7d, 48bh, 2bd, 30m)',
    ]);
  });

  it('ConfigError lists the problems under one heading', () => {
    const config = twoProjects();
    config.projects[0].timers.acknowledge.soft = '0h';
    expect(() => parseConfig(config)).toThrow(
      'invalid config:\n  projects[0].timers.acknowledge.soft: "0h" is not a duration (use e.g. 24h, 7d, 48bh, 2bd, 30m)',
    );
    try {
      parseConfig(config);
    } catch (err) {
      expect((err as Error).name).toBe('ConfigError');
    }
  });

  it('an unknown time zone', () => {
    const config = twoProjects();
    config.projects[0].calendar.timeZone = 'Europe/Londn';
    expect(problems(config)).toEqual(['projects[0].calendar.timeZone: "Europe/Londn" is not an IANA time zone']);
  });

  it('overlapping holidays point at the later one', () => {
    const config = twoProjects();
    (config.projects[0].calendar.holidays as unknown[]).push({ from: '2026-12-24', to: '2026-12-26' });
    const [line] = problems(config);
    expect(line).toMatch(/^projects\[0\]\.calendar\.holidays\[1\]: .*overlap/);
  });

  it('a malformed holiday is reported once, by its pattern', () => {
    const config = twoProjects();
    config.projects[0].calendar.holidays = ['25 Dec 2026'];
    expect(problems(config)).toEqual(['projects[0].calendar.holidays[0]: "25 Dec 2026" is not a date YYYY-MM-DD']);
  });

  it('a missing or empty address list', () => {
    const config = twoProjects();
    config.projects[0].addresses = [];
    delete (config.projects[1] as { addresses?: string[] }).addresses;
    expect(problems(config)).toEqual([
      'projects[0].addresses: needs at least one security address',
      'projects[1].addresses: required, but missing',
    ]);
  });

  it('a duplicate project id', () => {
    const config = twoProjects();
    config.projects[1].id = 'one';
    expect(problems(config)).toEqual(['projects[1].id: duplicate project id "one" (also projects[0])']);
  });

  it('a hard bound shorter than the soft promise, compared within the unit family', () => {
    const config = twoProjects();
    config.projects[0].timers.acknowledge = { soft: '3bd', hard: '48bh' };
    config.projects[1].timers.acknowledge = { soft: '24h', hard: '2d' }; // fine: 2 days are 46 to 50 hours
    expect(problems(config)).toEqual(['projects[0].timers.acknowledge.hard: hard 48bh is shorter than soft 3bd']);
  });

  it('a business day is the length of a working day: 16bh covers 2bd on a 09:00-17:00 calendar', () => {
    const config = twoProjects();
    Object.assign(config.projects[0].calendar, { workingHours: { start: '09:00', end: '17:00' } });
    config.projects[0].timers.acknowledge = { soft: '2bd', hard: '16bh' };
    expect(() => parseConfig(config)).not.toThrow();
    config.projects[0].timers.acknowledge = { soft: '2bd', hard: '15bh' };
    expect(problems(config)).toEqual(['projects[0].timers.acknowledge.hard: hard 15bh is shorter than soft 2bd']);
  });

  it('an embargo default longer than its maximum', () => {
    const config = twoProjects();
    config.projects[1].timers.embargo = { default: '72h', max: '2d' };
    expect(problems(config)).toEqual(['projects[1].timers.embargo.max: max 2d is shorter than default 72h']);
  });

  it('one address for two projects, in any case', () => {
    const config = twoProjects();
    config.projects[1].addresses = ['Security@One.example'];
    expect(problems(config)).toEqual([
      'projects[1].addresses[0]: "Security@One.example" is already a security address at projects[0].addresses[0]: ' +
        'mail to it must reach one project',
    ]);
  });

  it('a maintainer whose address is a security address', () => {
    const config = twoProjects();
    config.projects[1].maintainers.push({ address: 'security@one.example' });
    expect(problems(config)).toEqual([
      expect.stringMatching(/^projects\[1\]\.maintainers\[1\]\.address: "security@one\.example" is a security address/),
    ]);
  });

  it('a misspelt field is not dropped in silence', () => {
    const config = twoProjects();
    Object.assign(config.projects[0].timers, { respnd: '48h' });
    expect(problems(config)).toEqual([expect.stringMatching(/^projects\[0\]\.timers\.respnd: unknown field/)]);
  });
});

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secintake-config-'));

  it('names the file, line and column of a JSON syntax error', () => {
    const file = join(dir, 'trailing-comma.json');
    writeFileSync(file, '{\n  "messageIdDomain": "intake.example",\n  "projects": [],\n}\n');
    expect(() => loadConfigFile(file)).toThrow(`invalid config in ${file}:\n  line 4, column 1: not valid JSON at "}"`);
  });

  it('names the file of an invalid config', () => {
    const file = join(dir, 'no-projects.json');
    writeFileSync(file, JSON.stringify({ messageIdDomain: 'intake.example', projects: [] }));
    expect(() => loadConfigFile(file)).toThrow(`invalid config in ${file}:\n  projects: needs at least one project`);
  });

  it('says when the file is not there', () => {
    expect(() => loadConfigFile(join(dir, 'absent.json'))).toThrow(/absent\.json:\n {2}cannot read the file: no such file/);
  });
});

describe('examples/config.schema.json', () => {
  it('is what `npm run schema` generates from the zod schema today', () => {
    const committed = readFileSync(CONFIG_SCHEMA_PATH, 'utf8');
    // On failure: run `npm run schema` and commit examples/config.schema.json.
    expect(committed).toBe(renderConfigSchema());
  });
});
