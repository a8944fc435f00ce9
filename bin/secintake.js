#!/usr/bin/env node
// The secintake CLI: runs the TypeScript sources through tsx, so there is no build step for the local stack.
'use strict';
// The local stack's SDK clients only reach loopback stand-ins; the SDK's notice about its future Node support
// policy would be printed on every command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// `secintake reports | head -1`: the reader went away; stop quietly, as cat and grep do
process.stdout.on('error', (err) => {
  if (err && err.code === 'EPIPE') process.exit(0);
  throw err;
});
require('tsx/cjs');
require('../lambdas/local/polyfills');
const { run } = require('../lambdas/local/cli/main');

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`secintake: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
