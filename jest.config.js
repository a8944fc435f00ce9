/** ts-jest in transpile-only mode; `tsc --noEmit` (run first by `npm test`) does the type checking. */
// One setting scales every timeout: TEST_TIMEOUT_SCALE (test/support/timeouts.ts applies it to per-test timeouts).
const scale = Number(process.env.TEST_TIMEOUT_SCALE ?? 1);
// Octokit and its helpers ship as ES modules only; Jest (before Node 24.9) loads CommonJS, so these are
// transpiled like our own sources (Node itself loads them with require(esm), so the CLI needs nothing).
const esmPackages = [
  '@octokit',
  'universal-user-agent',
  'json-with-bigint',
  'before-after-hook',
  'toad-cache',
  'universal-github-app-jwt',
  'content-type', // the ES-module copy under @octokit/request
  'content-type',
];
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }],
    '^.+\\.js$': ['ts-jest', { isolatedModules: true, diagnostics: false, tsconfig: { allowJs: true } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  setupFiles: ['<rootDir>/lambdas/local/polyfills.ts', '<rootDir>/test/setup-env.ts'],
  testTimeout: Math.round(120000 * (Number.isFinite(scale) && scale > 0 ? scale : 1)),
  maxWorkers: 2,
};
