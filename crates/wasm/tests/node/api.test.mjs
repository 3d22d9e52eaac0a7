// Tests of each function of the installed package, by its documented
// contract: shapes, plain objects, sizes as numbers, errors and TypeErrors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

import * as polyarch from 'polyarch';
import init, {
  createIndex,
  digest,
  formatPlatform,
  inspect,
  parseChallenge,
  parsePlatform,
  parseReference,
  selectPlatform,
} from 'polyarch';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

function index(manifests, extra = {}) {
  return JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests, ...extra });
}

function row(digestValue, platform, extra = {}) {
  return { mediaType: OCI_MANIFEST, size: 700, digest: digestValue, platform, ...extra };
}

const REPORT_KEYS = [
  'kind', 'mediaType', 'digest', 'size', 'valid', 'diagnostics', 'entries',
  'config', 'layers', 'subject', 'artifactType', 'annotations',
].sort();
const DIAGNOSTIC_KEYS = ['code', 'severity', 'message', 'pointer', 'line', 'column', 'offset', 'source'].sort();

describe('the module', () => {
  test('loads in node with no initialisation step, and init() is a no-op', async () => {
    assert.equal(typeof polyarch.inspect, 'function');

    await init();

    assert.equal(digest('{}'), 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });

  test('require() and import share one instance', () => {
    const require = createRequire(import.meta.url);

    const cjs = require('polyarch');

    assert.equal(cjs.inspect, inspect);
    assert.equal(cjs.default, init);
  });
});

describe('digest', () => {
  const cases = [
    ['{}', undefined, 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'],
    ['', 'sha256', 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['', 'sha512', `sha512:${createHash('sha512').update('').digest('hex')}`],
    ['é€😀', undefined, `sha256:${createHash('sha256').update('é€😀', 'utf8').digest('hex')}`],
  ];
  for (const [input, algorithm, expected] of cases) {
    test(`${JSON.stringify(input)} with ${algorithm ?? 'the default'}`, () => {
      assert.equal(digest(input, algorithm), expected);
      assert.equal(digest(new TextEncoder().encode(input), algorithm), expected);
    });
  }

  test('hashes a view at its own offset, across chunk boundaries', () => {
    const bytes = new Uint8Array(3 * 1024 * 1024 + 17);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) % 251;
    const view = bytes.subarray(5, bytes.length - 3);

    const result = digest(view);

    assert.equal(result, `sha256:${createHash('sha256').update(view).digest('hex')}`);
  });

  test('a Buffer is a Uint8Array', () => {
    assert.equal(digest(Buffer.from('{}')), digest('{}'));
  });

  test('refuses an unknown algorithm with an Error', () => {
    assert.throws(() => digest('x', 'md5'), { name: 'Error', message: /unknown digest algorithm "md5"/ });
  });

  test('refuses what is not a string or bytes with a TypeError', () => {
    for (const value of [42, null, undefined, {}, [1, 2], new ArrayBuffer(2)]) {
      assert.throws(() => digest(value), TypeError, String(value));
    }
  });

  test('refuses a string with a lone surrogate rather than hashing U+FFFD', () => {
    assert.throws(() => digest('ab\uD800c'), { message: /lone surrogate U\+D800 at index 2/ });
  });
});

describe('inspect', () => {
  test('a report has exactly the documented fields, with plain objects', () => {
    const text = index([row(D1, { os: 'linux', architecture: 'arm', variant: 'v7' }, { annotations: { a: 'b' } })], {
      annotations: { 'org.opencontainers.image.version': '1.0' },
    });

    const report = inspect(text);

    assert.deepEqual(Object.keys(report).sort(), REPORT_KEYS);
    assert.equal(report.kind, 'oci-index');
    assert.equal(report.mediaType, OCI_INDEX);
    assert.equal(report.size, Buffer.byteLength(text));
    assert.equal(report.digest, digest(text));
    assert.equal(report.valid, true);
    assert.equal(Object.getPrototypeOf(report.annotations), Object.prototype);
    assert.deepEqual(report.annotations, { 'org.opencontainers.image.version': '1.0' });
    assert.equal(report.config, null);
    assert.equal(report.subject, null);
    assert.equal(report.artifactType, null);
    assert.deepEqual(report.layers, []);
    const [entry] = report.entries;
    assert.equal(Object.getPrototypeOf(entry.annotations), Object.prototype);
    assert.deepEqual(entry, {
      index: 0,
      mediaType: OCI_MANIFEST,
      digest: D1,
      size: 700,
      platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
      platformString: 'linux/arm/v7',
      annotations: { a: 'b' },
      role: 'image',
    });
  });

  test('a manifest has config and layers, and no entries', () => {
    const text = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, size: 7023, digest: D1 },
      layers: [{ mediaType: OCI_LAYER, size: 32654, digest: D2 }],
    });

    const report = inspect(text);

    assert.equal(report.kind, 'oci-manifest');
    assert.equal(report.valid, true, JSON.stringify(report.diagnostics));
    assert.deepEqual(report.entries, []);
    assert.equal(report.config.digest, D1);
    assert.equal(report.config.size, 7023);
    assert.equal(report.layers.length, 1);
    assert.equal(report.layers[0].size, 32654);
  });

  test('a size beyond 2^53 - 1 is null, with a diagnostic', () => {
    const text = `{"schemaVersion":2,"mediaType":"${OCI_INDEX}","manifests":[{"mediaType":"${OCI_MANIFEST}","size":9007199254740993,"digest":"${D1}"}]}`;

    const report = inspect(text);

    assert.equal(report.entries[0].size, null);
    assert.ok(report.diagnostics.some((d) => d.code === 'size-unsafe-integer' && d.pointer === '/manifests/0/size'));
  });

  test('2^53 - 1 itself is a number', () => {
    const text = `{"schemaVersion":2,"mediaType":"${OCI_INDEX}","manifests":[{"mediaType":"${OCI_MANIFEST}","size":9007199254740991,"digest":"${D1}"}]}`;

    assert.equal(inspect(text).entries[0].size, Number.MAX_SAFE_INTEGER);
  });

  test('bad documents give diagnostics, never exceptions', () => {
    const inputs = ['', '{', 'null', '[]', '{"schemaVersion":2}', '\uFEFF{}', new Uint8Array([0xff, 0x00])];
    for (const input of inputs) {
      const report = inspect(input);

      assert.equal(report.valid, false, JSON.stringify(input));
      assert.ok(report.diagnostics.length > 0);
      for (const d of report.diagnostics) {
        assert.deepEqual(Object.keys(d).sort(), DIAGNOSTIC_KEYS);
        assert.ok(d.line >= 1 && d.column >= 1 && d.offset >= 0);
      }
    }
  });

  test('valid is true exactly when no diagnostic is an error', () => {
    const texts = [
      index([row(D1, { os: 'linux', architecture: 'amd64' })]),
      index([row(D1, { os: 'linux', architecture: 'aarch64' })]),
      index([row('sha256:abc', { os: 'linux', architecture: 'amd64' })]),
    ];
    for (const text of texts) {
      const report = inspect(text);

      assert.equal(report.valid, !report.diagnostics.some((d) => d.severity === 'error'));
    }
  });

  test('a lone surrogate is an error at its place, not a silent U+FFFD', () => {
    // JSON.stringify would escape the surrogate; put it in raw.
    const text = index([row(D1, { os: 'linux', architecture: 'amd64' }, { annotations: { a: 'xLONE' } })])
      .replace('LONE', '\uDC00');

    const report = inspect(text);

    assert.equal(report.valid, false);
    const lone = report.diagnostics.find((d) => d.code === 'lone-surrogate');
    assert.ok(lone, JSON.stringify(report.diagnostics));
    assert.equal(lone.severity, 'error');
    assert.equal(lone.offset, Buffer.byteLength(text.slice(0, text.indexOf('\uDC00'))));
    assert.match(lone.message, /U\+DC00/);
  });

  test('the expected digest is checked', () => {
    const text = index([]);

    const good = inspect(text, { expectedDigest: digest(text) });
    const bad = inspect(text, { expectedDigest: D1 });

    assert.equal(good.valid, true);
    assert.equal(bad.valid, false);
    assert.ok(bad.diagnostics.some((d) => d.code === 'expected-digest-mismatch'));
  });

  test('the content type must agree with the body', () => {
    const report = inspect(index([]), { contentType: OCI_MANIFEST });

    assert.equal(report.valid, false);
    assert.ok(report.diagnostics.some((d) => d.code === 'media-type-mismatch'));
  });

  test('options of the wrong type are a TypeError', () => {
    assert.throws(() => inspect('{}', 5), TypeError);
    assert.throws(() => inspect('{}', { contentType: 5 }), TypeError);
    assert.throws(() => inspect(5), TypeError);
  });
});

