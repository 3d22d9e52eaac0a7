#!/usr/bin/env bash
# Fixed-rate (open-loop) load through polyarch-proxy, with its memory
# sampled: `make load-rate`, and the long version in `make load`.
#
# Starts one docker-registry (Debian's distribution 2.8, storage in a
# temporary directory) on a free 127.0.0.1 port; then, for each rate in
# LOAD_RATES, a fresh polyarch-proxy as shipped (profile dist) in front of
# it, and the load program crates/proxy/benches/load_rate against the two:
# it pushes one image straight to the registry, then sends, through the
# proxy, manifest GETs at the rate and blob GETs of BLOB_MIB MiB at
# BLOB_RATE a second, each at its intended time, for LOAD_SECONDS, on at
# most LOAD_CONNECTIONS connections (opened and primed with one request of
# each kind per connection before the clock starts); it prints
# the achieved rates, the latencies from the intended send times (p50, p99,
# p99.9, max), the failures by kind, the proxy's VmRSS (sampled each second)
# and the flat-memory verdict, whose rule is in
# crates/proxy/benches/load_rate/memory.rs. Everything it started is
# stopped by PID on exit, and the temporary directory removed. It exits 1
# when any rate failed (a failed request, a rate not held, or memory not
# flat), after running all of them.
#
# Settings (environment): LOAD_RATES ("100 200", manifest GETs a second),
# LOAD_SECONDS (60), BLOB_RATE (1), BLOB_MIB (4), LOAD_CONNECTIONS (32),
# LOAD_TIMEOUT (10 s from a request's intended time to its last byte).
#
# Why a program of our own rather than a load tool. What is installable
# here: Debian's wrk (closed-loop: a connection sends its next request when
# the last answer is in, no rate), hey and bombardier (a rate, but each
# worker still waits for its answer, so a stall postpones the following
# requests and their wait is never measured: coordinated omission), siege
# (closed-loop); wrk2, which corrects for this, is not packaged. oha, from
# crates.io, has -q (a rate) with --latency-correction, but it stamps a
# request with the time its ticker woke rather than the time the schedule
# meant, drops the requests still queued when the run ends without
# counting them (so a backlog at the end vanishes from the figures), runs
# one URL per process (the manifest and blob streams would be two
# processes with two schedules and two reports), and would be built on
# every fresh machine with its C parts (aws-lc, SQLite, jemalloc). The
# program here is small and uses only the proxy's own dependencies (tokio,
# reqwest): one merged schedule, every request accounted for, latency from
# the intended time, and the same process reads the proxy's memory.
set -euo pipefail

tag=load-rate
# shellcheck source=scripts/bench/lib.sh
source "$(dirname "$0")/lib.sh"

rates="${LOAD_RATES:-100 200}"
seconds="${LOAD_SECONDS:-60}"

say "building polyarch-proxy and the load program (profile dist)"
load="$(build_bench load_rate)"
[ -x "$load" ] || { say "the load program did not build"; exit 1; }

start_registry
echo "$(machine); $(docker-registry --version | awk '{print $2, $3}')."
echo "Fixed rate for ${seconds} s each: ${rates} manifest GETs/s, and ${BLOB_RATE:-1} blob GETs/s of ${BLOB_MIB:-4} MiB, on at most ${LOAD_CONNECTIONS:-32} connections."

status=0
for rate in $rates; do
    start_proxy
    say "registry on $registry, polyarch-proxy (PID $proxy_pid) on 127.0.0.1:$proxy_port: $rate/s"
    echo
    echo "### $rate manifest GETs/s"
    echo
    "$load" \
        --registry "http://$registry" \
        --via "http://127.0.0.1:$proxy_port/r/$registry" \
        --pid "$proxy_pid" \
        --manifests-per-second "$rate" \
        --blobs-per-second "${BLOB_RATE:-1}" \
        --blob-mib "${BLOB_MIB:-4}" \
        --seconds "$seconds" \
        --timeout-seconds "${LOAD_TIMEOUT:-10}" \
        --max-in-flight "${LOAD_CONNECTIONS:-32}" || status=1
    stop_pid "$proxy_pid"
done
exit "$status"
