#!/usr/bin/env bash
# Runs polyarch-core's fuzz targets (crates/core/fuzz) one after another,
# each for a set time, and prints what each did.
#
#   scripts/fuzz/run.sh [SECONDS] [TARGET...]
#
# SECONDS defaults to 60 per target; TARGET defaults to every target
# (inspect, reference, platform, challenge, assemble). `make fuzz` runs
# 60 s each (FUZZ_SECONDS changes it), `make test-fuzz` 10 s each.
#
# Each run starts from a corpus built afresh in crates/core/fuzz/corpus/
# (ignored by git): the committed seeds in crates/core/fuzz/seeds/, the
# inputs of crates/core/tests/fixtures/cases.json and the golden documents,
# and, for inspection, every file of ../shared/vectors/ when that collection
# sits beside the checkout. What a run adds to the corpus is kept for the
# next run.
#
# The targets are built by `cargo fuzz` on the stable toolchain with
# RUSTC_BOOTSTRAP=1, with debug assertions (so overflow panics) and
# without a sanitizer: the core forbids unsafe code, and without ASan
# each target runs about twice as many inputs (FUZZ_SANITIZER=address
# turns it on). They build into their own target directory, beside the
# workspace's, because their compiler flags share nothing with it.
#
# A crash or failed property stops that target; its input is written to
# crates/core/fuzz/artifacts/TARGET/ and the script exits non-zero after
# running the others. Reproduce one with
#   cd crates/core && RUSTC_BOOTSTRAP=1 cargo fuzz run -s none -a TARGET ARTIFACT
set -euo pipefail
cd "$(dirname "$0")/../.."

SECONDS_EACH=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(inspect reference platform challenge assemble)
SANITIZER=${FUZZ_SANITIZER:-none}
FUZZ_DIR=crates/core/fuzz
VECTORS=../shared/vectors

export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/polyarch/target}/fuzz"

say() { printf 'fuzz: %s\n' "$*"; }

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: cargo-fuzz is missing; run scripts/setup.sh" >&2
    exit 1
fi

# Copies FILE into DIR under the hash of its bytes, as libFuzzer names
# corpus files, so that seeding twice adds nothing.
seed_file() {
    local dir=$1 file=$2
    cp "$file" "$dir/$(sha1sum "$file" | cut -c1-40)"
}

seed_corpus() {
    local target=$1 dir=$FUZZ_DIR/corpus/$1
    mkdir -p "$dir"
    if [ -d "$FUZZ_DIR/seeds/$target" ]; then
        for f in "$FUZZ_DIR/seeds/$target"/*; do [ -f "$f" ] && seed_file "$dir" "$f"; done
    fi
    python3 scripts/fuzz/cases_to_seeds.py crates/core/tests/fixtures/cases.json "$target" "$dir"
    if [ "$target" = inspect ]; then
        for f in crates/core/tests/golden/*.json; do seed_file "$dir" "$f"; done
        if [ -d "$VECTORS" ]; then
            while IFS= read -r -d '' f; do seed_file "$dir" "$f"; done \
                < <(find "$VECTORS" -type f ! -name '*.md' -print0)
        else
            say "no $VECTORS beside the checkout: seeding inspect without it"
        fi
    fi
}

say "building ${TARGETS[*]} (sanitizer: $SANITIZER)"
(cd crates/core && cargo fuzz build --sanitizer "$SANITIZER" --debug-assertions)

mkdir -p "$FUZZ_DIR/artifacts"
failed=()
summary=()
for target in "${TARGETS[@]}"; do
    seed_corpus "$target"
    log=$FUZZ_DIR/artifacts/$target.log
    say "$target for ${SECONDS_EACH}s ($(find "$FUZZ_DIR/corpus/$target" -type f | wc -l) corpus files)"
    status=0
    (cd crates/core && cargo fuzz run --sanitizer "$SANITIZER" --debug-assertions \
        "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1) >"$log" 2>&1 || status=$?
    runs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log" | tail -1)
    secs=$(awk '/stat::average_exec_per_sec/ { print $2 }' "$log" | tail -1)
    line="$target: ${runs:-?} executions in ${SECONDS_EACH}s (${secs:-?}/s)"
    if [ "$status" -ne 0 ]; then
        failed+=("$target")
        line="$line: FAILED (exit $status), log $log"
        grep -m5 -E "panicked|ERROR: libFuzzer|Test unit written" "$log" >&2 || tail -20 "$log" >&2
    fi
    summary+=("$line")
    say "$line"
done

say "summary"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    say "failed: ${failed[*]}"
    exit 1
fi
