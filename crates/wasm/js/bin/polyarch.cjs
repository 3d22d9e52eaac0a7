#!/usr/bin/env node
'use strict';
// The `polyarch` command: the package's functions for CI pipelines.
//
//   polyarch inspect FILE|-            validate a manifest, index or manifest list
//   polyarch select FILE|- PLATFORM    the row a client on PLATFORM pulls
//   polyarch digest FILE|-             the digest of the exact bytes
//   polyarch create ENTRIES.json|-     assemble an index from a JSON array of entries
//
// Output is for people unless --json is given. Exit status: 0 when the
// document is valid (select: and a row matched), 1 when it is invalid (or
// nothing matched), 2 for a usage error or a file that cannot be read.

const fs = require('node:fs');
const path = require('node:path');
const polyarch = require('../index.cjs');

const USAGE = `usage:
  polyarch inspect FILE|- [--json] [--content-type TYPE] [--expected-digest DIGEST]
  polyarch select FILE|- PLATFORM [--json] [--os-version VERSION] [--strict]
  polyarch digest FILE|- [--json] [--algorithm sha256|sha512]
  polyarch create ENTRIES.json|- [--json] [--format oci|docker|auto] [--pretty]
                  [--annotation KEY=VALUE]...
  polyarch --version | --help

FILE - reads standard input. Exit status: 0 valid, 1 invalid or no match,
2 usage error or unreadable input.`;

const OPTIONS = {
  '--json': false,
  '--strict': false,
  '--pretty': false,
  '--content-type': true,
  '--expected-digest': true,
  '--os-version': true,
  '--algorithm': true,
  '--format': true,
  '--annotation': true,
};

class UsageError extends Error {}

function parseArguments(argv) {
  const positional = [];
  const flags = { annotation: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-' || !arg.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.split(/=(.*)/s, 2);
    if (!(name in OPTIONS)) {
      throw new UsageError(`unknown option ${name}`);
    }
    const key = name.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!OPTIONS[name]) {
      flags[key] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) {
      throw new UsageError(`${name} needs a value`);
    }
    if (key === 'annotation') flags.annotation.push(value);
    else flags[key] = value;
  }
  return { positional, flags };
}

function readInput(file) {
  const bytes = file === '-' ? fs.readFileSync(0) : fs.readFileSync(file);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

function needs(positional, count, command) {
  if (positional.length !== count) {
    throw new UsageError(`${command} takes ${count - 1} argument${count > 2 ? 's' : ''}`);
  }
}

function placeOf(name, diagnostic) {
  return `${name}:${diagnostic.line}:${diagnostic.column}`;
}

function printDiagnostics(out, name, diagnostics) {
  for (const d of diagnostics) {
    const at = d.pointer === '' ? '(document)' : d.pointer;
    out.write(`${placeOf(name, d)}: ${d.severity}[${d.code}] ${at}: ${d.message}\n`);
  }
}

function counts(diagnostics) {
  const n = { error: 0, warning: 0, info: 0 };
  for (const d of diagnostics) n[d.severity] += 1;
  const plural = (k, word) => `${n[k]} ${word}${n[k] === 1 ? '' : 's'}`;
  return `${plural('error', 'error')}, ${plural('warning', 'warning')}, ${plural('info', 'note')}`;
}

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows
    .map((r) => r.map((cell, c) => String(cell).padEnd(widths[c])).join('  ').trimEnd())
    .join('\n');
}

function describeEntry(entry) {
  const size = entry.size === null ? '?' : entry.size;
  const platform = entry.platformString ?? '-';
  const extra = entry.attests ? `attests ${entry.attests}` : '';
  return [entry.index, platform, entry.role, entry.digest, size, extra];
}

function commandInspect(positional, flags, out) {
  needs(positional, 2, 'inspect');
  const name = positional[1] === '-' ? '<stdin>' : positional[1];
  const report = polyarch.inspect(readInput(positional[1]), {
    contentType: flags.contentType,
    expectedDigest: flags.expectedDigest,
  });

  if (flags.json) {
    out.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.valid ? 0 : 1;
  }

  out.write(`${name}: ${report.kind}${report.mediaType ? ` (${report.mediaType})` : ''}\n`);
  out.write(`digest  ${report.digest}\nsize    ${report.size}\n`);
  out.write(`valid   ${report.valid ? 'yes' : 'no'} (${counts(report.diagnostics)})\n`);
  if (report.entries.length > 0) {
    const rows = [['#', 'platform', 'role', 'digest', 'size', '']];
    out.write(`\n${table(rows.concat(report.entries.map(describeEntry)))}\n`);
  }
  if (report.config) {
    out.write(`\nconfig  ${report.config.mediaType} ${report.config.digest}\n`);
    out.write(`layers  ${report.layers.length}\n`);
  }
  if (report.diagnostics.length > 0) {
    out.write('\n');
    printDiagnostics(out, name, report.diagnostics);
  }
  return report.valid ? 0 : 1;
}

