# Shared by scripts/test.sh and scripts/run.sh: package installation, the
# build, and a throwaway redis-server. Sourced, never run on its own.

PACTA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

pacta_say() { printf '==> %s\n' "$*" >&2; }
pacta_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs whatever deploy/packages.txt lists and dpkg does not have yet.
# Runs `apt-get update` first, as a fresh machine's package lists are empty.
pacta_ensure_packages() {
  local wanted=() missing=() pkg
  mapfile -t wanted < <(grep -Ev '^[[:space:]]*(#|$)' "$PACTA_ROOT/deploy/packages.txt")
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  pacta_say "installing ${#missing[@]} Debian packages: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || pacta_die "missing packages (${missing[*]}) and not root: run as root or install sudo"
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    || pacta_die "apt-get update failed"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || pacta_die "apt-get install failed for: ${missing[*]}"
}

# pacta_build BUILD_DIR [extra cmake args...]
pacta_build() {
  local dir=$1; shift
  local jobs; jobs=$(nproc 2>/dev/null || echo 2)
  mkdir -p "$dir"
  cmake -S "$PACTA_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >"$dir/configure.log" 2>&1 \
    || { cat "$dir/configure.log" >&2; pacta_die "cmake configure failed (log above)"; }
  cmake --build "$dir" -j "$jobs" || pacta_die "build failed"
}

# A free TCP port on 127.0.0.1, picked by the kernel.
pacta_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# pacta_start_redis DIR: starts a redis-server bound to loopback only, with a
# unix socket in DIR and a free TCP port, no persistence unless PACTA_REDIS_PERSIST=1.
# Sets PACTA_REDIS_SOCKET, PACTA_REDIS_PORT and PACTA_REDIS_PID.
pacta_start_redis() {
  local dir=$1 persist=(--save '' --appendonly no)
  mkdir -p "$dir"
  [ "${PACTA_REDIS_PERSIST:-0}" = 1 ] && persist=(--appendonly yes --appendfsync everysec)
  PACTA_REDIS_SOCKET=$dir/redis.sock
  PACTA_REDIS_PORT=$(pacta_free_port)
  redis-server --bind 127.0.0.1 --port "$PACTA_REDIS_PORT" --unixsocket "$PACTA_REDIS_SOCKET" \
    --unixsocketperm 700 --dir "$dir" --daemonize no --logfile "$dir/redis.log" "${persist[@]}" &
  PACTA_REDIS_PID=$!
  local i
  for i in $(seq 1 100); do
    redis-cli -s "$PACTA_REDIS_SOCKET" ping >/dev/null 2>&1 && return 0
    kill -0 "$PACTA_REDIS_PID" 2>/dev/null || { cat "$dir/redis.log" >&2; pacta_die "redis-server did not start"; }
    sleep 0.1
  done
  pacta_die "redis-server did not answer within 10 s (log: $dir/redis.log)"
}

pacta_stop_redis() {
  [ -n "${PACTA_REDIS_PID:-}" ] || return 0
  if kill -0 "$PACTA_REDIS_PID" 2>/dev/null; then
    redis-cli -s "$PACTA_REDIS_SOCKET" shutdown nosave >/dev/null 2>&1 || kill "$PACTA_REDIS_PID" 2>/dev/null
    wait "$PACTA_REDIS_PID" 2>/dev/null
  fi
  PACTA_REDIS_PID=
}
