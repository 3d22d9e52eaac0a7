// Benchmarks of the installed package, side by side in one Node process on
// the same inputs (`make bench-npm` runs it next to a packed tarball):
//
// - the package's size: the tarball, and the .wasm raw and gzipped;
// - inspect on a 1,000-entry index and on a 4 MiB index, against JSON.parse
//   of the same text alone;
// - digest of 64 MiB against node:crypto and WebCrypto.
//
// Each figure is the median of several timed runs after a warm-up.
import { createHash, webcrypto } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import { digest, inspect } from 'polyarch';

const require = createRequire(import.meta.url);
const packageDir = path.dirname(require.resolve('polyarch/package.json'));
const tarball = process.argv[2];

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(runs, f) {
  f();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    f();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

async function timeAsync(runs, f) {
  await f();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await f();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

function hex(n, width) {
  return n.toString(16).padStart(width, '0');
}

/** An OCI index of `count` entries, each with a platform and an annotation. */
function makeIndex(count) {
  const architectures = ['amd64', 'arm64', 'arm', 'ppc64le', 's390x', '386', 'riscv64'];
  const manifests = [];
  for (let i = 0; i < count; i++) {
    const architecture = architectures[i % architectures.length];
    manifests.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: 1000 + i,
      digest: `sha256:${hex(i, 8).repeat(8)}`,
      platform: {
        os: 'linux',
        architecture,
        ...(architecture === 'arm' ? { variant: 'v7' } : {}),
        ...(i >= architectures.length ? { 'os.version': `build-${i}` } : {}),
      },
      annotations: { 'org.example.build': `build ${i} of the nightly image` },
    });
  }
  return JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }, null, 2);
}

function indexOfSize(bytes) {
  let count = 1000;
  while (Buffer.byteLength(makeIndex(count)) < bytes) count = Math.ceil(count * 1.25);
  let low = Math.floor(count / 1.25);
  let high = count;
  while (low < high) {
    const mid = Math.floor((low + high + 1) / 2);
    if (Buffer.byteLength(makeIndex(mid)) <= bytes) low = mid;
    else high = mid - 1;
  }
  return makeIndex(low);
}

function row(cells) {
  return `| ${cells.join(' | ')} |`;
}

const lines = [];
const say = (s = '') => {
  lines.push(s);
  console.log(s);
};

say(`Node.js ${process.version}, ${process.arch}; polyarch ${JSON.parse(readFileSync(path.join(packageDir, 'package.json'))).version}`);
say();

// Size.
const wasm = readFileSync(path.join(packageDir, 'web', 'polyarch_bg.wasm'));
say(row(['package', 'raw', 'gzip -9']));
say(row(['---', '---:', '---:']));
say(row(['polyarch_bg.wasm', `${(wasm.length / 1024).toFixed(0)} KiB`, `${(gzipSync(wasm, { level: 9 }).length / 1024).toFixed(0)} KiB`]));
if (tarball) say(row(['npm tarball (already gzip)', '', `${(statSync(tarball).size / 1024).toFixed(0)} KiB`]));
say();

// inspect against JSON.parse.
say(row(['input', 'JSON.parse', 'inspect (string)', 'inspect (Uint8Array)', 'inspect / JSON.parse']));
say(row(['---', '---:', '---:', '---:', '---:']));
for (const [name, text] of [['1,000-entry index', makeIndex(1000)], ['4 MiB index', indexOfSize(4 * 1024 * 1024)]]) {
  const bytes = new TextEncoder().encode(text);
  const report = inspect(text);
  if (report.entries.length === 0 || !report.valid) {
    throw new Error(`${name}: the benchmark input does not inspect as a valid index`);
  }
  const runs = bytes.length > 1e6 ? 9 : 31;
  const parse = time(runs, () => JSON.parse(text));
  const ofString = time(runs, () => inspect(text));
  const ofBytes = time(runs, () => inspect(bytes));
  const label = `${name} (${(bytes.length / 1024).toFixed(0)} KiB, ${report.entries.length} entries)`;
  say(row([label, `${parse.toFixed(2)} ms`, `${ofString.toFixed(2)} ms`, `${ofBytes.toFixed(2)} ms`, `${(ofString / parse).toFixed(1)}×`]));
}
say();

// digest of 64 MiB.
const blob = new Uint8Array(64 * 1024 * 1024);
for (let i = 0; i < blob.length; i += 4096) blob[i] = i & 0xff;
const expected = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
if (digest(blob) !== expected) throw new Error('digest disagrees with node:crypto');
const mib = blob.length / (1024 * 1024);
const ours = time(5, () => digest(blob));
const node = time(5, () => createHash('sha256').update(blob).digest('hex'));
const web = await timeAsync(5, () => webcrypto.subtle.digest('SHA-256', blob));
say(row(['sha256 of 64 MiB', 'time', 'throughput']));
say(row(['---', '---:', '---:']));
for (const [name, ms] of [['polyarch digest (wasm)', ours], ['node:crypto createHash', node], ['WebCrypto subtle.digest', web]]) {
  say(row([name, `${ms.toFixed(0)} ms`, `${(mib / (ms / 1000)).toFixed(0)} MiB/s`]));
}
