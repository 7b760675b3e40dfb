#!/usr/bin/env bash
# End-to-end benchmark of issue 5: N CapConnect contracts driven through a
# year (signature and first invoice; anniversary invoices issued by
# invoicing (CC-3a); on-time payments; every K-th contract unpaid at its due
# date, suspended (CC-3b), paying late, restored (CC-3c) with the period
# recorded as lost (CC-3d)) through the real stack -- redis-server,
# pacta-bus and the five services on free loopback ports, on a test clock --
# by tests/i5c/bench_year.c (pacta-bench-year).
#
# Prints events/s end to end, p50/p99 from a late payment's ACK to its
# restoration decision (the CC-3c audit entry), Redis memory per contract
# (INFO memory before/after), and redis-benchmark's EVALSHA rate for a Lua
# script doing comparable work (tests/i5c/bench_effect.lua) on the same
# redis-server in the same run, with the ratio.
#
# Builds what it needs (Release, in build-bench-year/ unless --build-dir) and
# stops everything it started. Too slow for CTest at full size; CTest runs
# the smoke size (--contracts 50 --months 2) so the script cannot rot.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() {
  cat <<USAGE
Usage: scripts/bench.sh [--contracts N] [--months M] [--late-every K] [--window W]
                        [--instances I] [--benchmark-requests R] [--build-dir DIR] [--no-build] [--no-install] [--help]

  --contracts N           contracts driven through the year (default 10000)
  --months M              months of the year, 1..12 (default 12)
  --late-every K          every K-th contract pays late and is suspended each month (default 10)
  --window W              events in flight (default 1000)
  --instances I           instances of contracts, invoicing and enforcement each (default 1,
                          the topology of the figures in the closing note; 2 overlaps their
                          Redis round trips, which pays only when the cores are not busy)
  --benchmark-requests R  redis-benchmark EVALSHA requests (default 200000)
  --build-dir DIR         build directory (default build-bench-year, Release)
  --no-build              use the binaries already in --build-dir
  --no-install            do not apt-get missing packages (fail instead)
  --verbose               time every phase of the year on stderr

Target (issue #5): at least 5,000 events/s end to end on a 2-core machine.
USAGE
}

contracts=10000 months=12 late_every=10 window=1000 instances=1 requests=200000 build="" do_build=1 install=1 verbose=()
while [ $# -gt 0 ]; do
  case $1 in
    --contracts) contracts=$2; shift ;;
    --months) months=$2; shift ;;
    --late-every) late_every=$2; shift ;;
    --window) window=$2; shift ;;
    --instances) instances=$2; shift ;;
    --benchmark-requests) requests=$2; shift ;;
    --build-dir) build=$2; shift ;;
    --no-build) do_build=0 ;;
    --no-install) install=0 ;;
    --verbose) verbose=(--verbose) ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; pacta_die "unknown argument: $1" ;;
  esac
  shift
done

[ $install = 1 ] && pacta_ensure_packages
build=${build:-$PACTA_ROOT/build-bench-year}
targets=(pacta-bus pacta-contracts pacta-invoicing pacta-enforcement pacta-notifications pacta-gdpr-retention
  pacta-bench-year)
if [ $do_build = 1 ]; then
  pacta_say "building (Release) in $build"
  mkdir -p "$build"
  cmake -S "$PACTA_ROOT" -B "$build" -DCMAKE_BUILD_TYPE=Release >"$build/bench-configure.log" 2>&1 \
    || { cat "$build/bench-configure.log" >&2; pacta_die "cmake configure failed"; }
  cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target "${targets[@]}" >"$build/bench-build.log" 2>&1 \
    || { tail -n 40 "$build/bench-build.log" >&2; pacta_die "build failed"; }
fi
driver=$build/tests/pacta-bench-year
[ -x "$driver" ] || pacta_die "$driver is missing (build it, or drop --no-build)"
command -v redis-benchmark >/dev/null || pacta_die "redis-benchmark is missing (Debian package redis-tools)"

