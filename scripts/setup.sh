#!/usr/bin/env bash
# Installs what polyarch's build and tests need, skipping what is present.
# Safe to run any number of times; `make run` and `make test` call it first.
#
#   scripts/setup.sh            everything
#   scripts/setup.sh rust       only the Rust side (toolchain target, CLIs)
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock 2>/dev/null || true)
TRUNK_VERSION=0.21.14
APT_PACKAGES=(docker-registry skopeo chromium chromium-driver apache2-utils nginx-light)

say() { printf 'setup: %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_packages() {
    local missing=()
    for p in "${APT_PACKAGES[@]}"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing ${missing[*]}"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

rust_tools() {
    rustup target list --installed | grep -qx wasm32-unknown-unknown \
        || rustup target add wasm32-unknown-unknown
    if [ -n "$WASM_BINDGEN_VERSION" ] \
        && [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
        say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
        cargo install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
    fi
}

trunk_tool() {
    if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
        say "installing trunk $TRUNK_VERSION (about ten minutes)"
        cargo install -q trunk --version "$TRUNK_VERSION" --locked --force
    fi
}

# cargo-fuzz, for `make fuzz` and `make test-fuzz` (crates/core/fuzz); its
# targets build on the stable toolchain with RUSTC_BOOTSTRAP=1.
fuzz_tool() {
    if ! cargo fuzz --version >/dev/null 2>&1; then
        say "installing cargo-fuzz (a few minutes)"
        cargo install -q cargo-fuzz --locked
    fi
}

case "${1:-all}" in
    rust) rust_tools; trunk_tool ;;
    all) apt_packages; rust_tools; trunk_tool; fuzz_tool ;;
    *) echo "usage: $0 [all|rust]" >&2; exit 2 ;;
esac
