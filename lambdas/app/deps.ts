import type { Config } from '../core/config';
import type { CliPlace } from '../core/cli-hint';
import type { Clock } from '../ports/clock';
import type { DkimVerifier } from '../ports/dkim-verifier';
import type { GitHub } from '../ports/github';
import type { Logger, Metrics } from '../ports/logger';
import type { MailComposer } from '../ports/mail-composer';
import type { MailParser } from '../ports/mail-parser';
import type { MailSender } from '../ports/mail-sender';
import type { PgpEngine, ProjectKeyStore } from '../ports/pgp';
import type { RawMailStore } from '../ports/raw-mail-store';
import type { ReportStore } from '../ports/report-store';
import type { SecretKeySource } from '../ports/secret-key';
import type { Workflow } from '../ports/workflow';

/** Everything a use case may reach. Handlers (AWS) and the local stack each build one of these. */
export interface Deps {
  config: Config;
  store: ReportStore;
  raw: RawMailStore;
  parser: MailParser;
  /** Verifies a maintainer's DKIM signatures on the stored bytes (what they cover, not only pass/fail). */
  dkim: DkimVerifier;
  sender: MailSender;
  composer: MailComposer;
  workflow: Workflow;
  clock: Clock;
  keys: SecretKeySource;
  log: Logger;
  metrics: Metrics;
  /** Where the maintainers run the CLI for this deployment (the stack on AWS; absent locally): mail names
   *  commands that work there (core/cli-hint.ts). */
  place?: CliPlace;
  /** Disclosure steps (issue 14): only the tick uses it; absent where no project discloses on GitHub. */
  github?: GitHub;
  /** OpenPGP (issue 17): without these, encrypted mail stays as it came and nothing is encrypted. */
  pgp?: PgpEngine;
  projectKeys?: ProjectKeyStore;
}
