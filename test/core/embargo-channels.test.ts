/**
 * Outside embargo channels (issue 14, point 6): the effective embargo is the earliest of the project's end and
 * each channel's, with where each limit comes from; a date past a channel's limit is refused with its rule.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyCommands } from '../../lambdas/core/apply-commands';
import { parseCommands } from '../../lambdas/core/commands';
import { parseConfig } from '../../lambdas/core/config-errors';
import { BUILT_IN_CHANNELS, channelTable, effectiveEmbargo, reportEmbargo } from '../../lambdas/core/embargo-channels';
import type { Report } from '../../lambdas/core/report';

const bases = parseConfig(JSON.parse(readFileSync(join(__dirname, '../../examples/bases.json'), 'utf8'))).projects[0];
// UTC and a long maximum, so that the channels' limits are what is tested
const project = { ...bases, calendar: { ...bases.calendar, timeZone: 'UTC' }, timers: { ...bases.timers, embargo: { default: '72h', max: '120d' } } };
const calendar = project.calendar;
const channels = channelTable();
const day = 86_400_000;
const t0 = new Date('2027-03-01T10:00:00.000Z');
const at = (days: number) => new Date(t0.getTime() + days * day);
const iso = (days: number) => at(days).toISOString();

const report: Report = {
  id: 'K7QM-2XPD',
  project: 'bases',
  status: 'triaged',
  reporter: { address: 'jane@reporter.example' },
  subject: 'Heap overflow',
  createdAt: '2027-02-28T21:02:00.000Z',
  origin: 'ses-1',
  securityAddress: 'security@hashberg.io',
  fired: [],
  version: 3,
};

function apply(text: string, r: Report, now: Date, actor = 'alice@hashberg.io') {
  const parsed = parseCommands(text, now, { defaultDuration: '72h', max: '120d' });
  expect(parsed.errors).toEqual([]);
  const effects = applyCommands(r, parsed.commands, now, project, actor, channels);
  return { effects, after: { ...r, ...effects.patch } as Report };
}

describe('effectiveEmbargo (pure)', () => {
  test('the built-in table: linux-distros 14 days (7 preferred), the kernel security team 7 days, Project Zero 90 + 30 after a fix', () => {
    expect(BUILT_IN_CHANNELS).toMatchObject({
      'linux-distros': { max: '14d', preferred: '7d' },
      'kernel-security': { max: '7d' },
      'project-zero': { max: '90d', afterFix: '30d' },
    });
  });

  test('the earliest end wins, and every limit says where it comes from', () => {
    const e = effectiveEmbargo({ projectEnd: iso(30), projectSetBy: 'alice@hashberg.io', shares: [{ channel: 'linux-distros', sharedAt: iso(0), by: 'alice@hashberg.io' }], channels, calendar });
    expect(e.end).toBe(iso(14));
    expect(e.sources.map((s) => [s.source, s.end])).toEqual([['channel:linux-distros', iso(14)], ['project', iso(30)]]);
    expect(e.sources[0]!.rule).toBe(`the linux-distros list: at most 14 days (7 days preferred) from when it was shared (${iso(0)})`);
    expect(e.sources[1]!.rule).toBe("the project's embargo, set by alice@hashberg.io");
  });

  test('a project end before the channel limit stays the end; no project end: the channel limit alone', () => {
    expect(effectiveEmbargo({ projectEnd: iso(3), shares: [{ channel: 'kernel-security', sharedAt: iso(0), by: 'a' }], channels, calendar }).end).toBe(iso(3));
    expect(effectiveEmbargo({ shares: [{ channel: 'kernel-security', sharedAt: iso(0), by: 'a' }], channels, calendar }).end).toBe(iso(7));
    expect(effectiveEmbargo({ shares: [], channels, calendar })).toEqual({ sources: [] });
  });

  test('Project Zero: 90 days; a fix released within them ends it 30 days after the fix (even past day 90); a later fix changes nothing', () => {
    const shares = [{ channel: 'project-zero', sharedAt: iso(0), by: 'a' }];
    expect(effectiveEmbargo({ shares, channels, calendar }).end).toBe(iso(90));
    expect(effectiveEmbargo({ shares, fixReleasedAt: iso(10), channels, calendar }).end).toBe(iso(40));
    expect(effectiveEmbargo({ shares, fixReleasedAt: iso(80), channels, calendar }).end).toBe(iso(110));
    expect(effectiveEmbargo({ shares, fixReleasedAt: iso(95), channels, calendar }).end).toBe(iso(90));
    expect(effectiveEmbargo({ shares, fixReleasedAt: iso(10), channels, calendar }).sources[0]!.rule).toMatch(/^Google Project Zero: 30 days after the fix was released/);
  });

  test("the config's table and a project's replace a built-in channel whole, or add one", () => {
    const table = channelTable({ 'linux-distros': { label: 'distros (ours)', max: '10d' } }, { 'vendor-sec': { label: 'a vendor list', max: '5d' } });
    expect(table['linux-distros']).toEqual({ label: 'distros (ours)', max: '10d' });
    expect(table['vendor-sec']).toEqual({ label: 'a vendor list', max: '5d' });
    expect(table['project-zero']).toEqual(BUILT_IN_CHANNELS['project-zero']);
    const shares = [{ channel: 'linux-distros', sharedAt: iso(0), by: 'a' }];
    expect(effectiveEmbargo({ projectEnd: iso(30), shares, channels: table, calendar }).end).toBe(iso(10));
  });

  test('a report never shared: its embargo is the project end alone', () => {
    expect(reportEmbargo({ embargo: { until: iso(5), setAt: iso(0), setBy: 'bob@hashberg.io' } }, channels, calendar)).toEqual({
      end: iso(5),
      sources: [{ source: 'project', end: iso(5), rule: "the project's embargo, set by bob@hashberg.io" }],
    });
  });
});

describe('Embargo: channel <name> (applyCommands)', () => {
  const withEmbargo: Report = { ...report, embargo: { until: iso(30), setAt: iso(0), setBy: 'alice@hashberg.io' }, embargoAnchorAt: iso(0) };

  test('sharing with linux-distros brings a 30-day embargo to 14 days from the sharing; the change is an embargo.set (the reporter is told)', () => {
    const { effects, after } = apply('Embargo: channel linux-distros\n', withEmbargo, at(1));
    expect(effects.refusals).toEqual([]);
    expect(after.embargoChannels).toEqual([{ channel: 'linux-distros', sharedAt: iso(1), by: 'alice@hashberg.io' }]);
    expect(after.embargoProject).toEqual({ until: iso(30), setBy: 'alice@hashberg.io' });
    expect(after.embargo).toEqual({ until: iso(15), setAt: iso(1), setBy: 'channel:linux-distros' });
    expect(effects.changes.map((c) => c.type)).toEqual(['embargo.channel', 'embargo.set']);
    expect(effects.changes[1]!.detail).toMatchObject({ from: iso(30), to: iso(15), by: 'channel:linux-distros' });
  });

  test('a later project date past the channel limit is refused with the reason; an earlier one is the new end', () => {
    const shared = apply('Embargo: channel linux-distros\n', withEmbargo, at(1)).after;
    const late = apply(`Embargo: ${iso(20).slice(0, 16).replace('T', ' ')} UTC\n`, shared, at(2)).effects;
    expect(late.patch).toEqual({});
    expect(late.refusals).toHaveLength(1);
    expect(late.refusals[0]!.reason).toBe(
      `${iso(20)} is past the limit of linux-distros, with which the report was shared: the linux-distros list: at most 14 days (7 days preferred) from when it was shared (${iso(1)}), i.e. until ${iso(15)}`,
    );
    const { effects, after } = apply(`Embargo: ${iso(8).slice(0, 16).replace('T', ' ')} UTC\n`, shared, at(2));
    expect(effects.refusals).toEqual([]);
    expect(after.embargo?.until).toBe(iso(8));
    expect(after.embargoProject).toEqual({ until: iso(8), setBy: 'alice@hashberg.io' });
    expect(effects.changes.map((c) => c.type)).toEqual(['embargo.project.set', 'embargo.set']);
  });

  test('a lead cannot extend past a channel limit either', () => {
    const shared = apply('Embargo: channel kernel-security\n', withEmbargo, at(1)).after;
    const parsed = parseCommands(`Embargo: extend ${iso(40).slice(0, 16).replace('T', ' ')} UTC reason: the fix needs a firmware update\n`, at(2));
    const e = applyCommands(shared, parsed.commands, at(2), project, 'security-lead@hashberg.io', channels);
    expect(e.patch).toEqual({});
    expect(e.refusals[0]!.reason).toMatch(/past the limit of kernel-security.*a lead cannot extend past an outside channel's rule$/);
  });

  test('lifting the project embargo leaves the channel limit', () => {
    const shared = apply('Embargo: channel linux-distros\n', withEmbargo, at(1)).after;
    const { effects, after } = apply('Embargo: none\n', shared, at(2));
    expect(after.embargoProject).toEqual({});
    expect(after.embargo?.until).toBe(iso(15));
    expect(effects.changes.map((c) => c.type)).toEqual(['embargo.project.lifted']);
  });

  test('Project Zero without an embargo sets one at 90 days; Status: fixed (the fix released) moves it to 30 days after', () => {
    const { after: shared, effects } = apply('Embargo: channel project-zero\n', report, at(0));
    expect(shared.embargo?.until).toBe(iso(90));
    expect(shared.embargoAnchorAt).toBe(iso(0));
    expect(effects.changes.map((c) => c.type)).toEqual(['embargo.channel', 'embargo.set']);
    const fixed = apply('Status: fixed\n', shared, at(10));
    expect(fixed.after.fixReleasedAt).toBe(iso(10));
    expect(fixed.after.embargo?.until).toBe(iso(40));
    expect(fixed.effects.changes.map((c) => c.type)).toEqual(['status.changed', 'embargo.set']);
  });

  test('an unknown channel, or the same channel twice, is refused and changes nothing', () => {
    const unknown = apply('Embargo: channel oss-security\n', withEmbargo, at(1)).effects;
    expect(unknown.patch).toEqual({});
    expect(unknown.refusals[0]!.reason).toBe('"oss-security" is not an embargo channel of bases; known: linux-distros, kernel-security, project-zero (add one under "channels" in the config)');
    const shared = apply('Embargo: channel linux-distros\n', withEmbargo, at(1)).after;
    const twice = apply('Embargo: channel linux-distros\n', shared, at(3)).effects;
    expect(twice.patch).toEqual({});
    expect(twice.refusals[0]!.reason).toMatch(/already shared with linux-distros on 2027-03-02T10:00:00.000Z/);
  });

  test('without any sharing, nothing changes for the existing commands', () => {
    const { effects } = apply('Embargo: 72h\n', report, at(0));
    expect(effects.patch).toEqual({ embargo: { until: iso(3), setAt: iso(0), setBy: 'alice@hashberg.io' }, embargoAnchorAt: iso(0) });
    expect(effects.changes.map((c) => c.type)).toEqual(['embargo.set']);
  });

  test('"Embargo: channel" without a name is a parse error with the correct form', () => {
    const parsed = parseCommands('Embargo: channel\n', at(0));
    expect(parsed.errors[0]!.reason).toBe('a channel needs its name, e.g. "Embargo: channel linux-distros"');
  });
});
