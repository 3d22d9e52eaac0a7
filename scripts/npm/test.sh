#!/usr/bin/env bash
# Tests the npm package built in crates/wasm/pkg/ (run `make npm` first).
#
#   scripts/npm/test.sh [all|node|types|browser|vite]
#
#   node     npm pack, install the tarball into a scratch folder, and run the
#            node --test suite there (the shared bug-report cases, each
#            function, the README examples, random input, the CLI)
#   types    type-check a TypeScript file against the installed declarations
#   browser  the crate's unit tests, then wasm-bindgen-test in headless
#            Chromium
#   vite     build a tiny Vite app that imports the installed package and run
#            it in headless Chromium
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/polyarch/target}
pkg=$root/crates/wasm/pkg
tools=$root/scripts/npm/node_modules/.bin
cases=$root/../shared/cases/cases.json
what=${1:-all}

scripts/npm/tools.sh
[ -f "$pkg/package.json" ] || { echo "test-npm: no package in $pkg; run make npm" >&2; exit 1; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/polyarch-npm.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

install_package() {
    # The tarball, as a user gets it from the registry.
    local dir=$1
    mkdir -p "$dir"
    (cd "$pkg" && npm pack --silent --pack-destination "$scratch" >/dev/null)
    printf '{ "private": true, "type": "module" }\n' > "$dir/package.json"
    (cd "$dir" && npm install --silent --no-audit --no-fund --offline "$scratch"/polyarch-*.tgz)
}

run_node() {
    echo "test-npm: node --test on the installed tarball"
    [ -f "$cases" ] || { echo "test-npm: $cases is missing" >&2; exit 1; }
    install_package "$scratch/node"
    for file in LICENSE README.md package.json; do
        [ -f "$scratch/node/node_modules/polyarch/$file" ] ||
            { echo "test-npm: the installed package has no $file" >&2; exit 1; }
    done
    cp crates/wasm/tests/node/*.test.mjs "$scratch/node/"
    (cd "$scratch/node" && POLYARCH_CASES=$cases node --test \
        --test-reporter=dot --test-reporter-destination=stdout \
        --test-reporter=tap --test-reporter-destination="$scratch/node.tap" ./*.test.mjs) || {
        grep -E '^# (tests|pass|fail)' "$scratch/node.tap" >&2 || true
        return 1
    }
    grep -E '^# (tests|pass|fail)' "$scratch/node.tap"
}

run_types() {
    echo "test-npm: TypeScript declarations"
    install_package "$scratch/types"
    cp crates/wasm/tests/types/check.ts crates/wasm/tests/types/tsconfig.json "$scratch/types/"
    (cd "$scratch/types" && "$tools/tsc" --project tsconfig.json)
}

run_browser() {
    echo "test-npm: the bindings' own unit tests, natively"
    cargo test -p polyarch-wasm --lib --locked

    echo "test-npm: wasm-bindgen-test in headless Chromium"
    export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
    export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-120}
    export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
    (cd crates/wasm && cargo test -p polyarch-wasm --target wasm32-unknown-unknown --locked --test browser)
}

run_vite() {
    echo "test-npm: a Vite app built with the package, run in headless Chromium"
    install_package "$scratch/vite"
    cp crates/wasm/tests/vite/index.html crates/wasm/tests/vite/main.js "$scratch/vite/"
    "$tools/vite" build "$scratch/vite" --logLevel warn
    NODE_PATH=$root/scripts/npm/node_modules node crates/wasm/tests/vite/run.cjs "$scratch/vite/dist"
}

case "$what" in
    node) run_node ;;
    types) run_types ;;
    browser) run_browser ;;
    vite) run_vite ;;
    all) run_node; run_types; run_browser; run_vite ;;
    *) echo "usage: $0 [all|node|types|browser|vite]" >&2; exit 2 ;;
esac
