// Every case of the shared bug-report table (../shared/cases/cases.json next
// to the repository) through the installed package. The table's README says
// how each kind is called and matched; this file follows it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import {
  digest,
  formatPlatform,
  inspect,
  parseChallenge,
  parsePlatform,
  parseReference,
  selectPlatform,
} from 'polyarch';

const casesFile = process.env.POLYARCH_CASES;
assert.ok(casesFile, 'POLYARCH_CASES names cases.json');
const cases = JSON.parse(readFileSync(casesFile, 'utf8'));

/** The table's pointer rule: equal, inside, or a non-root ancestor. */
function pointerMatches(expected, reported) {
  if (expected === '') return reported === '';
  return (
    reported === expected ||
    reported.startsWith(`${expected}/`) ||
    (reported !== '' && expected.startsWith(`${reported}/`))
  );
}

function diagnosticMatches(expected, reported) {
  return (
    reported.severity === expected.severity &&
    (expected.line === undefined || reported.line === expected.line) &&
    (expected.pointer === undefined || pointerMatches(expected.pointer, reported.pointer))
  );
}

const checks = {
  validate(c) {
    const options = {};
    if (c.options?.contentType !== undefined) options.contentType = c.options.contentType;
    if (c.options?.expectedDigest !== undefined) options.expectedDigest = c.options.expectedDigest;

    const report = inspect(c.input, options);

    for (const field of ['valid', 'kind', 'digest', 'size']) {
      if (field in c.expect) assert.equal(report[field], c.expect[field], field);
    }
    for (const wanted of c.expect.diagnostics ?? []) {
      assert.ok(
        report.diagnostics.some((d) => diagnosticMatches(wanted, d)),
        `no diagnostic matches ${JSON.stringify(wanted)} in ${JSON.stringify(report.diagnostics)}`,
      );
    }
    for (const wanted of c.expect.entries ?? []) {
      const row = report.entries.find((e) => e.index === wanted.index);
      assert.ok(row, `no row ${wanted.index}`);
      for (const [field, value] of Object.entries(wanted)) {
        assert.deepEqual(row[field], value, `row ${wanted.index} ${field}`);
      }
    }
  },

  'platform-parse'(c) {
    if (c.expect.error) {
      assert.throws(() => parsePlatform(c.input), Error);
      return;
    }
    const platform = parsePlatform(c.input);

    assert.equal(platform.os, c.expect.os);
    assert.equal(platform.architecture, c.expect.architecture);
    assert.equal(platform.variant, c.expect.variant);
    assert.equal(formatPlatform(platform), c.expect.string);
  },

  'platform-format'(c) {
    assert.equal(formatPlatform(c.input), c.expect.string);
  },

  'platform-select'(c) {
    const { platform, ...options } = c.options;

    const selection = selectPlatform(c.input, platform, options);

    assert.equal(selection.entry?.digest ?? null, c.expect.digest, selection.reason);
  },

  reference(c) {
    if (c.expect.error) {
      assert.throws(() => parseReference(c.input), Error);
      return;
    }
    const reference = parseReference(c.input);

    for (const field of ['registry', 'repository', 'tag', 'digest']) {
      assert.equal(reference[field], c.expect[field], field);
    }
  },

  challenge(c) {
    const challenge = parseChallenge(c.input);

    assert.equal(challenge.scheme, c.expect.scheme);
    for (const [name, value] of Object.entries(c.expect.params ?? {})) {
      assert.equal(challenge.params[name], value, name);
    }
  },

  digest(c) {
    assert.equal(digest(c.input, c.options?.algorithm), c.expect.digest);
  },
};

test('the table has cases of every kind this suite knows', () => {
  const kinds = new Set(cases.map((c) => c.kind));

  for (const kind of kinds) assert.ok(kind in checks, `unknown kind ${kind}`);
  assert.ok(cases.length > 0);
});

for (const c of cases) {
  test(`${c.id} (${c.kind}): ${c.about}`, () => checks[c.kind](c));
}
