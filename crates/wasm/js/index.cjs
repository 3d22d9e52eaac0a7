'use strict';
// The Node.js entry point (CommonJS). The module is compiled and
// instantiated synchronously when this file is first required, from the
// .wasm file next to the glue, so there is no initialisation step.
// `init()` exists so that code shared with the browser build may call it;
// here it does nothing.

const wasm = require('./node/polyarch.js');

function init() {
  return Promise.resolve();
}

module.exports = {
  inspect: wasm.inspect,
  digest: wasm.digest,
  parsePlatform: wasm.parsePlatform,
  formatPlatform: wasm.formatPlatform,
  selectPlatform: wasm.selectPlatform,
  parseReference: wasm.parseReference,
  parseChallenge: wasm.parseChallenge,
  createIndex: wasm.createIndex,
  init,
  default: init,
};
