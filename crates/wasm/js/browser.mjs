// The browser entry point (ES module, for bundlers and for plain <script
// type="module">). WebAssembly is compiled asynchronously in a browser, so
// one line must run before the first call:
//
//     import init, { inspect } from 'polyarch';
//     await init();
//
// `init()` fetches `polyarch.wasm` from next to this file (bundlers such as
// Vite see the `new URL(…, import.meta.url)` and emit the file); pass a URL,
// a Response, bytes or a WebAssembly.Module to load it from elsewhere.
// Calling it again returns the same promise.
import load from './web/polyarch.js';

let loading;

export default function init(source) {
  if (!loading) {
    const module_or_path = source ?? new URL('./web/polyarch_bg.wasm', import.meta.url);
    loading = load({ module_or_path }).then(() => undefined);
  }
  return loading;
}

export { init };
export {
  inspect,
  digest,
  parsePlatform,
  formatPlatform,
  selectPlatform,
  parseReference,
  parseChallenge,
  createIndex,
} from './web/polyarch.js';
