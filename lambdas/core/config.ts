/**
 * The deployment configuration: one file lists projects, each with its security addresses, people,
 * calendar and timers. A policy is data, not code (DESIGN section 1).
 *
 * Durations are strings: `24h` / `90m` (elapsed calendar time), `7d` (same wall-clock time N days later in the
 * project's zone), `48bh` (business hours), `2bd` (business days: one working day's length each).
 * The exact semantics live in `deadline.ts`.
 *
 * Objects are strict: an unknown key is an error, because a misspelt timer (`respnd`) would otherwise be dropped
 * in silence and a promise would go unenforced. Checks that span fields (hard >= soft, unique addresses, real
 * time zones) run in `superRefine`; `config-errors.ts` turns the issues into one line each.
 */
import { z } from 'zod';
import { calendarProblems } from './calendar-check';
import { baseAddress } from './reply-address';
import { DURATION_PATTERN } from './duration-pattern';

export { DURATION_PATTERN };

const DURATION_HELP = 'use e.g. 24h, 7d, 48bh, 2bd, 30m';

export const durationSchema = z
  .string()
  .refine((s) => DURATION_PATTERN.test(s.trim()) && Number(DURATION_PATTERN.exec(s.trim())![1]) > 0, {
    error: (iss) => `${JSON.stringify(iss.input)} is not a duration (${DURATION_HELP})`,
  })
  // For editors validating against examples/config.schema.json; the refine above is what the code enforces.
  .meta({
    pattern: '^\\s*\\d+(\\.\\d+)?(m|h|d|bh|bd)\\s*$',
    description: 'm, h: elapsed time; d: same wall-clock time N days later; bh: working hours; bd: working days',
    examples: ['24h', '7d', '48bh', '2bd', '30m'],
  });

/** RFC 9116 section 2.5: web URIs in security.txt must be https. */
const httpsUrl = z.string().regex(/^https:\/\/[^\s/?#]+[^\s]*$/, { error: (iss) => `${JSON.stringify(iss.input)} is not an https URL` });
const ENCRYPTION_URI = /^(?:https:\/\/[^\s/?#]+[^\s]*|openpgp4fpr:[0-9a-fA-F]{40}|dns:\S+)$/;

const email = z.email({ error: (iss) => `${JSON.stringify(iss.input)} is not an email address` });

const localTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: (iss) => `${JSON.stringify(iss.input)} is not a local time HH:MM` });
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: (iss) => `${JSON.stringify(iss.input)} is not a date YYYY-MM-DD` });

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const holidaySchema = z.union(
  [isoDate, z.strictObject({ from: isoDate, to: isoDate.optional(), name: z.string().optional() })],
  { error: 'is not a holiday (use "2026-12-25" or {"from": "2026-12-24", "to": "2026-12-26", "name": "..."})' },
);

const calendarShape = z.strictObject({
  /** IANA time zone, e.g. Europe/Rome. */
  timeZone: z.string().meta({ description: 'IANA time zone, e.g. Europe/London, America/Chicago, UTC' }),
  workingDays: z.array(z.enum(WEEKDAYS)).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']).describe('Days that count as working time'),
  /** Absent: whole working days count. Present: only these hours of a working day count (may cross midnight). */
  workingHours: z
    .strictObject({ start: localTime, end: localTime })
    .optional()
    .describe('Absent: whole working days count (48bh = 2 working days). Present: only these local hours count'),
  /** Whole local days that are not worked: a date, or a range `from`..`to` inclusive, with an optional name. */
  holidays: z.array(holidaySchema).default([]).describe('Whole local days not worked: "2026-12-25" or {from, to, name}'),
});

export type Calendar = z.infer<typeof calendarShape>;

