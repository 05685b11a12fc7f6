#!/usr/bin/env bash
# Checks the packaging as far as a machine without a container daemon or a running systemd
# allows: the systemd unit passes `systemd-analyze verify` with no complaint, and the server
# starts, answers and stops cleanly with exactly the settings the unit and the container image
# give it (their paths moved under a temporary directory). Where a container daemon answers,
# the image is built and run too.
# Usage: bash deploy/check.sh   (after `cargo build --release -p notify-server -p tracer`;
# BIN_DIR names another directory holding the two binaries)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${BIN_DIR:-$(realpath "${CARGO_TARGET_DIR:-target}")/release}"
work=$(mktemp -d)
server=""
cleanup() {
  # Only the server this script started, by its PID.
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# An authority to pin: three officers, two of whom must approve together.
for o in 1 2 3; do "$bin/tracer" authority officer-init --out "$work/officer$o" > /dev/null; done
"$bin/tracer" authority init --out "$work/authority" --name "Packaging Check" \
  --officer "$work/officer1/officer.pub" --officer "$work/officer2/officer.pub" \
  --officer "$work/officer3/officer.pub" --threshold 2 > /dev/null

# 1. The unit, with ExecStart at the built binary.
sed "s#^ExecStart=.*#ExecStart=$bin/notify-server#" deploy/notify-server.service > "$work/notify-server.service"
said=$(systemd-analyze verify "$work/notify-server.service" 2>&1 || true)
[ -z "$said" ] || { echo "systemd-analyze verify: $said" >&2; exit 1; }
echo "deploy/notify-server.service: systemd-analyze verify has nothing to say"

# Starts the server with the ROCKET_* settings of `lines` (KEY=VALUE), /var/lib/notify-server
# and /etc/notify-server moved under $work/$1, in the working directory the package uses.
run_with() {
  local name=$1 lines=$2
  local root="$work/$name" port admin
  mkdir -p "$root/var/lib/notify-server" "$root/etc/notify-server"
  chmod 0700 "$root/var/lib/notify-server"
  cp "$work/authority/trust.txt" "$root/etc/notify-server/trust.txt"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  admin=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local env=(env -i PATH=/usr/bin:/bin)
  while IFS= read -r kv; do
    [ -n "$kv" ] || continue
    kv=${kv//\/var\/lib\/notify-server/$root\/var\/lib\/notify-server}
    kv=${kv//\/etc\/notify-server/$root\/etc\/notify-server}
    case "$kv" in
      ROCKET_PORT=*) kv="ROCKET_PORT=$port" ;;
      ROCKET_ADDRESS=*) kv="ROCKET_ADDRESS=127.0.0.1" ;;
      ROCKET_ADMIN_ADDRESS=*) kv="ROCKET_ADMIN_ADDRESS=127.0.0.1" ;;
    esac
    env+=("$kv")
  done <<< "$lines"
  env+=("ROCKET_ADMIN_PORT=$admin")
  (cd "$root/etc/notify-server" && exec "${env[@]}" "$bin/notify-server") > "$root/log" 2>&1 &
  server=$!
  local up=""
  for _ in $(seq 150); do
    if curl -fs "http://127.0.0.1:$port/readyz" > /dev/null 2>&1; then up=yes; break; fi
    sleep 0.2
  done
  [ -n "$up" ] || { cat "$root/log" >&2; echo "$name: the server did not become ready" >&2; exit 1; }
  curl -fs "http://127.0.0.1:$port/v1/trust" | grep -q '"Packaging Check"'
  curl -fs "http://127.0.0.1:$admin/metrics" | grep -q '^notify_store_up 1$'
  [ -f "$root/var/lib/notify-server/store.redb" ] || { echo "$name: no store in the state directory" >&2; exit 1; }
  if grep -q "DEVELOPMENT AUTHORITY" "$root/log"; then echo "$name: a development authority was made" >&2; exit 1; fi
  kill -TERM "$server"
  wait "$server" || { cat "$root/log" >&2; echo "$name: the server did not stop cleanly" >&2; exit 1; }
  server=""
  # Without the trust file, the packaged settings refuse to start.
  rm "$root/etc/notify-server/trust.txt"
  if (cd "$root/etc/notify-server" && "${env[@]}" "$bin/notify-server") > "$root/log2" 2>&1; then
    echo "$name: started without its trust file" >&2; exit 1
  fi
  echo "$name: started with the packaged settings, served the pinned authority, stopped cleanly; refused to start without the trust file"
}

# 2. The unit's settings.
run_with unit "$(sed -n 's/^Environment=//p' deploy/notify-server.service)"
# 3. The container image's settings.
run_with image "$(sed -n 's/^ENV \([A-Z_]*\)=\(.*\)$/\1=\2/p' deploy/Containerfile)"

# 4. The image itself, where a container daemon answers (none does on CI's machine).
if docker info > /dev/null 2>&1; then
  docker build -q -f deploy/Containerfile -t notify-server-check . > /dev/null
  echo "deploy/Containerfile: built"
else
  echo "deploy/Containerfile: no container daemon here, so the image was not built (its settings were run above)"
fi
