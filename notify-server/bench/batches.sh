#!/usr/bin/env bash
# Serving a closed hour's batch (GET /v1/batches/{hour}): the release notify-server against
# nginx serving the very same bytes from a file, side by side on this machine's loopback,
# with the same wrk settings. Also prints what gzip would save on that batch. Not a test:
# numbers go into BENCHMARKS.md by hand, with the machine they came from.
#
#   bash notify-server/bench/batches.sh [DURATION_SECONDS] [CONNECTIONS] [BUNDLES] [ENTRIES] [OPEN]
#
# OPEN bundles (default 0) are published in the current hour, so the open hour's batch is not
# empty. SERVER_BIN runs another build of the server (an older one, to compare) on the same
# store.
#
# Needs wrk and nginx (apt-get install wrk nginx-light). Stops only what it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
dur=${1:-10}
conns=${2:-64}
bundles=${3:-83}
entries=${4:-5}
open=${5:-0}
server_bin=${SERVER_BIN:-target/release/notify-server}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || { echo "nginx is missing: apt-get install nginx-light" >&2; exit 1; }

cargo build --release -q -p notify-server --bin notify-server --example bench_batch
work=$(mktemp -d "${TMPDIR:-/tmp}/batch-bench.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

hour=$(target/release/examples/bench_batch "$work" "$bundles" "$entries" "$open")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
# Extra settings for the server, such as ROCKET_MAX_CONNECTIONS=0 (no connection guard).
# shellcheck disable=SC2086
env ROCKET_PORT=$port ROCKET_ADMIN_ENABLED=false ROCKET_ADDRESS=127.0.0.1 ROCKET_DATA_DIR="$work/data" \
  ROCKET_TRUST_FILE="$work/trust.txt" ROCKET_LOG_LEVEL=off ROCKET_KEEP_ALIVE=30 ${SERVER_ENV:-} \
  "$server_bin" &
pids+=($!)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port/v1/batches/$hour"

# nginx serves the bytes the server gives, from a file, with its usual static-file path.
# nginx workers run as an unprivileged user: let them read the files.
chmod 755 "$work"
mkdir -p "$work/www/v1/batches" "$work/nginx"
curl -fs "$url" -o "$work/www/v1/batches/$hour"
nport=$(free_port)
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 30;
  keepalive_requests 1000000;
  default_type application/octet-stream;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  server {
    listen 127.0.0.1:$nport;
    root $work/www;
    add_header Cache-Control "public, max-age=1209600, immutable";
  }
}
CONF
"$nginx" -c "$work/nginx/nginx.conf" -g "daemon off;" &
pids+=($!)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$nport/v1/batches/$hour" >/dev/null && break; sleep 0.1; done
cmp <(curl -fs "$url") <(curl -fs "http://127.0.0.1:$nport/v1/batches/$hour") || { echo "nginx does not serve the same bytes" >&2; exit 1; }

size=$(stat -c %s "$work/www/v1/batches/$hour")
gz=$(gzip -9 -c "$work/www/v1/batches/$hour" | wc -c)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "batch of hour $hour: $bundles bundles of $entries entries, $size bytes; gzip -9: $gz bytes"
run() { # name, url
  echo
  echo "=== $1 ($dur s, $conns connections, 2 wrk threads)"
  wrk -t2 -c"$conns" -d"${dur}s" --latency "$2" | grep -E "Requests/sec|Transfer/sec|Latency|50%|99%|Non-2xx|Socket errors"
}
run "notify-server, closed hour" "$url"
run "nginx, the same bytes from a file" "http://127.0.0.1:$nport/v1/batches/$hour"
open_size=$(curl -fs "http://127.0.0.1:$port/v1/batches/$((hour + 3))" | wc -c)
run "notify-server, the open hour ($open bundles, $open_size bytes)" "http://127.0.0.1:$port/v1/batches/$((hour + 3))"