/** Where in the calendar a `calendarProblems` sentence points, so the error line names the field. */
function calendarIssuePath(problem: string): (string | number)[] {
  if (/time zone/i.test(problem)) return ['timeZone'];
  // Its sentences count holidays from 1 ("holiday 3 ...", "holidays 1 and 2 overlap"): point at the later one.
  const holiday = /^holidays? (\d+)(?: and (\d+))?/i.exec(problem);
  if (holiday) return ['holidays', Number(holiday[2] ?? holiday[1]) - 1];
  if (/workingHours/.test(problem)) return ['workingHours'];
  return [];
}

/** Runs only on a calendar whose fields parsed, so a malformed date is reported once, by its pattern. */
export const calendarSchema = calendarShape.superRefine(
  (cal, ctx) => {
    for (const message of calendarProblems(cal)) ctx.addIssue({ code: 'custom', message, path: calendarIssuePath(message) });
  },
  { when: (payload) => payload.issues.length === 0 },
);

export const timerSchema = durationSchema;

const days = z.number().int({ error: 'must be a whole number of days' }).positive({ error: 'must be at least 1 day' });

export const timersSchema = z.strictObject({
  /** Acknowledge the report: `soft` is the promise, `hard` the outer bound ("48-72 business hours"). */
  acknowledge: z
    .strictObject({ soft: durationSchema, hard: durationSchema.optional() })
    .describe('soft: the promise; hard: the outer bound ("48-72 business hours" = 48bh / 72bh)'),
  respond: durationSchema.optional().describe('Detailed response with a first assessment'),
  respondMetBy: z
    .enum(['text', 'status'])
    .default('text')
    .describe('What meets the detailed response: "text" (default) a relayed message with text; "status" also a status change to triaged or later'),
  update: z
    .strictObject({
      after: durationSchema,
      every: durationSchema,
      lateNotice: z
        .boolean()
        .default(false)
        .describe('When an update is missed, tell the reporter honestly (no news this week; the maintainers were reminded; the next date)'),
    })
    .optional()
    .describe('Status updates every `every` once the report has been open for `after`'),
  embargo: z
    .strictObject({ default: durationSchema, max: durationSchema })
    .optional()
    .describe('Embargo length when a maintainer sets one without a date, and the longest allowed'),
  disclose: durationSchema
    .default('1d')
    .describe('After the embargo ends, disclose within this (reminders before, escalation after; then again every 7 days until disclosed or closed)'),
  /** When maintainers are reminded before a deadline: fractions of the window (`50%`) or durations before it (`1bh`). */
  reminders: z
    .array(
      z.union([z.string().regex(/^\d{1,2}%$/), durationSchema], {
        error: (iss) =>
          `${JSON.stringify(iss.input)} is not a reminder (use a share of the window such as 50%, or a duration ` +
          `before the deadline such as 1bh)`,
      }),
    )
    .default(['50%'])
    .describe('Reminders before each deadline: a share of the window (50%) or a duration before it (1bh)'),
});

/** An outside embargo channel's rule (core/embargo-channels.ts); built-ins: linux-distros, kernel-security, project-zero. */
export const channelsSchema = z
  .record(
    z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: (iss) => `${JSON.stringify(iss.input)} is not a channel name (a-z, 0-9, -)` }),
    z.strictObject({
      label: z.string().min(1).describe('Who the channel is, in words: "the linux-distros list"'),
      max: durationSchema.describe('The longest embargo the channel accepts, from when the report is shared with it'),
      preferred: durationSchema.optional().describe('What the channel asks for (said in the rule; not enforced)'),
      afterFix: durationSchema.optional().describe('Instead, this long after a fix is released (Status: fixed) within max (Project Zero: 30d)'),
    }),
  )
  .optional()
  .describe('Outside embargo channels (Embargo: channel <name>): each replaces the built-in of that name or adds one');

