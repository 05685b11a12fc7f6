#!/usr/bin/env bash
# Runs exactly the README's quickstart (the sh block between the quickstart markers), then
# checks that the story came out as the README says: Alice alerted, her contact opened.
set -euo pipefail
cd "$(dirname "$0")/.."
script=$(awk '/<!-- quickstart:begin -->/{on=1; next} /<!-- quickstart:end -->/{on=0} on && !/^```/' README.md)
[ -n "$script" ] || { echo "no quickstart block in README.md" >&2; exit 1; }
# Stops only the server the quickstart started: the PID it wrote, and only while that PID is
# still this checkout's notify-server (never another one on the machine).
bin="$(realpath "${CARGO_TARGET_DIR:-target}")/release"
cleanup() {
  local pid
  pid=$(cat demo/server.pid 2>/dev/null || true)
  if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$bin/notify-server" ]; then
    kill "$pid" 2>/dev/null || true
  fi
  rm -rf demo
}
trap cleanup EXIT
bash -euo pipefail -c "$script" | tee /tmp/quickstart.out
grep -q "ALERT (high risk): you were at The Crown" /tmp/quickstart.out
grep -q "^Alice Example,+44 7700 900001,,1," demo/contacts.csv
echo "quickstart: ran every command of README.md; Alice was alerted and her consented contact opened"
