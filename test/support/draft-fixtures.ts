/** A project and report shaped like EMAILS.md's examples (bases, New York time, report K7QM-2XPD). */
import { projectSchema, type Project } from '../../lambdas/core/config';
import type { DeadlineView, Report } from '../../lambdas/core/report';

export function basesProject(overrides: Record<string, unknown> = {}): Project {
  return projectSchema.parse({
    id: 'bases',
    name: 'bases',
    addresses: ['security@bases.example'],
    maintainers: [
      { address: 'sam@bases.example', name: 'Sam' },
      { address: 'alex@bases.example' },
    ],
    escalation: ['lead@bases.example', 'sam@bases.example'],
    calendar: { timeZone: 'America/New_York' },
    timers: {
      acknowledge: { soft: '24h' },
      respond: '48h',
      update: { after: '7d', every: '7d' },
      embargo: { default: '72h', max: '14d' },
    },
    askFor: [
      { key: 'versions', text: 'the affected package version(s)', hints: ['\\bversions?\\b', '\\bv?\\d+\\.\\d+'] },
      {
        key: 'credit',
        text: 'how you would like to be credited when the advisory is published (or that you prefer not to be)',
        hints: ['credit', 'anonym'],
      },
    ],
    supportedVersions: { summary: '1.x.x; not < 1.0', supported: ['>=1.0.0'], unsupported: ['<1.0'] },
    ...overrides,
  });
}

export function k7qm(overrides: Partial<Report> = {}): Report {
  return {
    id: 'K7QM-2XPD',
    project: 'bases',
    status: 'received',
    reporter: { address: 'jane@reporter.example', name: 'Jane' },
    subject: 'Heap overflow in decode()',
    createdAt: '2027-03-12T21:02:00.000Z',
    origin: 'ses-0001',
    securityAddress: 'security@bases.example',
    rootMessageId: 'first@reporter.example',
    fired: [],
    version: 1,
    ...overrides,
  };
}

/** Fri 16:02 EST arrival: acknowledge Sat 16:02 EST, respond Sun 17:02 EDT (DST starts that morning). */
export const k7qmDeadlines: DeadlineView[] = [
  { name: 'acknowledge', dueAt: '2027-03-13T21:02:00.000Z', state: 'pending' },
  { name: 'respond', dueAt: '2027-03-14T21:02:00.000Z', state: 'pending' },
  { name: 'update', dueAt: '2027-03-19T20:02:00.000Z', state: 'pending' },
];