/** Where a report is disclosed in public, and the steps its SECURITY.md describes, as data (issue 14). */
export const disclosureSchema = z
  .strictObject({
    repo: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/, { error: (iss) => `${JSON.stringify(iss.input)} is not a GitHub repository (owner/repo)` })
      .describe('The GitHub repository (owner/repo) the issue, advisory and release notes are created in'),
    previewFor: durationSchema
      .default('1h')
      .describe('How long before a public act the maintainers get its exact text in a preview mail (Announce: hold stops it meanwhile)'),
    embargo: z
      .strictObject({
        anchor: z.enum(['announce']).describe('The step whose instant starts the embargo'),
        length: durationSchema.describe('The embargo ends this long after the anchor step (bases: 72h after the announcement issue opens)'),
      })
      .optional()
      .describe('The embargo set by a public step, e.g. {"anchor": "announce", "length": "72h"}'),
    announce: z
      .strictObject({
        start: z.literal('command').describe('Started by a maintainer: Announce: yes'),
        contains: z
          .array(z.enum(['affected', 'uid', 'embargo']))
          .default(['affected', 'uid', 'embargo'])
          .describe('What the public issue says: affected versions, the report UID, the embargo date; never more'),
        close: z.enum(['publish']).default('publish').describe('The issue is closed at publication (Publish: yes or at-embargo-end)'),
      })
      .optional()
      .describe('A public GitHub issue announcing that a vulnerability exists'),
    advisory: z
      .strictObject({
        draft: z.enum(['triage', 'command']).describe('The draft repository security advisory is created at triage, or by Advisory: draft'),
        requestCve: z.boolean().default(false).describe('Request a CVE for the advisory once its draft exists'),
      })
      .optional()
      .describe('A repository security advisory: a private draft, published by Publish: yes or at-embargo-end'),
    releaseNotes: z
      .strictObject({
        start: z.enum(['embargo-end']).describe('A draft release with the notes is created when the embargo ends'),
      })
      .optional()
      .describe('Draft release notes with the description and the confirmed credit'),
  })
  .describe('Disclosure on GitHub: the repository and the steps of the policy (issue 14)');

