#!/usr/bin/env bash
# The registry proxy's figures for BENCHMARKS.md (make bench-proxy).
#
# Starts, on free 127.0.0.1 ports, one docker-registry (Debian's distribution
# 2.8, storage in a temporary directory), nginx as a plain reverse proxy in
# front of it (nginx-light, foreground, config in the same directory), and the
# shipped build of polyarch-proxy (profile dist); then runs
# crates/proxy/benches/registry.rs against the three ways in, one after the
# other. Everything it started is
# stopped by PID on exit, and the temporary directory removed.
#
# Settings (environment): BLOB_MIB (1024), LATENCY_REQUESTS (2000),
# CONNECTIONS (64), RPS_SECONDS (10).
set -euo pipefail

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/polyarch/target}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
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

say() { printf 'bench-proxy: %s\n' "$*" >&2; }

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
# port between free_port and the bind); sets $port. The command line uses
# PORT as a placeholder, and files named in START_FILES have PORT replaced.
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

command -v docker-registry >/dev/null || { say "docker-registry missing: run scripts/setup.sh"; exit 1; }
command -v nginx >/dev/null || { say "nginx missing: apt-get install nginx-light"; exit 1; }

say "building polyarch-proxy and the bench program (profile dist)"
# The bench program shares the proxy's profile, so the dependencies are
# compiled once for both.
bench="$(cd "$root" && cargo build -p polyarch-proxy --profile dist --locked --bin polyarch-proxy \
    --bench registry --message-format=json-render-diagnostics \
    | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "registry" and m.get("executable"):
        print(m["executable"])')"
[ -x "$bench" ] || { say "the bench program did not build"; exit 1; }

# The registry.
mkdir -p "$work/storage"
registry_config() {
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
  addr: 127.0.0.1:$1
  secret: polyarch-bench
EOF
}
for attempt in 1 2 3 4 5; do
    registry_port="$(free_port)"
    registry_config "$registry_port"
    docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
    registry_pid=$!
    if wait_port "$registry_port" && kill -0 "$registry_pid" 2>/dev/null; then
        pids+=("$registry_pid")
        break
    fi
    kill "$registry_pid" 2>/dev/null || true
    wait "$registry_pid" 2>/dev/null || true
    registry_pid=""
done
[ -n "$registry_pid" ] || { say "docker-registry did not start"; cat "$work/registry.log" >&2; exit 1; }
registry="127.0.0.1:$registry_port"

# nginx: a plain reverse proxy, streaming both ways, kept-alive upstream.
mkdir -p "$work/nginx"
for attempt in 1 2 3 4 5; do
    nginx_port="$(free_port)"
    cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    upstream registry { server $registry; keepalive 64; }
    server {
        listen 127.0.0.1:$nginx_port;
        client_max_body_size 0;
        location / {
            proxy_pass http://registry;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$http_host;
            proxy_buffering off;
            proxy_request_buffering off;
        }
    }
}
EOF
    nginx -e "$work/nginx/error.log" -p "$work/nginx" -c "$work/nginx/nginx.conf" >"$work/nginx/stderr.log" 2>&1 &
    nginx_pid=$!
    if wait_port "$nginx_port" && kill -0 "$nginx_pid" 2>/dev/null; then
        pids+=("$nginx_pid")
        break
    fi
    kill "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
    nginx_pid=""
done
[ -n "$nginx_pid" ] || { say "nginx did not start"; cat "$work/nginx/stderr.log" "$work/nginx/error.log" >&2 || true; exit 1; }

# polyarch-proxy, as shipped.
start_on_free_port "$CARGO_TARGET_DIR/dist/polyarch-proxy" --listen 127.0.0.1:PORT \
    --no-default-registries --allow-private "$registry" --plain-http "$registry" \
    --max-concurrent 1024 --log warn
proxy_port=$port
proxy_pid=$last_pid

say "registry on $registry, polyarch-proxy on 127.0.0.1:$proxy_port, nginx on 127.0.0.1:$nginx_port"
cpus="$(nproc)"
model="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "Machine: $cpus cores ($model), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(nginx -v 2>&1); $(docker-registry --version | awk '{print $2, $3}')."
echo

"$bench" \
    --push "http://$registry" \
    --target "direct=http://$registry" \
    --target "polyarch-proxy=http://127.0.0.1:$proxy_port/r/$registry" \
    --target "nginx=http://127.0.0.1:$nginx_port" \
    --pid "polyarch-proxy=$proxy_pid" \
    --blob-mib "${BLOB_MIB:-1024}" \
    --latency-requests "${LATENCY_REQUESTS:-2000}" \
    --connections "${CONNECTIONS:-64}" \
    --rps-seconds "${RPS_SECONDS:-10}"
