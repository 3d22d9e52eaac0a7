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

tag=bench-proxy
# shellcheck source=scripts/bench/lib.sh
source "$(dirname "$0")/lib.sh"

command -v nginx >/dev/null || { say "nginx missing: apt-get install nginx-light"; exit 1; }

say "building polyarch-proxy and the bench program (profile dist)"
bench="$(build_bench registry)"
[ -x "$bench" ] || { say "the bench program did not build"; exit 1; }

start_registry

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
start_proxy

say "registry on $registry, polyarch-proxy on 127.0.0.1:$proxy_port, nginx on 127.0.0.1:$nginx_port"
echo "$(machine); $(nginx -v 2>&1); $(docker-registry --version | awk '{print $2, $3}')."
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
