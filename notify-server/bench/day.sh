#!/usr/bin/env bash
# What a phone downloads per day: one day of notices (NOTICES venue notices, 3-hour windows,
# PER_BUNDLE notices per bundle, MESSAGE as their text, the bundles taking turns among TRACERS
# tracers) published into the 24 closed hours of a fresh release notify-server, then fetched
# as a phone fetches them (GET /v1/batches/{hour} for each hour, with curl), counting the
# bytes of every answer, body and headers: once as a browser asks (Accept-Encoding: gzip,
# what the phone client does) and once without compression. Not a test: numbers go into
# BENCHMARKS.md by hand, with the machine they came from.
#
#   bash notify-server/bench/day.sh [NOTICES] [PER_BUNDLE] [MESSAGE] [TRACERS]
#
# Stops only what it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
notices=${1:-2000}
per_bundle=${2:-1}
message=${3:-}
tracers=${4:-1}

cargo build --release -q -p notify-server --bin notify-server --example bench_day
work=$(mktemp -d "${TMPDIR:-/tmp}/day-bench.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

first=$(target/release/examples/bench_day "$work" "$notices" "$per_bundle" "$message" "$tracers")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
env ROCKET_PORT=$port ROCKET_ADMIN_ENABLED=false ROCKET_ADDRESS=127.0.0.1 ROCKET_DATA_DIR="$work/data" \
  ROCKET_TRUST_FILE="$work/trust.txt" ROCKET_LOG_LEVEL=off target/release/notify-server &
pids+=($!)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

body=0 headers=0 bundles=0 gzbody=0 gzheaders=0
for h in $(seq "$first" $((first + 23))); do
  read -r b hd < <(curl -fs -o "$work/batch" -w '%{size_download} %{size_header}\n' \
    "http://127.0.0.1:$port/v1/batches/$h")
  body=$((body + b)) headers=$((headers + hd))
  # The batch's count field: bytes 9..12 (version u8, hour u64, count u32).
  n=$(od -An -tu1 -j9 -N4 "$work/batch" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}')
  bundles=$((bundles + n))
  # As a browser asks; --compressed also checks that the gzip body unpacks to the same batch.
  read -r b hd < <(curl -fs --compressed -o "$work/batch.gz" -w '%{size_download} %{size_header}\n' \
    "http://127.0.0.1:$port/v1/batches/$h")
  cmp -s "$work/batch" "$work/batch.gz" || { echo "hour $h: the gzip answer differs" >&2; exit 1; }
  gzbody=$((gzbody + b)) gzheaders=$((gzheaders + hd))
done
echo "one day: $notices notices (3-hour windows), $per_bundle per bundle, message of ${#message} bytes, $tracers tracers"
echo "bundles: $bundles"
echo "uncompressed: bodies $body bytes, headers $headers bytes; per phone per day $((body + headers)) bytes, per notice $(( (body + headers) / notices ))"
echo "gzip (as phones ask): bodies $gzbody bytes, headers $gzheaders bytes; per phone per day $((gzbody + gzheaders)) bytes, per notice $(( (gzbody + gzheaders) / notices ))"
