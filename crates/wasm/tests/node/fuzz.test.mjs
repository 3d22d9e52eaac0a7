// Random input must never make a function throw where it promises not to,
// and must never trap the module (a trap is a WebAssembly.RuntimeError and
// leaves the instance unusable). The generator is seeded, so a failure
// names the seed and the iteration that reproduces it.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { digest, inspect, parseChallenge, parsePlatform, parseReference, selectPlatform } from 'polyarch';

const SEED = Number(process.env.POLYARCH_FUZZ_SEED ?? 0x5eed);
const ROUNDS = Number(process.env.POLYARCH_FUZZ_ROUNDS ?? 1500);

function generator(seed) {
  let state = seed >>> 0 || 1;
  return (n) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
}

const SAMPLE = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [
    {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: 700,
      digest: `sha256:${'1'.repeat(64)}`,
      platform: { os: 'linux', architecture: 'arm', variant: 'v7', 'os.features': ['x'] },
      annotations: { 'vnd.docker.reference.digest': `sha256:${'2'.repeat(64)}` },
    },
  ],
  annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
});
const ALPHABET = '{}[]":,0123456789-+.eE \n\\u/abcdxyz@*()\uD800\uDC00é';

function randomBytes(next) {
  const bytes = new Uint8Array(next(300));
  for (let i = 0; i < bytes.length; i++) bytes[i] = next(256);
  return bytes;
}

function mutated(next) {
  const bytes = new TextEncoder().encode(SAMPLE);
  for (let k = next(6) + 1; k > 0; k--) bytes[next(bytes.length)] = next(256);
  return bytes.subarray(0, next(bytes.length + 1));
}

function randomText(next) {
  let s = '';
  for (let n = next(80); n > 0; n--) s += ALPHABET[next(ALPHABET.length)];
  return s;
}

function spliced(next) {
  const at = next(SAMPLE.length);
  return SAMPLE.slice(0, at) + randomText(next) + SAMPLE.slice(at + next(20));
}

function assertNotTrap(e, what) {
  assert.ok(!(e instanceof WebAssembly.RuntimeError), `${what}: the module trapped: ${e}`);
  assert.ok(e instanceof Error, `${what}: threw a non-Error ${e}`);
}

test(`inspect, selectPlatform and digest never throw (seed ${SEED}, ${ROUNDS} rounds)`, () => {
  const next = generator(SEED);
  const makers = [randomBytes, mutated, randomText, spliced];

  for (let i = 0; i < ROUNDS; i++) {
    const input = makers[i % makers.length](next);
    const what = `round ${i}`;

    const report = inspect(input);
    const selection = selectPlatform(input, 'linux/arm/v7');

    assert.equal(typeof report.valid, 'boolean', what);
    assert.equal(report.valid, !report.diagnostics.some((d) => d.severity === 'error'), what);
    assert.ok(Array.isArray(selection.diagnostics), what);
    if (input instanceof Uint8Array) assert.match(digest(input), /^sha256:[0-9a-f]{64}$/, what);
  }
});

test(`the string parsers throw only Errors (seed ${SEED})`, () => {
  const next = generator(SEED + 1);

  for (let i = 0; i < ROUNDS; i++) {
    const text = i % 2 ? randomText(next) : spliced(next).slice(0, 60);

    for (const [name, parse] of [['parsePlatform', parsePlatform], ['parseReference', parseReference], ['parseChallenge', parseChallenge]]) {
      try {
        parse(text);
      } catch (e) {
        assertNotTrap(e, `${name} round ${i} ${JSON.stringify(text)}`);
      }
    }
  }
});

test('the module still works after all that', () => {
  assert.equal(digest('{}'), 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
});
