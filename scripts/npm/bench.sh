#!/usr/bin/env bash
# Benchmarks the npm package built in crates/wasm/pkg/ (run `make npm`
# first): installs the packed tarball into a scratch folder and runs
# crates/wasm/bench/bench.mjs there, printing Markdown tables.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
pkg=$root/crates/wasm/pkg
[ -f "$pkg/package.json" ] || { echo "bench-npm: no package in $pkg; run make npm" >&2; exit 1; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/polyarch-bench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

(cd "$pkg" && npm pack --silent --pack-destination "$scratch" >/dev/null)
printf '{ "private": true, "type": "module" }\n' > "$scratch/package.json"
(cd "$scratch" && npm install --silent --no-audit --no-fund --offline "$scratch"/polyarch-*.tgz)
cp "$root/crates/wasm/bench/bench.mjs" "$scratch/"
(cd "$scratch" && node bench.mjs "$(ls "$scratch"/polyarch-*.tgz)")