const projectShape = z.strictObject({
  /** Short name, used in IDs and mail (`bases`). */
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: (iss) => `${JSON.stringify(iss.input)} is not a project id (a-z, 0-9, -)` }),
  name: z.string().min(1),
  addresses: z.array(email).min(1, { error: 'needs at least one security address' }),
  maintainers: z.array(z.strictObject({
    address: email,
    name: z.string().optional(),
    pgpKey: z
      .string()
      .regex(/^\s*-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]+-----END PGP PUBLIC KEY BLOCK-----\s*$/, { error: 'is not an armored OpenPGP public key (-----BEGIN PGP PUBLIC KEY BLOCK-----)' })
      .optional()
      .describe("The maintainer's armored OpenPGP public key: mail only to maintainers with keys goes encrypted to them (issue 17)"),
  })).min(1, {
    error: 'needs at least one maintainer',
  }),
  escalation: z.array(email).default([]).describe('The leads: they get escalations, may act like maintainers, and alone may extend an embargo beyond the policy'),
  assignment: z
    .union([z.literal('round-robin'), z.literal('none'), z.strictObject({ fixed: email })])
    .default('round-robin')
    .describe('Who owns a new report: round-robin over the maintainers (default), {"fixed": "<address>"}, or none'),
  calendar: calendarSchema,
  timers: timersSchema,
  subjectTag: z
    .string()
    .regex(/\{id\}/, { error: 'must contain {id}, e.g. "[security report #{id}]"' })
    .default('[security report #{id}]'),
  /** What a report should contain; `key` lets the receipt tell which items seem to be missing. */
  askFor: z
    .array(
      z.strictObject({
        key: z.string(),
        text: z.string(),
        /** Case-insensitive regexes; any match in the report's text means the item seems present. */
        hints: z.array(z.string()).default([]),
      }),
    )
    .default([]),
  supportedVersions: z
    .strictObject({
      /** Human text for the receipt, e.g. "1.x.x; not < 1.0". */
      summary: z.string(),
      /** Version ranges as written in semver style: ">=1.0.0", "3.6.x", "<1.0". */
      supported: z.array(z.string()).default([]),
      unsupported: z.array(z.string()).default([]),
    })
    .optional(),
  /** A weekly summary mail to the maintainers (issue 19); absent: none. Day and time in the project's calendar zone. */
  digest: z
    .strictObject({
      day: z.enum(WEEKDAYS).describe('Weekday the digest is sent on'),
      time: localTime.describe("Local time HH:MM in the calendar's time zone"),
    })
    .optional()
    .describe("Weekly digest to the maintainers: open reports, what was missed and what falls due, quarantined mail, the last 4 weeks' figures"),
  /** How long what a report holds is kept (issue 19). Absent: kept as long as the table and the raw-mail bucket keep
   *  it (raw mail: 730 days). */
  retention: z
    .strictObject({
      closedReportDays: days.optional().describe("Days after a report is closed or disclosed before its records expire (DynamoDB TTL), after a final audit event"),
      keepAuditDays: days.optional().describe('Days the audit skeleton (the report and its audit events) is kept after closing: at least closedReportDays'),
      rawDays: days.optional().describe("Days raw mail of this project's reports is kept, per message from its arrival (deleted by the daily retention run, an audit event each time; the bucket's S3 lifecycle keeps the longest of all projects, for mail on no report)"),
      redactAfterDisclosureDays: days.optional().describe('Days after disclosure before excerpts, attachment names and raw mail are removed (facts and audit trail kept)'),
    })
    .optional()
    .describe('How long records are kept; absent: the table keeps them, raw mail is kept 730 days'),
  /** RFC 9116 security.txt written by `secintake security-txt` from this project (Contact: from `addresses`). */
  securityTxt: z
    .strictObject({
      /** Encryption: URIs of the project's OpenPGP key (https URL, or openpgp4fpr:<fingerprint>). */
      encryption: z.array(z.string().regex(ENCRYPTION_URI, { error: (iss) => `${JSON.stringify(iss.input)} is not a key URI (https://... or openpgp4fpr:<40 hex digits>)` })).default([]),
      policy: httpsUrl.optional().describe('Policy: the published SECURITY.md (https URL)'),
      acknowledgments: httpsUrl.optional().describe('Acknowledgments: the page crediting reporters (https URL)'),
      preferredLanguages: z.array(z.string().regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/, { error: (iss) => `${JSON.stringify(iss.input)} is not a language tag (e.g. en, de, pt-BR)` })).default([]),
      canonical: z.array(httpsUrl).default([]).describe('Canonical: the URLs the file is published at'),
      expiresInDays: z.number().int().min(1).max(365).default(365).describe('Expires: this many days after writing (RFC 9116: less than a year)'),
      file: z.string().optional().describe('Where the written file is kept (relative to the config file): doctor warns 30 days before its Expires'),
    })
    .optional()
    .describe('security.txt (RFC 9116) written by `secintake security-txt`; Contact comes from addresses'),
  /** Show the maintainer's display name on relayed replies ("Sam via bases security"). */
  disclosure: disclosureSchema.optional(),
  relayDisplayName: z.boolean().default(true).describe('Relay replies as "<name> via <project> security"'),
  channels: channelsSchema,
  /** Fields chosen for this file where the SECURITY.md is silent: documentation only. */
  defaults: z.record(z.string(), z.string()).optional().describe('Field -> why it was chosen (documentation only)'),
});

type Path = (string | number)[];
type Issues = { addIssue(issue: { code: 'custom'; message: string; path: Path }): void };

/**
 * A duration as a range of minutes in a family whose members compare: elapsed time (`m`, `h`, and `d`, which is
 * 23 to 25 hours across a DST change) or business time (`bh`, `bd`). Undefined when it does not parse.
 */
