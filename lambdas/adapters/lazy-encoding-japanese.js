/**
 * Bundling only (infra/constructs/service-function.ts aliases `encoding-japanese` here): libmime requires it
 * at load for ISO-2022-JP, but only mail in that charset needs its tables. This stand-in loads the real module,
 * built into a file of its own beside the bundle, on first use.
 */
'use strict';
let real;
const load = () => (real ??= require('./encoding-japanese'));
module.exports = new Proxy(
  {},
  {
    get: (_target, name) => load()[name],
    has: (_target, name) => name in load(),
  },
);
