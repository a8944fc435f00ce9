/**
 * Issue 14 / issue 16: Octokit is in the Tick bundle only, and GitHub's OpenAPI description (for the local
 * stand-in) is in no Lambda bundle. Bundled here with esbuild as the stack does (the AWS SDK left to the runtime).
 */
import { build } from 'esbuild';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

async function inputsOf(entry: string): Promise<{ inputs: string[]; bytes: number }> {
  const out = await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    metafile: true,
    minify: true,
    external: ['@aws-sdk/*', '@smithy/*'],
    logLevel: 'silent',
  });
  return { inputs: Object.keys(out.metafile.inputs), bytes: out.outputFiles.reduce((n, f) => n + f.contents.length, 0) };
}

test('the intake bundle has no Octokit; the tick has it; neither has the OpenAPI description', async () => {
  const intake = await inputsOf('lambdas/handlers/intake.ts');
  const tick = await inputsOf('lambdas/handlers/tick.ts');
  expect(intake.inputs.filter((i) => i.includes('@octokit'))).toEqual([]);
  expect(tick.inputs.some((i) => i.includes('node_modules/@octokit/rest/'))).toBe(true);
  expect(tick.inputs.some((i) => i.includes('node_modules/@octokit/auth-app/'))).toBe(true);
  for (const b of [intake, tick]) expect(b.inputs.filter((i) => i.includes('openapi') || i.includes('github-standin'))).toEqual([]);
  console.log(`bundles (minified, AWS SDK external): intake ${intake.bytes} bytes, tick ${tick.bytes} bytes`);
});
