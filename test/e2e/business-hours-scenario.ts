/**
 * The CrowdStrike policies' "48 - 72 business hours" (examples/falconpy.json, fdr-connector.json, misp-tools.json
 * and crowdstrike.json: whole working days, America/Chicago, US federal holidays) driven on the local stack: a
 * report arrives over SMTP and nobody answers until after the outer bound; then a maintainer triages it by
 * DKIM-signed reply. Each test file states its own instants; this only drives the stack and collects what went out.
 */
import type { Report } from '../../lambdas/core/report';
import { plainMail, startScenario, timelineOf, type FiredTimer, type SentMail } from './scenario-support';

export const REPORTER = 'sam@finder.example';

export interface BusinessHoursRun {
  report: Report;
  mails: SentMail[];
  timeline: string[];
  fired: FiredTimer[];
  transitions: number;
  /** Report after the run (status, acknowledgedAt, nextDueAt). */
  final: Report;
  /** Whether the workflow still runs at the end (it does: triaged is not finished). */
  running: boolean;
  /** Reports in the store (one: nothing went to another project). */
  reportCount: number;
}

export async function runBusinessHoursScenario(opts: {
  config: string;
  securityAddress: string;
  maintainer: string;
  arrival: string;
  /** When the maintainer finally replies (after the hard bound). */
  replyAt: string;
  /** Where the clock stops. */
  until: string;
}): Promise<BusinessHoursRun> {
  const s = await startScenario({ config: opts.config, startAt: opts.arrival, maintainerDomains: ['crowdstrike.com'] });
  try {
    await s.deliver(
      plainMail({
        from: `Sam Finder <${REPORTER}>`,
        to: opts.securityAddress,
        subject: 'Token leak in debug logging',
        date: opts.arrival,
        messageId: 'report-1@mail.finder.example',
        body:
          'With debug logging on, the OAuth2 bearer token is written to the log in clear text, so an attacker ' +
          'who can read the logs can call the API as the user.\n\nSteps to reproduce: enable debug, call any ' +
          'endpoint, read the log. Tested with release 1.4.2 on Python 3.9, Ubuntu 22.04.\n',
      }),
      { from: REPORTER, to: opts.securityAddress },
    );
    const [report] = await s.stack.deps.store.listReports();
    const receipt = (await s.outbox()).find((m) => m.kind === 'receipt')!;
    await s.advanceTo(opts.replyAt);
    await s.deliver(
      plainMail({
        from: opts.maintainer,
        to: receipt.replyTo,
        subject: `Re: ${receipt.subject}`,
        date: opts.replyAt,
        messageId: 'triage-1@crowdstrike.com',
        body: 'Status: triaged\n\nThank you, confirmed; a fix is planned for the next release.\n',
      }),
      { from: opts.maintainer, to: receipt.replyTo },
      true,
    );
    await s.advanceTo(opts.until);
    const mails = await s.outbox();
    return {
      report,
      mails,
      timeline: timelineOf(mails),
      fired: await s.fired(report.id),
      transitions: s.stack.runner.transitions(report.id),
      final: (await s.stack.deps.store.getReport(report.id))!,
      running: await s.stack.deps.workflow.isRunning(report.id),
      reportCount: (await s.stack.deps.store.listReports()).length,
    };
  } finally {
    await s.close();
  }
}
