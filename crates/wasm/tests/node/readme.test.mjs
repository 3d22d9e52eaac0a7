// The package README's examples are tests: every ```js block is written out
// as an ES module next to the installed package and run; its asserts must
// hold and it must exit 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const readme = readFileSync(path.join(path.dirname(require.resolve('polyarch/package.json')), 'README.md'), 'utf8');

const blocks = [...readme.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]);

test('the README has an example for each function', () => {
  const all = blocks.join('\n');

  for (const name of ['inspect', 'digest', 'parsePlatform', 'formatPlatform', 'selectPlatform', 'parseReference', 'parseChallenge', 'createIndex']) {
    assert.match(all, new RegExp(`\\b${name}\\(`), name);
  }
});

blocks.forEach((code, i) => {
  const firstLine = code.split('\n').find((l) => !l.startsWith('import')) ?? code.split('\n')[0];
  test(`README example ${i + 1}: ${firstLine.slice(0, 60)}`, () => {
    const file = path.resolve(`readme-example-${i + 1}.mjs`);
    writeFileSync(file, code);

    const result = spawnSync(process.execPath, [file], { encoding: 'utf8' });

    assert.equal(result.status, 0, `${result.stderr}\n--- example ---\n${code}`);
  });
});