describe('parsePlatform', () => {
  const table = [
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    ['Linux/AARCH64', { os: 'linux', architecture: 'arm64' }],
    ['linux/arm', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['windows(10.0.17763+win32k)/amd64', { os: 'windows', architecture: 'amd64', osVersion: '10.0.17763', osFeatures: ['win32k'] }],
  ];
  for (const [text, expected] of table) {
    test(`${text} parses and normalises`, () => {
      assert.deepEqual(parsePlatform(text), expected);
    });
  }

  const refused = [
    ['linux/*', /wildcard at byte 6/],
    ['linux/', /empty architecture at byte 6/],
    ['arm64', /has no os/],
    ['', /./],
  ];
  for (const [text, message] of refused) {
    test(`${JSON.stringify(text)} throws an Error that says what and where`, () => {
      assert.throws(() => parsePlatform(text), (e) => e instanceof Error && message.test(e.message));
    });
  }

  test('a non-string is a TypeError', () => {
    assert.throws(() => parsePlatform({ os: 'linux' }), TypeError);
  });
});

describe('formatPlatform', () => {
  const table = [
    [{ os: 'linux', architecture: 'arm', variant: 'v7' }, 'linux/arm/v7'],
    [{ os: 'linux', architecture: 'aarch64' }, 'linux/aarch64'],
    [{ os: 'windows', architecture: 'amd64', osVersion: '10.0.17763.1', osFeatures: ['win32k'] }, 'windows/amd64'],
    [{ os: 'linux', architecture: 'amd64', variant: '' }, 'linux/amd64'],
  ];
  for (const [platform, expected] of table) {
    test(`${JSON.stringify(platform)} is ${expected}, as written`, () => {
      assert.equal(formatPlatform(platform), expected);
    });
  }

  test('round-trips what parsePlatform gives', () => {
    assert.equal(formatPlatform(parsePlatform('linux/arm64/v8')), 'linux/arm64');
  });

  test('what is not a platform object is a TypeError', () => {
    for (const value of ['linux/amd64', null, { os: 'linux' }, { os: 'linux', architecture: 5 }]) {
      assert.throws(() => formatPlatform(value), TypeError, JSON.stringify(value));
    }
  });
});

describe('selectPlatform', () => {
  const text = index([
    row(D1, { os: 'linux', architecture: 'amd64' }),
    row(D2, { os: 'linux', architecture: 'arm64' }),
    { mediaType: OCI_MANIFEST, size: 1, digest: `sha256:${'3'.repeat(64)}` },
  ]);

  test('a string platform, matched after normalisation', () => {
    const selection = selectPlatform(text, 'linux/aarch64');

    assert.deepEqual(Object.keys(selection).sort(), ['diagnostics', 'entry', 'reason', 'unresolved']);
    assert.equal(selection.entry.digest, D2);
    assert.equal(selection.entry.index, 1);
    assert.equal(selection.reason, 'exact match');
    assert.deepEqual(selection.unresolved, [2]);
  });

  test('a platform object', () => {
    assert.equal(selectPlatform(text, { os: 'linux', architecture: 'amd64' }).entry.digest, D1);
  });

  test('no match is a null entry with a reason', () => {
    const selection = selectPlatform(text, 'linux/s390x');

    assert.equal(selection.entry, null);
    assert.ok(selection.reason.length > 0);
  });

  test('a document that is not an index has no entry, and no exception', () => {
    const selection = selectPlatform('{', 'linux/amd64');

    assert.equal(selection.entry, null);
    assert.ok(selection.diagnostics.some((d) => d.severity === 'error'));
  });

  test('a platform string that does not parse throws', () => {
    assert.throws(() => selectPlatform(text, 'linux/*'), { message: /wildcard/ });
  });
});

describe('parseReference', () => {
  test('every field, Docker Hub normalised', () => {
    assert.deepEqual(parseReference('alpine:3.20'), {
      registry: 'docker.io',
      repository: 'library/alpine',
      tag: '3.20',
      digest: null,
      apiHost: 'registry-1.docker.io',
      canonical: 'docker.io/library/alpine:3.20',
    });
  });

  test('a digest alone has no tag', () => {
    const reference = parseReference(`registry.example.com:5000/team/app@${D1}`);

    assert.equal(reference.registry, 'registry.example.com:5000');
    assert.equal(reference.apiHost, 'registry.example.com:5000');
    assert.equal(reference.tag, null);
    assert.equal(reference.digest, D1);
  });

  test('an error says what and where', () => {
    assert.throws(() => parseReference('registry.example.com/MyOrg/App:1.0'), { message: /lower case.*MyOrg.*21/ });
  });
});

describe('parseChallenge', () => {
  test('scheme lower-cased, parameters unquoted into a plain object', () => {
    const challenge = parseChallenge('BEARER realm="https://auth.example.com/token",service="r",scope="repository:a/b:pull,push"');

    assert.equal(challenge.scheme, 'bearer');
    assert.equal(Object.getPrototypeOf(challenge.params), Object.prototype);
    assert.deepEqual(challenge.params, {
      realm: 'https://auth.example.com/token',
      service: 'r',
      scope: 'repository:a/b:pull,push',
    });
  });

  test('of several challenges, the first', () => {
    assert.deepEqual(parseChallenge('Basic realm="x", Bearer realm="y"'), { scheme: 'basic', params: { realm: 'x' } });
  });

  test('an empty header throws', () => {
    assert.throws(() => parseChallenge(''), Error);
  });
});

describe('createIndex', () => {
  const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
  const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
  const amd64 = { mediaType: DOCKER_MANIFEST, digest: D1, size: 524, platform: { os: 'linux', architecture: 'amd64' } };
  const arm64 = { mediaType: DOCKER_MANIFEST, digest: D2, size: 525, platform: { os: 'linux', architecture: 'arm64' } };

  test('refuses a lone surrogate anywhere in an entry or the options, naming where', () => {
    assert.throws(() => createIndex([{ ...amd64, annotations: { k: 'a\uD800b' } }]), {
      name: 'TypeError',
      message: /entries\[0\]\.annotations\.k holds a lone surrogate/,
    });
    assert.throws(() => createIndex([amd64], { annotations: { '\uDC00': 'v' } }), {
      message: /a key of options\.annotations holds a lone surrogate/,
    });
  });

  test('the text is what is hashed and sized, and inspects as valid', () => {
    const created = createIndex([amd64, arm64]);

    assert.deepEqual(Object.keys(created).sort(), ['diagnostics', 'digest', 'mediaType', 'size', 'text']);
    assert.equal(created.mediaType, DOCKER_LIST);
    assert.equal(created.digest, digest(created.text));
    assert.equal(created.size, Buffer.byteLength(created.text));
    const report = inspect(created.text, { contentType: created.mediaType, expectedDigest: created.digest });
    assert.equal(report.valid, true, JSON.stringify(report.diagnostics));
    assert.deepEqual(report.entries.map((e) => e.digest), [D1, D2]);
  });

  test('format oci, index annotations and pretty output', () => {
    const created = createIndex([amd64], { format: 'oci', annotations: { 'org.example.a': 'b' }, pretty: true });

    assert.equal(created.mediaType, OCI_INDEX);
    assert.match(created.text, /^\{\n {3}"schemaVersion": 2,/);
    assert.deepEqual(JSON.parse(created.text).annotations, { 'org.example.a': 'b' });
  });

  test('an entry that cannot be written is left out with an error, not thrown', () => {
    const created = createIndex([amd64, { ...arm64, digest: 'sha256:abc' }]);

    assert.ok(created.diagnostics.some((d) => d.code === 'assembly-entry-invalid' && d.severity === 'error'));
    assert.equal(JSON.parse(created.text).manifests.length, 1);
  });

  test('two entries for one platform are a warning', () => {
    const created = createIndex([amd64, { ...arm64, platform: { os: 'linux', architecture: 'amd64' } }]);

    assert.ok(created.diagnostics.some((d) => d.code === 'assembly-duplicate-platform'));
  });

  test('values of the wrong JavaScript type are TypeErrors that name the entry', () => {
    assert.throws(() => createIndex('x'), TypeError);
    assert.throws(() => createIndex([amd64, 5]), { name: 'TypeError', message: /entries\[1\]/ });
    assert.throws(() => createIndex([{ ...amd64, size: 1.5 }]), { name: 'TypeError', message: /entries\[0\]/ });
    assert.throws(() => createIndex([{ digest: D1, size: 1 }]), { name: 'TypeError', message: /mediaType/ });
    assert.throws(() => createIndex([], { format: 'zip' }), TypeError);
  });
});

test('createIndex reads members set to undefined as absent', () => {
  const entry = { mediaType: OCI_MANIFEST, digest: D1, size: 1, platform: { os: 'linux', architecture: 'amd64' }, annotations: undefined };

  const created = createIndex([entry], { format: undefined, pretty: undefined });

  assert.equal(JSON.parse(created.text).manifests.length, 1);
});

test('a member named __proto__ stays an own member, never a prototype', () => {
  const text = `{"schemaVersion":2,"mediaType":"${OCI_INDEX}","manifests":[],"annotations":{"__proto__":"x"}}`;

  const report = inspect(text);
  const challenge = parseChallenge('Bearer __proto__="y"');

  assert.equal(Object.getPrototypeOf(report.annotations), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(report.annotations, '__proto__')?.value, 'x');
  assert.equal(Object.getPrototypeOf(challenge.params), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(challenge.params, '__proto__')?.value, 'y');
});
