/**
 * `npm run fuzz -- --runs N --seed S`: the intake fuzz property for as long as you like. A failing mutant is
 * written to test/fixtures/mail/ (then replayed by `npm test` forever).
 */
import '../lambdas/local/polyfills';
import { fuzzIntake } from './support/intake-fuzz';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} needs a whole number`);
  return value;
}

const runs = option('runs', 10_000);
const seed = option('seed', Date.now() % 2 ** 31);
const started = Date.now();
fuzzIntake({ runs, seed, onProgress: (n) => n % 1000 === 0 && process.stderr.write(`${n} mutants...\n`) }).then(
  (outcomes) => {
    const s = (Date.now() - started) / 1000;
    console.log(`fuzz: ${runs} mutants, seed ${seed}, ${s.toFixed(1)} s (${(runs / s).toFixed(0)}/s), no failure; outcomes ${JSON.stringify(outcomes)}`);
  },
  (err) => {
    console.error(`fuzz: seed ${seed}: ${(err as Error).message}`);
    process.exitCode = 1;
  },
);
