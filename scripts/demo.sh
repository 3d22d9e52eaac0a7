#!/usr/bin/env bash
# `make run`: a real registry with demo images, and the page in front of it.
#
# Starts, on 127.0.0.1 only:
#   - docker-registry (CNCF distribution) on port 5000, without auth, its
#     storage under ~/.cache/polyarch/demo (kept between runs), seeded by
#     `polyarch-demo seed` with demo/app:amd64, demo/app:arm64, demo/app:v1
#     (an index of the two) and demo/base:armv7;
#   - polyarch-proxy on port 8080, serving dist/ and allowed to reach that
#     registry over plain HTTP.
# Ctrl-C (or SIGTERM) stops both, by PID, and exits 0.
#
# Builds nothing: make builds dist/, polyarch-proxy and polyarch-demo first.
#
# Environment:
#   REGISTRY_PORT      the registry's port; when unset and 5000 is busy, the
#                      next free port is used (and said)
#   PORT               the proxy's port on 127.0.0.1, likewise from 8080
#   LISTEN             the proxy's ADDR:PORT, instead of PORT
#   POLYARCH_DEMO_DIR  storage, config and the registry's log
#                      (default ~/.cache/polyarch/demo)
#   DOCKER_REGISTRY    the registry program (default docker-registry)
set -euo pipefail
cd "$(dirname "$0")/.."

target=${CARGO_TARGET_DIR:-$HOME/.cache/polyarch/target}
proxy_bin=$target/dist/polyarch-proxy
demo_bin=$target/release/polyarch-demo
registry_bin=${DOCKER_REGISTRY:-docker-registry}
state=${POLYARCH_DEMO_DIR:-$HOME/.cache/polyarch/demo}

say() { printf 'demo: %s\n' "$*"; }
fail() { printf 'demo: %s\n' "$*" >&2; exit 1; }

for program in "$proxy_bin" "$demo_bin"; do
    [ -x "$program" ] || fail "$program is missing: run 'make run', which builds it"
done
[ -f dist/index.html ] || fail "dist/ holds no site: run 'make run', which builds it"
if ! command -v "$registry_bin" >/dev/null 2>&1; then
    fail "$registry_bin (the CNCF distribution registry) is not installed.
  Debian or Ubuntu: sudo apt-get install docker-registry   (scripts/setup.sh does this)
  Elsewhere: install distribution's registry (2.8 or later) and run
  DOCKER_REGISTRY=/path/to/registry make run"
fi

# Whether something accepts connections on 127.0.0.1:$1.
busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# $2 when it is free; otherwise, unless the port was asked for ($3 = fixed),
# the first free port after it.
pick_port() {
    local what=$1 port=$2 fixed=$3 first=$2
    while busy "$port"; do
        [ "$fixed" = fixed ] && fail "port $port for the $what is taken; choose another"
        port=$((port + 1))
        [ "$port" -lt $((first + 100)) ] || fail "no free port for the $what in $first..$port"
    done
    [ "$port" = "$first" ] || say "port $first is taken; the $what uses $port" >&2
    echo "$port"
}

if [ -n "${REGISTRY_PORT:-}" ]; then
    registry_port=$(pick_port registry "$REGISTRY_PORT" fixed)
else
    registry_port=$(pick_port registry 5000 any)
fi
registry=127.0.0.1:$registry_port

if [ -n "${LISTEN:-}" ]; then
    listen=$LISTEN
elif [ -n "${PORT:-}" ]; then
    listen=127.0.0.1:$(pick_port proxy "$PORT" fixed)
else
    listen=127.0.0.1:$(pick_port proxy 8080 any)
fi

pids=()
stop() {
    local pid
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    pids=()
}
on_signal() {
    trap - INT TERM
    echo
    say "stopping the proxy and the registry"
    stop
    say "stopped"
    exit 0
}
trap on_signal INT TERM
trap stop EXIT

# Waits until $2 accepts connections while process $1 lives; $3 names it.
await() {
    local pid=$1 port=${2##*:} what=$3 i
    for i in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || return 1
        if busy "$port"; then
            sleep 0.2
            kill -0 "$pid" 2>/dev/null && return 0
            return 1
        fi
        sleep 0.1
    done
    say "$what did not start listening on $2 within 10 s" >&2
    return 1
}

mkdir -p "$state"
"$demo_bin" registry-config --listen "$registry" --storage "$state/storage" \
    --out "$state/config.yml"
"$registry_bin" serve "$state/config.yml" >>"$state/registry.log" 2>&1 &
pids+=("$!")
if ! await "${pids[0]}" "$registry" "docker-registry"; then
    tail -n 5 "$state/registry.log" >&2 || true
    fail "docker-registry did not start on $registry (log: $state/registry.log)"
fi
say "docker-registry on $registry (storage and log in $state)"

"$demo_bin" seed --registry "$registry" | sed 's/^/demo: /'

"$proxy_bin" --listen "$listen" --site dist \
    --allow-private "$registry" --plain-http "$registry" &
pids+=("$!")
await "${pids[1]}" "$listen" "polyarch-proxy" || fail "polyarch-proxy did not start on $listen"

cat <<EOF

  polyarch is running at http://$listen/

  Try this:
    1. Fetch $registry/demo/app:v1 (an index for linux/amd64 and linux/arm64/v8).
    2. Build a list from $registry/demo/app:amd64, $registry/demo/app:arm64 and $registry/demo/base:armv7; push it to $registry/demo/app:multi.

  Ctrl-C stops the proxy and the registry.

EOF

# Returns when either process ends, or a signal runs on_signal first.
wait -n || true
for i in 0 1; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
        name=$([ "$i" = 0 ] && echo docker-registry || echo polyarch-proxy)
        say "$name stopped on its own; stopping the other (registry log: $state/registry.log)" >&2
    fi
done
stop
exit 1
