#!/usr/bin/env node
// The secintake CLI. It runs dist/cli/main.js, compiled from the TypeScript sources when the package is
// installed (`npm ci` runs the `prepare` script: scripts/build-cli.js), so no command transpiles at run time.
// A source file edited since is noticed (one stat per source file) and the CLI is compiled again first; without
// esbuild (a production install) the sources run through tsx, slowly.
'use strict';
// The local stack's SDK clients only reach loopback stand-ins; the SDK's notice about its future Node support
// policy would be printed on every command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// `secintake reports | head -1`: the reader went away; stop quietly, as cat and grep do
process.stdout.on('error', (err) => {
  if (err && err.code === 'EPIPE') process.exit(0);
  throw err;
});

function load() {
  const build = require('../scripts/build-cli');
  if (!build.isFresh()) {
    try {
      build.build();
    } catch (err) {
      if (!err || err.code !== 'MODULE_NOT_FOUND') throw err;
      require('tsx/cjs'); // no esbuild: run the sources
      return require('../lambdas/local/cli/main');
    }
  }
  return require(build.outfile);
}

const { run } = load();

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`secintake: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
