#!/usr/bin/env bash
# The long crash loops: SIGKILL the notify-server (mid-upload, mid-publication, mid-purge)
# and the checkin client (mid-scan, mid-sync) ITERATIONS times each (default 100), checking
# after every kill that the store opens, is consistent and keeps everything acknowledged.
#
#   bash scripts/crash-loops.sh [ITERATIONS]
#
# With NOTIFY_TEST_POSTGRES set (a PostgreSQL server, such as host=/var/run/postgresql), the
# server's loop runs a second time on a PostgreSQL store.
#
# `cargo test` runs the same loops 10 times each. A failure prints its seed; replay it with
# CRASH_SEED=<seed>. A client diary that fails a check is kept in target/tmp/crash-evidence/.
set -uo pipefail
cd "$(dirname "$0")/.."
export CRASH_ITERATIONS=${1:-100}
status=0
run() {
    local name=$1
    shift
    local log
    log=$(mktemp)
    if "$@" -- --nocapture >"$log" 2>&1; then
        grep -E "crash loop" "$log"
    else
        echo "$name crash loop FAILED:"
        grep -vE "^ +[0-9]+: |^ +at " "$log" | tail -30
        status=1
    fi
    rm -f "$log"
}
NOTIFY_TEST_POSTGRES= run server cargo test -q -p notify-server --test process crash_loop
if [ -n "${NOTIFY_TEST_POSTGRES:-}" ]; then
    run server-postgres cargo test -q -p notify-server --test process crash_loop
fi
run client cargo test -q -p tests --test checkin_crash
exit $status