function commandSelect(positional, flags, out) {
  needs(positional, 3, 'select');
  const name = positional[1] === '-' ? '<stdin>' : positional[1];
  const selection = polyarch.selectPlatform(readInput(positional[1]), positional[2], {
    osVersion: flags.osVersion,
    strict: flags.strict,
  });
  const valid = !selection.diagnostics.some((d) => d.severity === 'error');
  const status = valid && selection.entry !== null ? 0 : 1;

  if (flags.json) {
    out.write(`${JSON.stringify(selection, null, 2)}\n`);
    return status;
  }

  if (selection.entry) {
    const e = selection.entry;
    out.write(`${e.digest}\n`);
    out.write(`row ${e.index}: ${e.platformString ?? '(no platform)'} ${e.role}, ${selection.reason}\n`);
    if (e.role === 'index') out.write('this row is an index: fetch it and select again\n');
  } else {
    out.write(selection.reason === 'no match' ? 'no match\n' : `no match: ${selection.reason}\n`);
  }
  if (selection.unresolved.length > 0) {
    out.write(`rows without a platform: ${selection.unresolved.join(', ')}\n`);
  }
  printDiagnostics(out, name, selection.diagnostics.filter((d) => d.severity === 'error'));
  return status;
}

function commandDigest(positional, flags, out) {
  needs(positional, 2, 'digest');
  const digest = polyarch.digest(readInput(positional[1]), flags.algorithm ?? 'sha256');
  out.write(flags.json ? `${JSON.stringify({ digest })}\n` : `${digest}\n`);
  return 0;
}

function parseAnnotations(pairs) {
  const annotations = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--annotation takes KEY=VALUE, found ${JSON.stringify(pair)}`);
    annotations[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return annotations;
}

function commandCreate(positional, flags, out, err) {
  needs(positional, 2, 'create');
  const name = positional[1] === '-' ? '<stdin>' : positional[1];
  let entries;
  try {
    entries = JSON.parse(Buffer.from(readInput(positional[1])).toString('utf8'));
  } catch (e) {
    if (e instanceof SyntaxError) {
      err.write(`polyarch: ${name} is not JSON: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (!Array.isArray(entries)) {
    err.write(`polyarch: ${name} must hold a JSON array of entries\n`);
    return 2;
  }
  const created = polyarch.createIndex(entries, {
    format: flags.format ?? 'auto',
    pretty: flags.pretty === true,
    annotations: parseAnnotations(flags.annotation),
  });
  const valid = !created.diagnostics.some((d) => d.severity === 'error');

  if (flags.json) {
    out.write(`${JSON.stringify(created, null, 2)}\n`);
    return valid ? 0 : 1;
  }

  // The index goes to standard output exactly as hashed; the rest to
  // standard error, so that `polyarch create e.json > index.json` works.
  out.write(created.text);
  err.write(`${created.mediaType}\n${created.digest}\nsize ${created.size}\n`);
  for (const d of created.diagnostics) {
    err.write(`${d.severity}[${d.code}] ${d.pointer === '' ? '(document)' : d.pointer}: ${d.message}\n`);
  }
  return valid ? 0 : 1;
}

function main(argv, out, err) {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    (argv.length === 0 ? err : out).write(`${USAGE}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  if (argv.includes('--version')) {
    const pkg = require(path.join(__dirname, '..', 'package.json'));
    out.write(`polyarch ${pkg.version}\n`);
    return 0;
  }

  try {
    const { positional, flags } = parseArguments(argv);
    switch (positional[0]) {
      case 'inspect':
        return commandInspect(positional, flags, out);
      case 'select':
        return commandSelect(positional, flags, out);
      case 'digest':
        return commandDigest(positional, flags, out);
      case 'create':
        return commandCreate(positional, flags, out, err);
      default:
        throw new UsageError(`unknown command ${JSON.stringify(positional[0] ?? '')}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`polyarch: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (e && (e.code === 'ENOENT' || e.code === 'EISDIR' || e.code === 'EACCES')) {
      err.write(`polyarch: cannot read ${e.path ?? 'the input'}: ${e.code}\n`);
      return 2;
    }
    if (e instanceof Error && !(e instanceof TypeError)) {
      // A platform string or an algorithm that the functions refuse.
      err.write(`polyarch: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2), process.stdout, process.stderr);
