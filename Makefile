# polyarch: `make run` builds everything and starts the demo;
# `make test` runs every test. Both install what they need first.
SHELL := /bin/bash

# One target directory outside the checkout, so that a fresh clone reuses
# earlier builds of the dependencies.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/polyarch/target
export CARGO_TERM_COLOR ?= never

.PHONY: all setup test lint test-core bench proxy test-proxy npm test-npm bench-npm \
	run site test-web bench-web

all: test

setup:
	scripts/setup.sh

test: setup lint test-core test-fuzz test-proxy test-npm test-web
	@echo "make test: all suites passed"

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings

test-core:
	cargo test -p polyarch-core --locked

.PHONY: fuzz test-fuzz
FUZZ_SECONDS ?= 60

# polyarch-core's fuzz targets (crates/core/fuzz: inspection, references,
# platforms, WWW-Authenticate, index assembly), FUZZ_SECONDS each, seeded
# from the tests and ../shared/vectors; scripts/fuzz/run.sh says more.
fuzz:
	scripts/fuzz/run.sh $(FUZZ_SECONDS)

# The short version for `make test`: each fuzz target for 10 s, then the
# limits tests that only run in release (100 MiB, a million entries).
test-fuzz:
	scripts/fuzz/run.sh 10
	cargo test -p polyarch-core --release --locked --test limits -- --include-ignored

# The registry proxy, built as shipped (binary: $(CARGO_TARGET_DIR)/dist/polyarch-proxy).
proxy:
	cargo build -p polyarch-proxy --profile dist --locked

# Starts a real docker-registry on loopback ports; needs scripts/setup.sh.
test-proxy:
	cargo test -p polyarch-proxy --locked
	cargo test -p polyarch-demo --locked

.PHONY: bench-proxy load load-rate

# Manifest latency, blob throughput, requests per second and memory, direct
# and through polyarch-proxy and nginx against one local docker-registry
# (needs nginx-light); figures for BENCHMARKS.md.
bench-proxy: setup
	scripts/bench/proxy.sh

# The long hostile-client runs (bursts of 1,000 connections), a 60-second
# load at 64 connections with the proxy's memory sampled, then the
# fixed-rate load for LOAD_SECONDS (120 here) at each rate.
load: setup
	cargo test -p polyarch-proxy --locked --test hostile_clients -- --ignored --nocapture
	RPS_SECONDS=60 BLOB_MIB=64 LATENCY_REQUESTS=200 scripts/bench/proxy.sh
	LOAD_SECONDS=$(or $(LOAD_SECONDS),120) scripts/bench/load-rate.sh

# Open-loop load through a fresh polyarch-proxy at each of LOAD_RATES
# manifest GETs a second, with a 4 MiB blob GET a second, LOAD_SECONDS (60)
# each: latency from the intended send times, failures by kind, the proxy's
# VmRSS each second and the flat-memory verdict (scripts/bench/load-rate.sh).
load-rate: setup
	scripts/bench/load-rate.sh

bench:
	cargo bench -p polyarch-core

# The npm package `polyarch` (crates/wasm), built as shipped into
# crates/wasm/pkg/: profile dist, wasm-opt from the npm binaryen.
npm:
	scripts/setup.sh rust
	scripts/npm/build.sh

# The packed tarball under node --test, the bindings under wasm-bindgen-test
# in headless Chromium, the declarations under tsc, and a Vite app in Chromium.
test-npm: npm
	scripts/npm/test.sh all

# Package size, inspect against JSON.parse, digest against node:crypto and
# WebCrypto, in one Node process.
bench-npm: npm
	scripts/npm/bench.sh

# The web page (web/, index.html, Trunk.toml), built by Trunk into dist/:
# offline, with wasm-opt from the npm binaryen in tests/ (never Debian's).
WEB_NODE := tests/node_modules/.package-lock.json

$(WEB_NODE): tests/package.json tests/package-lock.json
	cd tests && npm ci --no-audit --no-fund
	@touch $@

site: $(WEB_NODE)
	scripts/setup.sh rust
	PATH="$(CURDIR)/tests/node_modules/.bin:$$PATH" trunk build --release

# The page's pure modules natively, then the built site in headless
# Chromium (playwright-core, Debian's chromium): the page alone, and against
# a real registry, token issuer and proxy (tests/web/stack.mjs).
test-web: site proxy demo
	cargo test -p polyarch-web --locked
	cd tests && node --test --test-concurrency=1 web/

# First-visit bytes, time until the page can inspect, time to inspect and
# render a 1,000-entry index; figures for BENCHMARKS.md.
bench-web: site
	cd tests && node web/bench.mjs

# The demo's helper ($(CARGO_TARGET_DIR)/release/polyarch-demo): registry
# configuration, a token issuer and the demo images (crates/demo).
.PHONY: demo
demo:
	cargo build -p polyarch-demo --locked --release

# Builds everything and starts the demo (scripts/demo.sh): docker-registry on
# 127.0.0.1:5000 seeded with images for linux/amd64, linux/arm64 and
# linux/arm/v7, and the proxy serving the site on 127.0.0.1:8080 in front of
# it. Ctrl-C stops both.
run: setup site proxy demo
	scripts/demo.sh
