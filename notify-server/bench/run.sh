#!/usr/bin/env bash
# Load benchmark of the release notify-server with wrk (Debian's `wrk`), on this machine's
# loopback only. The store lives in a fresh directory under $BENCH_DIR (default: a temporary
# directory), on whatever disk that is: every acknowledged write there is fdatasync'd. It measures durable vault uploads, sync reads and bundle publishing, then
# prints throughput, latency percentiles and the server's peak RSS. Not a test: numbers go
# into BENCHMARKS.md by hand, with the machine they came from.
#
# STORES (default "redb postgres") names the stores measured, one after the other in the same
# run with the same bodies: redb in the temporary directory, and PostgreSQL in a fresh
# database on the server BENCH_POSTGRES names (default host=/var/run/postgresql; the
# database is dropped afterwards).
#
#   bash notify-server/bench/run.sh [DURATION_SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/../.."
dur=${1:-15}
conns=${2:-64}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

cargo build --release -q -p notify-server --bin notify-server --example bench_data
work=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/notify-bench.XXXXXX")
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# Distinct bundles for publishing (at most one per request); sealed records for uploads, which
# bodies.lua makes distinct per request (DISTINCT=1).
target/release/examples/bench_data "$work" $((dur * 9000)) 20000

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pg=${BENCH_POSTGRES:-host=/var/run/postgresql}
pg_db=""

run() { # name, then wrk arguments
  local name=$1; shift
  echo
  echo "=== $name ($dur s, $conns connections, 2 wrk threads)"
  wrk -t2 -c"$conns" -d"${dur}s" --latency "$@" | grep -E "Requests/sec|Latency|50%|99%|Non-2xx|Socket errors|requests in"
}

bench_store() { # redb | postgres
  local store=$1 env=()
  if [ "$store" = postgres ]; then
    pg_db="notify_bench_$$"
    psql "$pg dbname=postgres" -qc "DROP DATABASE IF EXISTS $pg_db" -c "CREATE DATABASE $pg_db"
    env=(ROCKET_STORE=postgres "ROCKET_DATABASE_URL=$pg dbname=$pg_db")
    echo
    echo "##### PostgreSQL store: $(psql "$pg dbname=$pg_db" -Atc 'SELECT version()' | cut -d' ' -f1-2)," \
      "$(psql "$pg dbname=$pg_db" -Atc "SELECT string_agg(name || '=' || setting, ', ') FROM pg_settings WHERE name IN ('shared_buffers','synchronous_commit','fsync','wal_sync_method','max_connections','commit_delay')")"
  else
    echo
    echo "##### redb store: $work/data-redb/store.redb"
  fi
  port=$(free_port)
  admin_port=$(free_port)
  env "${env[@]}" ROCKET_PORT=$port ROCKET_ADMIN_PORT=$admin_port ROCKET_ADDRESS=127.0.0.1 \
  ROCKET_DATA_DIR="$work/data-$store" ROCKET_TRUST_FILE="$work/trust.txt" ROCKET_LOG_LEVEL=off \
  ROCKET_VAULT_UPLOADS_PER_MINUTE=1000000000 ROCKET_PUBLISH_PER_MINUTE=1000000000 ROCKET_KEEP_ALIVE=30 \
    target/release/notify-server &
  server_pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  base="http://127.0.0.1:$port"
  admin="http://127.0.0.1:$admin_port"

  BODIES="$work/records.txt" DISTINCT=1 run "vault uploads, every record distinct, each acknowledged only after the fdatasync that covers it" -s notify-server/bench/bodies.lua "$base/v1/vault"
  BODIES="$work/bundles.txt" run "bundle publishing (verify, store, fsync)" -s notify-server/bench/bodies.lua "$base/v1/bundles"
  # Publications wrk left in flight still commit after it stops: wait until the last number
  # holds still, so that the steady-state poll really finds nothing new.
  last=""
  for _ in $(seq 60); do
    now_last=$(curl -fs "$admin/metrics" | awk '/^notify_last_sequence / { print $2 }')
    [ "$now_last" = "$last" ] && break
    last=$now_last
    sleep 0.5
  done
  run "sync reads, steady-state poll (GET /v1/bundles?after=LAST: nothing new)" "$base/v1/bundles?after=$last&limit=100"
  run "sync reads, catching up (GET /v1/bundles?after=0&limit=10: 10 bundles, 11 KB)" "$base/v1/bundles?after=0&limit=10"

  echo
  curl -fs "$admin/metrics" | grep -E "^notify_(bundles|vault_records)_stored|^notify_last_sequence"
  grep -E "VmHWM|VmRSS" "/proc/$server_pid/status" | sed 's/^/server /'
  curl -fs "$admin/metrics" | grep -E "^notify_store_flushes_total"
  if [ "$store" = postgres ]; then
    psql "$pg dbname=$pg_db" -Atc "SELECT 'database size: ' || pg_database_size(current_database()) || ' bytes'"
  else
    ls -l "$work/data-redb/store.redb" | awk '{ print "store file: " $5 " bytes" }'
  fi
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
}

cleanup_pg() { [ -z "$pg_db" ] || psql "$pg dbname=postgres" -qc "DROP DATABASE IF EXISTS $pg_db" || true; }
trap 'cleanup; cleanup_pg' EXIT
for store in ${STORES:-redb postgres}; do bench_store "$store"; done