function measure(text: string, cal: Calendar): { family: 'elapsed' | 'business'; min: number; max: number } | undefined {
  const m = DURATION_PATTERN.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  switch (m[2]) {
    case 'm':
      return { family: 'elapsed', min: n, max: n };
    case 'h':
      return { family: 'elapsed', min: n * 60, max: n * 60 };
    case 'd':
      return { family: 'elapsed', min: n * 23 * 60, max: n * 25 * 60 };
    case 'bh':
      return { family: 'business', min: n * 60, max: n * 60 };
    default: {
      // bd: one working day's length of working time (DESIGN section 1).
      const wh = cal.workingHours;
      const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
      const day = wh ? (minutes(wh.end) - minutes(wh.start) + 1440) % 1440 : 1440;
      return day > 0 ? { family: 'business', min: n * day, max: n * day } : undefined;
    }
  }
}

/**
 * `longer` must not be shorter than `shorter`. Business time does not compare with calendar time (it depends on
 * when the count starts), so such a pair is not checked.
 */
function checkOrder(cal: Calendar, ctx: Issues, path: Path, shorter: [string, string], longer: [string, string]): void {
  const a = measure(shorter[1], cal);
  const b = measure(longer[1], cal);
  if (!a || !b || a.family !== b.family || b.max >= a.min) return;
  ctx.addIssue({
    code: 'custom',
    path,
    message: `${longer[0]} ${longer[1]} is shorter than ${shorter[0]} ${shorter[1]}`,
  });
}

export const projectSchema = projectShape.superRefine((p, ctx) => {
  p.addresses.forEach((address, i) => {
    // Reply addresses are `<local>+<id>.<mac>@domain` and route by their base address.
    if (address.includes('+')) {
      ctx.addIssue({
        code: 'custom',
        path: ['addresses', i],
        message: `${JSON.stringify(address)} contains "+": a security address cannot (reply addresses add "+<report id>")`,
      });
    }
  });
  const { acknowledge, embargo } = p.timers;
  if (acknowledge.hard) {
    checkOrder(p.calendar, ctx, ['timers', 'acknowledge', 'hard'], ['soft', acknowledge.soft], ['hard', acknowledge.hard]);
  }
  if (embargo) checkOrder(p.calendar, ctx, ['timers', 'embargo', 'max'], ['default', embargo.default], ['max', embargo.max]);
  const r = p.retention;
  if (r?.keepAuditDays !== undefined && r.closedReportDays !== undefined && r.keepAuditDays < r.closedReportDays) {
    ctx.addIssue({ code: 'custom', path: ['retention', 'keepAuditDays'], message: `keepAuditDays ${r.keepAuditDays} is shorter than closedReportDays ${r.closedReportDays}: the audit trail outlives the rest` });
  }
});

export const limitsSchema = z
  .strictObject({
    maxMessageBytes: z.number().int().positive().default(40 * 1024 * 1024),
    // Bounds against parser bombs, not against odd mail: a 1 MB subject or 10,000 attachments is still a report
    // (records keep a bounded part of it: core/bounded.ts). Measured: 10,000 tiny parts parse in ~3 s, ~200 MB.
    maxHeaderBytes: z.number().int().positive().default(2 * 1024 * 1024),
    maxMimeDepth: z.number().int().positive().default(20),
    maxParts: z.number().int().positive().default(20_000),
    receiptsPerSenderPerHour: z.number().int().nonnegative().default(3),
  })
  // prefault: an absent `limits` is parsed as {}, so the field defaults above apply.
  .prefault({});

