# Shared by the proxy's benchmark scripts (proxy.sh, load-rate.sh); sourced,
# not run. The sourcing script sets `tag` (the prefix of its messages) and
# `set -euo pipefail` first.
#
# Gives: $root (the checkout), $work (a temporary directory, removed on
# exit), $pids (every process started here, stopped by PID on exit, and by
# stop_pid earlier), and the functions below. Everything listens on
# 127.0.0.1 only, on a port found free just before.

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/polyarch/target}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
chmod 755 "$work"
pids=()

stop() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap stop EXIT

say() { printf '%s: %s\n' "$tag" "$*" >&2; }

# Stops one process started here, by its PID, and forgets it.
stop_pid() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    local kept=() pid
    for pid in "${pids[@]}"; do
        [ "$pid" = "$1" ] || kept+=("$pid")
    done
    pids=("${kept[@]}")
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits up to 10 s for something to accept connections on 127.0.0.1:$1.
wait_port() {
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    say "nothing listens on 127.0.0.1:$1"
    return 1
}

# Starts "$@" on a fresh port until it binds (another process may take a
# port between free_port and the bind); the command line uses PORT as a
# placeholder. Sets $port and $last_pid.
start_on_free_port() {
    local attempt
    for attempt in 1 2 3 4 5; do
        port="$(free_port)"
        local args=("${@//PORT/$port}")
        "${args[@]}" >"$work/log.$attempt" 2>&1 &
        local pid=$!
        if wait_port "$port" && kill -0 "$pid" 2>/dev/null; then
            pids+=("$pid")
            last_pid=$pid
            return 0
        fi
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    say "could not start $1"
    return 1
}

# Builds polyarch-proxy and the bench program $1 with the shipped profile
# (dist), so that the dependencies are compiled once for both; prints the
# bench program's path.
build_bench() {
    (cd "$root" && cargo build -p polyarch-proxy --profile dist --locked --bin polyarch-proxy \
        --bench "$1" --message-format=json-render-diagnostics) \
        | python3 -c 'import json,sys
name = sys.argv[1]
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == name and m.get("executable"):
        print(m["executable"])' "$1"
}

# Starts Debian's docker-registry (distribution 2.8, storage under $work) on
# a free port. Sets $registry (127.0.0.1:PORT) and $registry_pid.
start_registry() {
    command -v docker-registry >/dev/null || { say "docker-registry missing: run scripts/setup.sh"; return 1; }
    mkdir -p "$work/storage"
    local attempt registry_port
    registry_pid=""
    for attempt in 1 2 3 4 5; do
        registry_port="$(free_port)"
        cat >"$work/registry.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/storage
http:
  addr: 127.0.0.1:$registry_port
  secret: polyarch-bench
EOF
        docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
        registry_pid=$!
        if wait_port "$registry_port" && kill -0 "$registry_pid" 2>/dev/null; then
            pids+=("$registry_pid")
            registry="127.0.0.1:$registry_port"
            return 0
        fi
        kill "$registry_pid" 2>/dev/null || true
        wait "$registry_pid" 2>/dev/null || true
        registry_pid=""
    done
    say "docker-registry did not start"
    cat "$work/registry.log" >&2
    return 1
}

# Starts the shipped polyarch-proxy in front of $registry, allowed to reach
# it over plain HTTP. Sets $proxy_port and $proxy_pid.
start_proxy() {
    start_on_free_port "$CARGO_TARGET_DIR/dist/polyarch-proxy" --listen 127.0.0.1:PORT \
        --no-default-registries --allow-private "$registry" --plain-http "$registry" \
        --max-concurrent 1024 --log warn
    proxy_port=$port
    proxy_pid=$last_pid
}

# One line on the machine: cores, CPU model, memory.
machine() {
    local model
    model="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    echo "Machine: $(nproc) cores ($model), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
}
