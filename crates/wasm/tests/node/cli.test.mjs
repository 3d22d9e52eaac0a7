// The `polyarch` command as a CI pipeline runs it: through the bin link that
// npm installed, with files and standard input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const BIN = path.resolve('node_modules', '.bin', 'polyarch');
const DIR = mkdtempSync(path.join(tmpdir(), 'polyarch-cli-'));
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

const GOOD = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 700, digest: D1, platform: { os: 'linux', architecture: 'amd64' } },
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 700, digest: D2, platform: { os: 'linux', architecture: 'arm64' } },
  ],
});
const BAD = GOOD.replace(D1, 'sha256:abc');

function file(name, text) {
  const p = path.join(DIR, name);
  writeFileSync(p, text);
  return p;
}

function run(args, input) {
  const result = spawnSync(BIN, args, { input, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('inspect: a valid index exits 0 and shows its rows', () => {
  const result = run(['inspect', file('good.json', GOOD)]);

  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /oci-index/);
  assert.match(result.stdout, /valid\s+yes/);
  assert.match(result.stdout, /linux\/arm64/);
});

test('inspect: an invalid index exits 1 and places the problem', () => {
  const name = file('bad.json', BAD);

  const result = run(['inspect', name]);

  assert.equal(result.status, 1);
  assert.match(result.stdout, new RegExp(`${name}:1:\\d+: error\\[digest-invalid\\] /manifests/0/digest: `));
});

test('inspect --json from standard input is the report', () => {
  const result = run(['inspect', '-', '--json'], BAD);

  assert.equal(result.status, 1);
  const report = JSON.parse(result.stdout);
  assert.equal(report.valid, false);
  assert.equal(report.entries.length, 2);
});

test('inspect --expected-digest checks the bytes', () => {
  const name = file('good2.json', GOOD);

  assert.equal(run(['inspect', name, '--expected-digest', D1]).status, 1);
  assert.equal(run(['inspect', name, `--expected-digest=${run(['digest', name]).stdout.trim()}`]).status, 0);
});

test('select prints the chosen digest; no match exits 1', () => {
  const name = file('select.json', GOOD);

  const hit = run(['select', name, 'linux/aarch64']);
  const miss = run(['select', name, 'linux/s390x', '--json']);

  assert.equal(hit.status, 0, hit.stderr);
  assert.equal(hit.stdout.split('\n')[0], D2);
  assert.equal(miss.status, 1);
  assert.equal(JSON.parse(miss.stdout).entry, null);
});

test('digest prints algorithm:hex', () => {
  const name = file('empty.json', '{}');

  assert.equal(run(['digest', name]).stdout, 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\n');
  assert.match(run(['digest', name, '--algorithm', 'sha512']).stdout, /^sha512:[0-9a-f]{128}\n$/);
});

test('usage errors and unreadable files exit 2', () => {
  const cases = [[[]], [['frobnicate']], [['inspect']], [['inspect', path.join(DIR, 'missing.json')]], [['inspect', 'x', '--nope']], [['select', file('s.json', GOOD), 'linux/*']]];
  for (const [args] of cases) {
    const result = run(args);

    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /polyarch: |usage:/);
  }
});

test('--help and --version exit 0', () => {
  assert.match(run(['--help']).stdout, /usage:/);
  assert.match(run(['--version']).stdout, /^polyarch \d+\.\d+\.\d+\n$/);
});

test('create writes the exact bytes to stdout and the digest to stderr', () => {
  const entries = JSON.parse(GOOD).manifests;
  const name = file('entries.json', JSON.stringify(entries));

  const result = run(['create', name, '--format', 'oci', '--annotation', 'org.example.a=b']);
  const json = run(['create', name, '--json']);

  assert.equal(result.status, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout).annotations['org.example.a'], 'b');
  const digestOfOutput = run(['digest', '-'], result.stdout).stdout.trim();
  assert.ok(result.stderr.includes(digestOfOutput), result.stderr);
  assert.equal(json.status, 0);
  assert.equal(JSON.parse(json.stdout).mediaType, 'application/vnd.oci.image.index.v1+json');
});

test('create exits 1 when an entry is refused, 2 when the file is not an array', () => {
  const refused = file('refused.json', JSON.stringify([{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:abc', size: 1 }]));
  const notArray = file('object.json', '{}');

  assert.equal(run(['create', refused]).status, 1);
  assert.equal(run(['create', notArray]).status, 2);
});
