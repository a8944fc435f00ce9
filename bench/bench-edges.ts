/** The edges every intake benchmark stubs the same way (bench/bench-deps.ts, bench/quiet-intake.ts). */
import type { Deps } from '../lambdas/app/deps';
import { MailauthDkimVerifier } from '../lambdas/adapters/mailauth-dkim';
import { noMetrics, silentLogger } from '../lambdas/ports/logger';

/**
 * What the benchmarks leave out of intake's figures: no DNS (the bench's mail is nobody's maintainer mail, so the
 * DKIM verifier is never even loaded), mail composed by `composer` and dropped (`onSend` counts it), a workflow
 * that does nothing, a fixed reply-address key, no logs or metrics.
 */
export function edges(composer: Deps['composer'], onSend: () => number): Pick<Deps, 'dkim' | 'composer' | 'sender' | 'workflow' | 'clock' | 'keys' | 'log' | 'metrics'> {
  return {
    dkim: new MailauthDkimVerifier(async (name) => {
      throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    }),
    composer,
    sender: { send: async () => ({ providerId: `bench-${onSend()}` }) },
    workflow: { start: async () => {}, wake: async () => {}, finish: async () => {}, isRunning: async () => true },
    clock: { now: () => new Date() },
    keys: { replyAddressKey: async () => Buffer.alloc(32, 1) },
    log: silentLogger,
    metrics: noMetrics,
  };
}
