/** ts-jest in transpile-only mode; `tsc --noEmit` (run first by `npm test`) does the type checking. */
// One setting scales every timeout: TEST_TIMEOUT_SCALE (test/support/timeouts.ts applies it to per-test timeouts).
const scale = Number(process.env.TEST_TIMEOUT_SCALE ?? 1);
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
  setupFiles: ['<rootDir>/lambdas/local/polyfills.ts', '<rootDir>/test/setup-env.ts'],
  testTimeout: Math.round(120000 * (Number.isFinite(scale) && scale > 0 ? scale : 1)),
  maxWorkers: 2,
};
