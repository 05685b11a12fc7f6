#!/usr/bin/env bash
# A new phone's first sync of the whole window (spec section 12.3): the requests it makes and
# the bytes they cost, headers and bodies apart, against a fresh release notify-server holding
# DAYS days (default 14) of NOTICES venue notices a day (bench_day). Two ways, with curl on one
# kept-alive connection, as a browser asks (Accept-Encoding: gzip):
#   hours: the revocation list and every hour of the window (the sync before day files);
#   days:  the revocation list, each closed day whose last hour is in the window as a day file,
#          the other hours one by one (sync_plan for a diary that holds nothing).
# SERVER_BIN runs another build of the server (an older one answers only the hours). Not a test:
# numbers go into BENCHMARKS.md by hand, with the machine they came from.
#
#   bash notify-server/bench/first_sync.sh [NOTICES] [PER_BUNDLE] [DAYS]
#
# Stops only what it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
notices=${1:-2000}
per_bundle=${2:-1}
days=${3:-14}
server_bin=${SERVER_BIN:-target/release/notify-server}

cargo build --release -q -p notify-server --bin notify-server --example bench_day
work=$(mktemp -d "${TMPDIR:-/tmp}/first-sync.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

target/release/examples/bench_day "$work" "$notices" "$per_bundle" "" 1 "$days" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
env ROCKET_PORT=$port ROCKET_ADMIN_ENABLED=false ROCKET_ADDRESS=127.0.0.1 ROCKET_DATA_DIR="$work/data" \
  ROCKET_TRUST_FILE="$work/trust.txt" ROCKET_LOG_LEVEL=off "$server_bin" &
pids+=($!)
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done

now=$(date +%s)
python3 - "$now" "$base" "$work" <<'PY'
import sys
now, base, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
last = now // 3600
first = max(0, last - 360)
closed = lambda h: now >= (h + 1) * 3600 + 120
hours = [f"/v1/batches/{h}" for h in range(first, last + 1)]
days = []
for d in range(first // 24, last // 24 + 1):
    lo, hi = max(d * 24, first), min(d * 24 + 23, last)
    if closed(d * 24 + 23):
        days.append(f"/v1/days/{d}")
    else:
        days += [f"/v1/batches/{h}" for h in range(lo, hi + 1)]
for name, paths in (("hours", hours), ("days", days)):
    with open(f"{work}/{name}.curl", "w") as f:
        for p in ["/v1/revocations"] + paths:
            f.write(f'url = "{base}{p}"\noutput = "/dev/null"\n')
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$notices notices a day, $per_bundle a bundle, $days days; server: $server_bin"
for way in hours days; do
  curl -s --compressed -K "$work/$way.curl" -w '%{http_code} %{size_header} %{size_download}\n' >"$work/$way.out"
  awk -v way="$way" '{n++; h+=$2; b+=$3; s[$1]++} END {
    printf "%s: %d requests (", way, n; for (k in s) printf "%s×%d ", k, s[k];
    printf "), headers %d bytes, bodies %d bytes, total %d, headers %.1f%%\n", h, b, h+b, 100*h/(h+b) }' "$work/$way.out"
done
