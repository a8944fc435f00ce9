/**
 * What the schedules do on AWS (issue 19), done by the local stack as its clock moves: the clock stops at each
 * weekly digest instant on the way (so a move over two weeks sends two digests, each at its time), and after
 * every stop retention is applied and what DynamoDB's TTL would delete is deleted (dynalite never expires items).
 */
import type { Deps } from '../app/deps';
import { applyRetention } from '../app/retention';
import { sendWeeklyDigests } from '../app/weekly-digest';
import type { DynamoReportStore } from '../adapters/aws/dynamo-report-store';
import { epochSeconds } from '../core/retention';
import { digestInstantsBetween } from '../core/weekly-digest';

export async function housekeeping(deps: Deps, store: DynamoReportStore): Promise<void> {
  const retention = await applyRetention(deps);
  const deleted = await store.deleteExpired(epochSeconds(deps.clock.now()));
  if (deleted || retention.redacted.length || retention.expiring.length) {
    deps.log.info('retention', { redacted: retention.redacted.length, expiring: retention.expiring.length, deleted });
  }
  await sendWeeklyDigests(deps);
}

/** Moves the clock with `advance` (the workflow runner), stopping at each digest instant on the way. */
export async function advanceWithHousekeeping(deps: Deps, store: DynamoReportStore, advance: (t: Date) => Promise<unknown>, to: Date): Promise<void> {
  const from = deps.clock.now();
  const stops = deps.config.projects
    .flatMap((p) => digestInstantsBetween(p, from, to))
    .sort((a, b) => a.getTime() - b.getTime());
  for (const stop of [...stops.filter((s) => s.getTime() < to.getTime()), to]) {
    // a running (not frozen) clock moves on while a stop's work is done: a stop it has passed needs no move
    // (moving back to it would be refused), and a digest at the target instant itself is not a stop twice
    if (stop.getTime() >= deps.clock.now().getTime()) await advance(stop);
    await housekeeping(deps, store);
  }
}
