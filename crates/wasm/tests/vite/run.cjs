'use strict';
// Serves a built Vite app on 127.0.0.1 (a free port) and opens it in
// headless Chromium through playwright-core; exits non-zero unless the page
// reports what the package should compute.
//
//   node run.cjs DIST_DIR
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const assert = require('node:assert/strict');
const { chromium } = require('playwright-core');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
};
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function serve(root) {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, 'http://127.0.0.1');
    const file = path.join(root, url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname));
    if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(response);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main() {
  const root = path.resolve(process.argv[2]);
  const server = await serve(root);
  const url = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const requests = [];
  try {
    const page = await browser.newPage();
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => console.log(`page: ${m.text()}`));
    await page.goto(url);
    await page.waitForSelector('#result[data-done]', { timeout: 30000 });
    const result = JSON.parse(await page.textContent('#result'));

    assert.equal(result.failed, undefined, result.failed);
    assert.deepEqual(result, {
      digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
      kind: 'oci-index',
      valid: true,
      platformString: 'linux/arm64',
      selected: 0,
      parseError: result.parseError,
    });
    assert.match(result.parseError, /wildcard/);
    assert.ok(requests.some((r) => r.endsWith('.wasm')), 'the page fetched the .wasm');
    assert.ok(requests.every((r) => r.startsWith(url)), `only local requests: ${requests}`);
    console.log(`vite app: ok in Chromium ${browser.version()}; requests: ${requests.map((r) => r.slice(url.length - 1)).join(' ')}`);
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
