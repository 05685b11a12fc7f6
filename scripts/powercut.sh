#!/usr/bin/env bash
# The long power-cut runs: TRIALS simulated power cuts (default 20) for each durable writer —
# the notify-server's store under upload, publication and query load; the citizen's diary
# mid-scan and mid-check-out; the tools' key files, posters and case files — each on a
# throw-away ext4 file system on a loop device, shut down with EXT4_IOC_SHUTDOWN without
# committing its journal (tests/src/powercut.rs). After every cut, everything acknowledged
# must be there and every store must open.
#
#   sudo bash scripts/powercut.sh [TRIALS]
#
# `cargo test` (and so .ci/run) runs 3 cuts of each. A failure prints its seed; replay it with
# POWERCUT_SEED=<seed>. Needs root and loop devices; says so and fails without them.
set -uo pipefail
cd "$(dirname "$0")/.."
export POWERCUT_TRIALS=${1:-20}
export POWERCUT_REQUIRED=1
status=0
run() {
    local name=$1
    shift
    local log
    log=$(mktemp)
    local start=$SECONDS
    if "$@" -- --nocapture --test-threads 1 >"$log" 2>&1; then
        grep -E "power cuts" "$log"
        echo "  ($name: $((SECONDS - start)) s)"
    else
        echo "$name power cuts FAILED:"
        grep -vE "^ +[0-9]+: |^ +at " "$log" | tail -30
        status=1
    fi
    rm -f "$log"
}
run server cargo test -q -p notify-server --test powercut
run tools cargo test -q -p tests --test powercut
exit $status