work=$(mktemp -d "${TMPDIR:-/tmp}/pacta-bench-year.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pacta_stop_redis
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

load=$(cut -d' ' -f1-3 /proc/loadavg)
pacta_start_redis "$work/redis"
redis_url="unix://$PACTA_REDIS_SOCKET"

# The bus on fresh loopback ports; its log says which.
"$build/services/bus/pacta-bus" --bus-frontend='tcp://127.0.0.1:*' --bus-backend='tcp://127.0.0.1:*' \
  --http-addr=127.0.0.1:0 >"$work/bus.log" 2>&1 &
pids+=($!)
frontend="" backend=""
for _ in $(seq 1 100); do
  frontend=$(grep -o '"frontend":"tcp://127.0.0.1:[0-9]*"' "$work/bus.log" | tail -n 1 | cut -d'"' -f4 || true)
  backend=$(grep -o '"backend":"tcp://127.0.0.1:[0-9]*"' "$work/bus.log" | tail -n 1 | cut -d'"' -f4 || true)
  [ -n "$frontend" ] && [ -n "$backend" ] && break
  sleep 0.05
done
[ -n "$frontend" ] || { cat "$work/bus.log" >&2; pacta_die "the bus did not start"; }

[[ $instances =~ ^[1-9][0-9]?$ ]] || pacta_die "--instances must be 1..99"
# The three services every event goes through run --instances times each
# (as `docker compose up --scale` would); notifications and gdpr-retention once.
for svc in contracts invoicing enforcement notifications gdpr-retention; do
  count=1
  case $svc in contracts|invoicing|enforcement) count=$instances ;; esac
  for n in $(seq 1 "$count"); do
    env -i PATH="$PATH" PACTA_REDIS_URL="$redis_url" PACTA_PROFILE_DIR="$PACTA_ROOT/deploy/profiles" \
      PACTA_BUS_URL="$frontend" PACTA_BUS_INSTANCE_URL="$backend" PACTA_CLOCK=test PACTA_HTTP_ADDR=127.0.0.1:0 \
      PACTA_INSTANCE_ID="bench-$svc-$n" PACTA_LOG_LEVEL=warn "$build/services/$svc/pacta-$svc" \
      >"$work/$svc-$n.log" 2>&1 &
    pids+=($!)
  done
done

pacta_say "driving $contracts contracts through $months month(s) (every ${late_every}th pays late)"
set +e
year=$("$driver" --bus-url "$frontend" --redis-url "$redis_url" --contracts "$contracts" --months "$months" \
  --late-every "$late_every" --window "$window" --workdir "$work" "${verbose[@]}")
driver_rc=$?
set -e
if [ $driver_rc -ne 0 ]; then
  printf '%s\n' "$year" >&2
  for svc in contracts invoicing enforcement; do tail -n 5 "$work/$svc-1.log" >&2; done
  pacta_die "pacta-bench-year failed (exit $driver_rc)"
fi

# The yardstick, on the same redis-server, after the run (its keys are its own).
sha=$(redis-cli -s "$PACTA_REDIS_SOCKET" SCRIPT LOAD "$(cat "$PACTA_ROOT/tests/i5c/bench_effect.lua")")
doc='{"contract_id":"b1","state":"active","fee_cents":30000,"start_on":"2025-01-01","suspension":null}'
envelope=$(head -c 300 /dev/zero | tr '\0' 'x')
raw=$(redis-benchmark -s "$PACTA_REDIS_SOCKET" -n "$requests" -c 50 -r 100000 -q \
  EVALSHA "$sha" 4 '{rb:__rand_int__}:doc' '{rb:__rand_int__}:audit' '{rb:__rand_int__}:seen' \
  '{rb:__rand_int__}:outbox' 'm:__rand_int__' "$doc" "$envelope" 2>/dev/null | tr '\r' '\n' | grep 'requests per second' \
  | tail -n 1)
raw_rate=$(grep -o '[0-9.]* requests per second' <<<"$raw" | cut -d' ' -f1)
[ -n "$raw_rate" ] || pacta_die "redis-benchmark gave no figure: $raw"

value() { sed -n "s/^\(.* \)\{0,1\}$1=\([^ ]*\).*/\2/p" <<<"$year" | head -n 1; }
rate=$(value events_per_s)
echo
echo "Pacta end to end: $(value contracts) contracts, $(value months) month(s), every ${late_every}th contract late;"
echo "$(nproc) cores, load average before the run: $load; window $window events in flight;"
echo "$instances instance(s) each of contracts, invoicing and enforcement."
echo
printf '%-46s %s\n' "events sent (signatures, invoices, payments)" "$(value events)"
printf '%-46s %s\n' "  of which invoices the driver had to send" "$(value invoices_sent_by_driver) beyond January's"
printf '%-46s %s s\n' "elapsed (sends + every settle)" "$(value elapsed_s)"
printf '%-46s %s\n' "events/s end to end" "$rate"
printf '%-46s %s\n' "audit entries written (/s)" "$(value audit_entries) ($(value audit_per_s)/s)"
printf '%-46s %s / %s / %s (expected %s each)\n' "CC-3b suspensions / CC-3c / CC-3d" "$(value suspensions)" \
  "$(value restorations)" "$(value lost_periods)" "$(value expected_each)"
printf '%-46s p50 %s ms, p99 %s ms, max %s ms (%s samples)\n' "late payment ACK -> CC-3c audit entry" \
  "$(value p50_ms)" "$(value p99_ms)" "$(value max_ms)" "$(value latency_samples)"
printf '%-46s %s bytes (%s -> %s)\n' "Redis memory per contract" "$(value bytes_per_contract)" \
  "$(value memory_before)" "$(value memory_after)"
printf '%-46s %s/s (%s requests, 50 clients)\n' "redis-benchmark EVALSHA, comparable script" "$raw_rate" "$requests"
awk -v raw="$raw_rate" -v e2e="$rate" 'BEGIN { printf "%-46s %.1fx\n", "raw script rate / end-to-end events rate", raw / e2e }'
awk -v r="$rate" 'BEGIN { printf "Target >= 5000 events/s end to end: %s\n", (r >= 5000 ? "met" : "NOT met") }'