const configShape = z.strictObject({
  $schema: z.string().optional(),
  /** Domain of our Message-IDs; a message carrying it is our own (loop). */
  messageIdDomain: z.string().regex(/^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/, {
    error: (iss) => `${JSON.stringify(iss.input)} is not a domain name (e.g. intake.example.org)`,
  }),
  projects: z.array(projectSchema).min(1, { error: 'needs at least one project' }),
  limits: limitsSchema,
  aws: z
    .strictObject({
      region: z.string().default('us-east-1'),
      /** Add our receipt rule to this existing, active rule set (default), or create and activate our own. */
      ruleSet: z.discriminatedUnion('mode', [
        z.strictObject({ mode: z.literal('existing'), name: z.string().min(1) }),
        z.strictObject({ mode: z.literal('create'), name: z.string().min(1) }),
      ]),
      alarmEmail: email.optional(),
      sesConfigurationSet: z.string().optional(),
      /**
       * Absent (default): the SES identities of the security addresses' domains are a prerequisite, verified
       * outside the stack. Present: the stack creates one domain identity per domain (Easy DKIM, 2048-bit; a
       * custom MAIL FROM `<mailFromSubdomain>.<domain>`) and outputs the DNS records to publish. Only for
       * domains not yet verified in the account and region: CloudFormation fails creating one that exists.
       */
      identities: z
        .strictObject({
          mailFromSubdomain: z
            .string()
            .regex(/^(?=.{1,63}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/i, {
              error: (iss) => `${JSON.stringify(iss.input)} is not a subdomain label (e.g. bounce)`,
            })
            .default('bounce')
            .describe('MAIL FROM is <mailFromSubdomain>.<domain>; it must not receive mail (SES requirement)'),
          onMxFailure: z
            .enum(['use-default', 'reject'])
            .default('use-default')
            .describe(
              'When the MAIL FROM MX record is missing: use-default sends with amazonses.com as MAIL FROM ' +
                '(DKIM still aligns for DMARC); reject refuses to send',
            ),
        })
        .optional()
        .describe(
          'Absent: SES identities are verified outside the stack. Present: the stack creates one per domain of ' +
            'the security addresses (Easy DKIM 2048-bit, custom MAIL FROM) and outputs the DNS records to publish',
        ),
    })
    .optional(),
  channels: channelsSchema,
  /** Deployment-wide choices made where no policy says anything (messageIdDomain, aws): documentation only. */
  defaults: z.record(z.string(), z.string()).optional(),
});

/** Cross-project checks: mail to one address must route to one project, and our own mail must never loop. */
export const configSchema = configShape.superRefine((config, ctx) => {
  const projectById = new Map<string, number>();
  const securityAddress = new Map<string, Path>();
  config.projects.forEach((p, i) => {
    const first = projectById.get(p.id);
    if (first !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['projects', i, 'id'], message: `duplicate project id ${JSON.stringify(p.id)} (also projects[${first}])` });
    } else projectById.set(p.id, i);
    p.addresses.forEach((address, j) => {
      const base = baseAddress(address);
      const seen = securityAddress.get(base);
      if (seen) {
        ctx.addIssue({
          code: 'custom',
          path: ['projects', i, 'addresses', j],
          message: `${JSON.stringify(address)} is already a security address at ${formatPath(seen)}: mail to it must reach one project`,
        });
      } else securityAddress.set(base, ['projects', i, 'addresses', j]);
    });
  });
  config.projects.forEach((p, i) => {
    const people: [Path, string][] = [
      ...p.maintainers.map((m, k): [Path, string] => [['projects', i, 'maintainers', k, 'address'], m.address]),
      ...p.escalation.map((a, k): [Path, string] => [['projects', i, 'escalation', k], a]),
    ];
    for (const [path, address] of people) {
      const clash = securityAddress.get(baseAddress(address));
      if (!clash) continue;
      ctx.addIssue({
        code: 'custom',
        path,
        message:
          `${JSON.stringify(address)} is a security address (${formatPath(clash)}): use a personal address, ` +
          'or our own mail to maintainers would come back in as a new report',
      });
    }
  });
});

/** `['projects', 1, 'timers']` -> `projects[1].timers`; keys that are not identifiers are quoted. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

export type Config = z.infer<typeof configSchema>;
export type Project = z.infer<typeof projectSchema>;
export type Timers = z.infer<typeof timersSchema>;
export type Limits = z.infer<typeof limitsSchema>;
export type Disclosure = z.infer<typeof disclosureSchema>;
