/**
 * The fuzz property in `npm test`: a fixed seed and a bounded count (`npm run fuzz -- --runs N --seed S` for long
 * runs), plus every regression fixture in test/fixtures/mail/ (one file per bug, named after it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, checkOne, fixtureFiles, fuzzHarness, fuzzIntake } from '../support/intake-fuzz';
import { testTimeout } from '../support/timeouts';
import { testWithCorpus } from '../support/corpus';

testWithCorpus('2,000 mutants of real corpus messages: each ends with one outcome, raw kept, nothing escapes, nothing hangs', async () => {
  const outcomes = await fuzzIntake({ runs: 2000, seed: 20261202 });
  const total = Object.values(outcomes).reduce((a, b) => a + b, 0);
  expect(total).toBe(2000);
  console.log(`fuzz: 2000 mutants, outcomes ${JSON.stringify(outcomes)}`);
}, testTimeout(1_200_000));

test.each(fixtureFiles())('regression fixture %s gets one outcome', async (file) => {
  const h = await fuzzHarness();
  try {
    expect(await checkOne(h, readFileSync(join(FIXTURES, file)))).toMatch(/^(report|followup|maintainer|ignored|quarantined)$/);
  } finally {
    await h.close();
  }
});
