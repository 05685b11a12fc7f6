#!/usr/bin/env bash
# The phone's wake-up benchmark: the time from a service-worker wake-up with no page of the
# app open (a push delivered with the DevTools protocol's ServiceWorker.deliverPushMessage, a
# periodic sync with ServiceWorker.dispatchPeriodicSyncEvent) to the alert's notification
# shown, in Debian's Chromium, at the audit's scale, against the release notify-server on a
# loopback port:
#
#   - the store: 14 days of hour batches holding 2,000 venue notices a day, one notice per
#     bundle (a case of one venue: the most bundles, the most signatures), 3-hour windows,
#     each approved by its venue, a 46-byte message, bundles taking turns among 10 tracers
#     with 40-byte names (notify-server's bench_day example, the same filler as bench/day.sh);
#   - the phone: 3 visits a day for the 14 days at a dozen venues, one of which a notice
#     matches (also made by bench_day);
#   - two cases: the first wake-up after install (every hour of the 14 days to fetch) and a
#     wake-up with one new hour to fetch (the hour holding the matching notice);
#   - then the same work timed by part (open, fetch, decode, verify, match, save) in a page of
#     the same origin with the same modules (web/bench/phone.ts).
#
# Not a test, and not part of the test suite: numbers go into BENCHMARKS.md by hand, with the
# machine's load (`uptime`) beside them.
#
#   bash web/bench/wake.sh [RUNS]        (default 3 runs of each wake-up and case)
#
# Needs web/node_modules (npm ci in web/) and Chromium at /usr/bin/chromium (or CHROMIUM).
# Stops only what it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}

cargo build --release -q -p notify-server --bin notify-server --example bench_day
work=$(mktemp -d "${TMPDIR:-/tmp}/wake-bench.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

target/release/examples/bench_day "$work" 2000 1 "You may have been exposed. Please book a test." 10 14 3 >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
env ROCKET_PORT=$port ROCKET_ADMIN_ENABLED=false ROCKET_ADDRESS=127.0.0.1 ROCKET_DATA_DIR="$work/data" \
  ROCKET_TRUST_FILE="$work/trust.txt" ROCKET_LOG_LEVEL=off target/release/notify-server &
pids+=($!)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

echo "uptime before: $(uptime)"
(cd web && SERVER="http://127.0.0.1:$port" PHONE="$work/phone.json" TRUST="$work/trust.txt" RUNS="$runs" \
  node bench/wake.mjs)
echo "uptime after: $(uptime)"
