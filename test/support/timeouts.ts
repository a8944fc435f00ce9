/**
 * Every jest timeout here is a figure times one setting, TEST_TIMEOUT_SCALE (default 1): on a loaded or slow
 * machine run `TEST_TIMEOUT_SCALE=3 npm test`. jest.config.js scales the default (120 s) the same way. A timeout only
 * guards against a hang (a quadratic scan, a lost message); no test asserts on elapsed time: speed and memory are
 * measured by `npm run bench`, which prints figures against budgets.
 */
export const TIMEOUT_SCALE = timeoutScale(process.env.TEST_TIMEOUT_SCALE);

export function timeoutScale(value: string | undefined): number {
  const scale = Number(value ?? 1);
  return Number.isFinite(scale) && scale > 0 ? scale : 1;
}

/** A jest timeout (or any wait's limit) of `ms` on an idle machine, scaled. */
export function testTimeout(ms: number): number {
  return Math.round(ms * TIMEOUT_SCALE);
}
