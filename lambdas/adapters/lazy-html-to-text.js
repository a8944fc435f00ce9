/**
 * Bundling only (infra/constructs/service-function.ts aliases `html-to-text` here): mailparser requires
 * html-to-text at load, but only HTML-only mail needs it. This stand-in loads the real one, with the rest of the
 * HTML stack, from the separate file built from visible-text.ts, on first use.
 */
'use strict';
let real;
const load = () => (real ??= require('./visible-text'));
module.exports = {
  htmlToText: (...args) => load().htmlToText(...args),
  convert: (...args) => load().htmlToText(...args),
};
