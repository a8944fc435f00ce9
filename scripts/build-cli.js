#!/usr/bin/env node
// Compiles the secintake CLI (TypeScript under lambdas/) into one CommonJS file, dist/cli/main.js, so that no
// command transpiles anything at run time. Run by `npm ci` / `npm install` (the `prepare` script) and by
// bin/secintake.js itself when a source file is newer than the build (editing the sources just works).
// Packages stay external (required from node_modules), and modules the CLI loads with `await import()` are
// initialised only when a command asks for them: `secintake reports` never loads the stack, the SDK or mailparser.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, 'dist', 'cli');
const outfile = path.join(outDir, 'main.js');
const inputsFile = path.join(outDir, 'inputs.json');

function build() {
  const esbuild = require('esbuild');
  fs.mkdirSync(outDir, { recursive: true });
  // built beside, then renamed: a CLI started meanwhile never loads half a file
  const tmp = `${outfile}.${process.pid}.tmp`;
  const result = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: ['lambdas/local/cli/main.ts'],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
    minify: process.env.SECINTAKE_BUILD_DEBUG !== '1', // less to parse on every start
    keepNames: true, // error names (UserError...) are how the CLI decides what to print
    // names this build: adapters/local/config-cache.ts keys the validated config by it
    define: { 'process.env.SECINTAKE_BUILD_ID': JSON.stringify(`${Date.now().toString(36)}-${process.pid}`) },
  });
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/'));
  fs.renameSync(tmp, outfile);
  fs.writeFileSync(inputsFile, JSON.stringify({ inputs }) + '\n');
}

/** True when dist/cli/main.js exists and no source file it was built from changed since. */
function isFresh() {
  let built;
  try {
    built = fs.statSync(inputsFile).mtimeMs;
    fs.statSync(outfile);
  } catch {
    return false;
  }
  const { inputs } = JSON.parse(fs.readFileSync(inputsFile, 'utf8'));
  for (const file of inputs) {
    try {
      if (fs.statSync(path.join(root, file)).mtimeMs > built) return false;
    } catch {
      return false; // a source file went away: build again
    }
  }
  return true;
}

module.exports = { build, isFresh, outfile };

if (require.main === module) {
  const started = Date.now();
  build();
  process.stdout.write(`secintake CLI compiled to ${path.relative(process.cwd(), outfile)} (${Date.now() - started} ms)\n`);
}
