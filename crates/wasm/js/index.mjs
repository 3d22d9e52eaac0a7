// The Node.js entry point (ES module). It loads the CommonJS entry, so that
// `import` and `require` in one process share one instance of the module.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const api = require('./index.cjs');

export const {
  inspect,
  digest,
  parsePlatform,
  formatPlatform,
  selectPlatform,
  parseReference,
  parseChallenge,
  createIndex,
  init,
} = api;
export default init;
