/**
 * The deployment configuration: one file lists projects, each with its security addresses, people,
 * calendar and timers. A policy is data, not code (DESIGN section 1).
 *
 * Durations are strings: `24h` / `90m` (elapsed calendar time), `7d` (same wall-clock time N days later in the
 * project's zone), `48bh` (business hours), `2bd` (business days: one working day's length each).
 * The exact semantics live in `deadline.ts`.
 */
import { z } from 'zod';

export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(m|h|d|bh|bd)$/;

export const durationSchema = z
  .string()
  .refine((s) => DURATION_PATTERN.test(s.trim()) && Number(DURATION_PATTERN.exec(s.trim())![1]) > 0, {
    error: (iss) => `${JSON.stringify(iss.input)} is not a duration (use e.g. 24h, 7d, 48bh, 2bd, 30m)`,
  });

const email = z.email({ error: (iss) => `${JSON.stringify(iss.input)} is not an email address` });

const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'is not a local time HH:MM' });
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'is not a date YYYY-MM-DD' });

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export const calendarSchema = z.object({
  /** IANA time zone, e.g. Europe/Rome. */
  timeZone: z.string(),
  workingDays: z.array(z.enum(WEEKDAYS)).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']),
  /** Absent: whole working days count. Present: only these hours of a working day count (may cross midnight). */
  workingHours: z.object({ start: localTime, end: localTime }).optional(),
  /** Whole local days that are not worked: a date, or a range `from`..`to` inclusive, with an optional name. */
  holidays: z
    .array(z.union([isoDate, z.object({ from: isoDate, to: isoDate.optional(), name: z.string().optional() })]))
    .default([]),
});

export const timerSchema = durationSchema;

export const timersSchema = z.object({
  /** Acknowledge the report: `soft` is the promise, `hard` the outer bound ("48-72 business hours"). */
  acknowledge: z.object({ soft: durationSchema, hard: durationSchema.optional() }),
  /** Detailed response with a first assessment. */
  respond: durationSchema.optional(),
  /** Status updates every `every`, once the report has been open for `after`. */
  update: z.object({ after: durationSchema, every: durationSchema }).optional(),
  /** Embargo length when a maintainer sets one without a date, and the longest allowed. */
  embargo: z.object({ default: durationSchema, max: durationSchema }).optional(),
  /** When maintainers are reminded before a deadline: fractions of the window (`50%`) or durations before it (`1bh`). */
  reminders: z.array(z.union([z.string().regex(/^\d{1,2}%$/), durationSchema])).default(['50%']),
});

export const projectSchema = z.object({
  /** Short name, used in IDs and mail (`bases`). */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: 'is not a project id (a-z, 0-9, -)' }),
  name: z.string().min(1),
  addresses: z.array(email).min(1),
  maintainers: z.array(z.object({ address: email, name: z.string().optional() })).min(1),
  escalation: z.array(email).default([]),
  calendar: calendarSchema,
  timers: timersSchema,
  subjectTag: z.string().includes('{id}').default('[security report #{id}]'),
  /** What a report should contain; `key` lets the receipt tell which items seem to be missing. */
  askFor: z
    .array(z.object({ key: z.string(), text: z.string(), hints: z.array(z.string()).default([]) }))
    .default([]),
  supportedVersions: z
    .object({
      /** Human text for the receipt, e.g. "1.x.x; not < 1.0". */
      summary: z.string(),
      /** Version ranges as written in semver style: ">=1.0.0", "3.6.x", "<1.0". */
      supported: z.array(z.string()).default([]),
      unsupported: z.array(z.string()).default([]),
    })
    .optional(),
  /** Show the maintainer's display name on relayed replies ("Sam via bases security"). */
  relayDisplayName: z.boolean().default(true),
  /** Fields chosen for this file where the SECURITY.md is silent: documentation only. */
  defaults: z.record(z.string(), z.string()).optional(),
});

export const limitsSchema = z
  .object({
    maxMessageBytes: z.number().int().positive().default(40 * 1024 * 1024),
    maxHeaderBytes: z.number().int().positive().default(256 * 1024),
    maxMimeDepth: z.number().int().positive().default(20),
    maxParts: z.number().int().positive().default(500),
    receiptsPerSenderPerHour: z.number().int().nonnegative().default(3),
  })
  .default({
    maxMessageBytes: 40 * 1024 * 1024,
    maxHeaderBytes: 256 * 1024,
    maxMimeDepth: 20,
    maxParts: 500,
    receiptsPerSenderPerHour: 3,
  });

export const configSchema = z.object({
  $schema: z.string().optional(),
  /** Domain of our Message-IDs; a message carrying it is our own (loop). */
  messageIdDomain: z.string().min(1),
  projects: z.array(projectSchema).min(1),
  limits: limitsSchema,
  aws: z
    .object({
      region: z.string().default('us-east-1'),
      /** Add our receipt rule to this existing, active rule set (default), or create and activate our own. */
      ruleSet: z.union([
        z.object({ mode: z.literal('existing'), name: z.string().min(1) }),
        z.object({ mode: z.literal('create'), name: z.string().min(1) }),
      ]),
      alarmEmail: email.optional(),
      sesConfigurationSet: z.string().optional(),
    })
    .optional(),
});

export type Config = z.infer<typeof configSchema>;
export type Project = z.infer<typeof projectSchema>;
export type Calendar = z.infer<typeof calendarSchema>;
export type Timers = z.infer<typeof timersSchema>;
export type Limits = z.infer<typeof limitsSchema>;
