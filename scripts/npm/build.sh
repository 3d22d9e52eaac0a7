#!/usr/bin/env bash
# Builds the npm package `polyarch` into crates/wasm/pkg/.
#
#   scripts/npm/build.sh            the shipped build: profile `dist`, wasm-opt -O3
#   scripts/npm/build.sh --dev      the dev profile, no wasm-opt (faster to build)
#
# Layout of the package:
#   node/   wasm-bindgen --target nodejs: CommonJS that compiles the module
#           synchronously from the .wasm next to it
#   web/    wasm-bindgen --target web: an ES module with an async init
#   index.cjs, index.mjs, browser.mjs, polyarch.d.ts (and a copy as
#   polyarch.d.mts), bin/, README.md, LICENSE,
#   package.json: copied from crates/wasm/js/, crates/wasm/README.md and
#   the LICENSE at the root
set -euo pipefail
cd "$(dirname "$0")/../.."

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/polyarch/target}
profile=dist
if [ "${1:-}" = "--dev" ]; then
    profile=dev
fi
crate=crates/wasm
pkg=$crate/pkg
tools=scripts/npm/node_modules/.bin

scripts/npm/tools.sh

cargo build -p polyarch-wasm --lib --target wasm32-unknown-unknown --profile "$profile" --locked
case "$profile" in
    dev) wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/debug/polyarch_wasm.wasm" ;;
    *) wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/$profile/polyarch_wasm.wasm" ;;
esac

rm -rf "$pkg"
mkdir -p "$pkg/bin"
wasm-bindgen "$wasm" --target web --out-dir "$pkg/web" --out-name polyarch --no-typescript
wasm-bindgen "$wasm" --target nodejs --out-dir "$pkg/node" --out-name polyarch --no-typescript

if [ "$profile" != dev ]; then
    # Rust's wasm32 target enables these proposals; wasm-opt must accept them.
    features=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
        --enable-mutable-globals --enable-reference-types --enable-multivalue)
    for f in "$pkg/web/polyarch_bg.wasm" "$pkg/node/polyarch_bg.wasm"; do
        "$tools/wasm-opt" -O3 "${features[@]}" "$f" -o "$f.opt"
        mv "$f.opt" "$f"
    done
fi

# Both targets get the same module; ship it once when the bytes agree.
if cmp -s "$pkg/web/polyarch_bg.wasm" "$pkg/node/polyarch_bg.wasm"; then
    rm "$pkg/node/polyarch_bg.wasm"
    sed -i 's#{__dirname}/polyarch_bg.wasm#{__dirname}/../web/polyarch_bg.wasm#' "$pkg/node/polyarch.js"
    grep -qF '{__dirname}/../web/polyarch_bg.wasm' "$pkg/node/polyarch.js" || {
        echo "build: could not point the Node.js glue at web/polyarch_bg.wasm" >&2
        exit 1
    }
fi
echo '{ "type": "module" }' > "$pkg/web/package.json"
rm -f "$pkg/web/.gitignore" "$pkg/node/.gitignore"

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
sed "s/@VERSION@/$version/" "$crate/js/package.json" > "$pkg/package.json"
cp "$crate/js/index.cjs" "$crate/js/index.mjs" "$crate/js/browser.mjs" \
    "$crate/js/polyarch.d.ts" "$crate/README.md" LICENSE "$pkg/"
# One set of declarations, for both module systems: `.d.mts` for `import`,
# `.d.ts` for `require` (where `default` is the `init` export).
cp "$crate/js/polyarch.d.ts" "$pkg/polyarch.d.mts"
cp "$crate/js/bin/polyarch.cjs" "$pkg/bin/"
chmod +x "$pkg/bin/polyarch.cjs"

echo "npm package: $pkg ($(du -b "$pkg/web/polyarch_bg.wasm" | cut -f1) bytes of wasm)"
