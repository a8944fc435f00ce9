/**
 * Outside embargo channels (issue 14, point 6): when a report is shared with others (the linux-distros list, the
 * kernel security team, Project Zero), each channel's own rule limits the embargo. The effective embargo is the
 * earliest of the project's end and every channel's end, each with where it comes from. Pure.
 *
 * A channel's rule: at most `max` from the moment the report was shared with it; `afterFix`, when given, ends it
 * that long after a fix is released instead, if the fix is released before `max` runs out (Project Zero: 90 days,
 * or 30 days after the fix). `preferred` is what the channel asks for, said in the rule's text and checked by no one.
 */
import type { Calendar } from './config';
import { addDuration } from './deadline';

export interface ChannelRule {
  /** Who the channel is, in words: "the linux-distros list". */
  label: string;
  max: string;
  preferred?: string;
  afterFix?: string;
}

export type ChannelTable = Record<string, ChannelRule>;

/** The channels every deployment knows; the config's `channels` and a project's `channels` override or add. */
export const BUILT_IN_CHANNELS: ChannelTable = {
  'linux-distros': { label: 'the linux-distros list', max: '14d', preferred: '7d' },
  'kernel-security': { label: 'the Linux kernel security team', max: '7d' },
  'project-zero': { label: 'Google Project Zero', max: '90d', afterFix: '30d' },
};

/** One sharing of the report with a channel, as recorded on the report. */
export interface ChannelShare {
  channel: string;
  sharedAt: string;
  by: string;
}

export interface EmbargoSource {
  /** `project` or `channel:<name>`. */
  source: string;
  end: string;
  /** The rule in words, with the instant it counts from. */
  rule: string;
}

export interface EffectiveEmbargo {
  /** The earliest end of all sources; absent: no embargo. */
  end?: string;
  /** Every limit, earliest first. */
  sources: EmbargoSource[];
}

/** Built-ins, then the deployment's table, then the project's: a later one replaces a channel whole. */
export function channelTable(...layers: Array<ChannelTable | undefined>): ChannelTable {
  return Object.assign({}, BUILT_IN_CHANNELS, ...layers.filter(Boolean));
}

/** `14d` -> `14 days`, `72h` -> `72 hours`. */
function words(duration: string): string {
  const m = /^(\d+(?:\.\d+)?)(m|h|d|bh|bd)$/.exec(duration.trim());
  if (!m) return duration;
  const unit = { m: 'minute', h: 'hour', d: 'day', bh: 'working hour', bd: 'working day' }[m[2] as 'm' | 'h' | 'd' | 'bh' | 'bd'];
  return `${m[1]} ${unit}${m[1] === '1' ? '' : 's'}`;
}

/** The end one channel sets, and its rule in words. */
export function channelEnd(share: ChannelShare, rule: ChannelRule, calendar: Calendar, fixReleasedAt?: string): { end: Date; rule: string } {
  const shared = new Date(share.sharedAt);
  const latest = addDuration(shared, rule.max, calendar);
  const base = `${rule.label}: at most ${words(rule.max)}${rule.preferred ? ` (${words(rule.preferred)} preferred)` : ''} from when it was shared (${share.sharedAt})`;
  if (rule.afterFix) {
    const fix = fixReleasedAt ? new Date(fixReleasedAt) : undefined;
    if (fix && fix.getTime() <= latest.getTime()) {
      return { end: addDuration(fix, rule.afterFix, calendar), rule: `${rule.label}: ${words(rule.afterFix)} after the fix was released (${fixReleasedAt}), the fix having come within ${words(rule.max)} of sharing (${share.sharedAt})` };
    }
    return { end: latest, rule: `${base}, or ${words(rule.afterFix)} after a fix is released within that time` };
  }
  return { end: latest, rule: base };
}

export interface EmbargoInput {
  /** The project's own end (what the maintainers set with `Embargo:`), if any. */
  projectEnd?: string;
  /** Who set it, for the rule's words. */
  projectSetBy?: string;
  shares: ChannelShare[];
  fixReleasedAt?: string;
  channels: ChannelTable;
  calendar: Calendar;
}

/** The effective embargo: the earliest of the project's end and every channel's end. */
export function effectiveEmbargo(input: EmbargoInput): EffectiveEmbargo {
  const sources: EmbargoSource[] = [];
  if (input.projectEnd) {
    sources.push({ source: 'project', end: new Date(input.projectEnd).toISOString(), rule: `the project's embargo${input.projectSetBy ? `, set by ${input.projectSetBy}` : ''}` });
  }
  for (const share of input.shares) {
    const rule = input.channels[share.channel];
    // a channel removed from the config since it was shared: its rule is unknown now (the end it set is kept
    // on the report as `embargo.until` until something changes it)
    if (!rule) continue;
    const { end, rule: text } = channelEnd(share, rule, input.calendar, input.fixReleasedAt);
    sources.push({ source: `channel:${share.channel}`, end: end.toISOString(), rule: text });
  }
  sources.sort((a, b) => a.end.localeCompare(b.end) || a.source.localeCompare(b.source));
  return sources.length ? { end: sources[0]!.end, sources } : { sources };
}

/** The part of the report this reads (kept narrow so it works on any version of the record). */
export interface EmbargoFields {
  embargo?: { until: string; setAt: string; setBy: string };
  embargoChannels?: ChannelShare[];
  embargoProject?: { until?: string; setBy?: string };
  fixReleasedAt?: string;
}

/**
 * The effective embargo of a report. Before any sharing, the project's end is `embargo.until`; once shared,
 * `embargoProject` keeps the project's own end and `embargo.until` holds the effective one.
 */
export function reportEmbargo(report: EmbargoFields, channels: ChannelTable, calendar: Calendar): EffectiveEmbargo {
  const shares = report.embargoChannels ?? [];
  const project = shares.length && report.embargoProject ? report.embargoProject : report.embargo ? { until: report.embargo.until, setBy: report.embargo.setBy } : {};
  return effectiveEmbargo({ projectEnd: project.until, projectSetBy: project.setBy, shares, fixReleasedAt: report.fixReleasedAt, channels, calendar });
}

/** `Embargo: <date>` with channels: a date past a channel's end is refused, with the channel's rule. */
export function channelRefusal(until: Date, report: EmbargoFields, channels: ChannelTable, calendar: Calendar): string | undefined {
  for (const share of report.embargoChannels ?? []) {
    const rule = channels[share.channel];
    if (!rule) continue;
    const limit = channelEnd(share, rule, calendar, report.fixReleasedAt);
    if (until.getTime() > limit.end.getTime()) {
      return `${until.toISOString()} is past the limit of ${share.channel}, with which the report was shared: ${limit.rule}, i.e. until ${limit.end.toISOString()}`;
    }
  }
  return undefined;
}
