#!/usr/bin/env bash
# Benchmarks the bus against a raw ZeroMQ round trip of the same message
# size, measured in the same run: messages/s and p50/p99 latency through
# pacta-bus with 1 and 3 pacta-bus-counter instances (each message committed
# in Redis with dedup), plus the bus alone (instances that ACK without Redis).
# Builds what it needs (Release, in build-bench/) and starts its own
# redis-server and bus on free loopback ports. Prints a table and the ratios.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() {
  cat <<USAGE
Usage: scripts/bench-bus.sh [--size BYTES] [--count N] [--window W] [--latency N] [--no-install] [--help]

  --size BYTES   envelope size of every message (default 256)
  --count N      messages per throughput run (default 200000)
  --window W     messages in flight during throughput runs (default 2000)
  --latency N    one-at-a-time round trips for p50/p99 (default 10000)
  --entities K   entity keys the messages are spread over (default 10000)
  --no-install   do not apt-get missing packages (fail instead)

Targets (issue #3): the bus adds at most 3x over a raw ZeroMQ round trip,
and sustains at least 20,000 acknowledged messages/s with Redis-backed dedup.
USAGE
}

size=256 count=200000 window=2000 latency=10000 entities=10000 install=1
while [ $# -gt 0 ]; do
  case $1 in
    --size) size=$2; shift ;;
    --count) count=$2; shift ;;
    --window) window=$2; shift ;;
    --latency) latency=$2; shift ;;
    --entities) entities=$2; shift ;;
    --no-install) install=0 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; pacta_die "unknown argument: $1" ;;
  esac
  shift
done

[ $install = 1 ] && pacta_ensure_packages
build=${PACTA_BENCH_BUILD_DIR:-$PACTA_ROOT/build-bench}
pacta_say "building (Release) in $build"
mkdir -p "$build"
cmake -S "$PACTA_ROOT" -B "$build" -DCMAKE_BUILD_TYPE=Release -DPACTA_BUILD_TESTS=OFF >"$build/bench-configure.log" 2>&1 \
  || { cat "$build/bench-configure.log" >&2; pacta_die "cmake configure failed"; }
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target pacta-bus pacta-bus-counter pacta-bus-bench \
  >"$build/bench-build.log" 2>&1 || { tail -n 40 "$build/bench-build.log" >&2; pacta_die "build failed"; }
bin=$build/services/bus

work=$(mktemp -d "${TMPDIR:-/tmp}/pacta-bench.XXXXXX")
pids=()
stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
cleanup() { stop_all; pacta_stop_redis; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

load=$(cut -d' ' -f1-3 /proc/loadavg)
pacta_start_redis "$work/redis"
redis_url="unix://$PACTA_REDIS_SOCKET"
printf 'bench pacta.bench.Event\n' >"$work/routes.conf"

# value KEY LINE: the value of KEY=... in a pacta-bus-bench output line.
value() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }

# run_bus INSTANCES [counter options...]: bus + instances, one bench run.
run_bus() {
  # Runs in a $(...) subshell: its own trap stops what it started, even when
  # it dies half-way.
  trap stop_all EXIT
  local n=$1; shift
  "$bin/pacta-bus" --bus-frontend 'tcp://127.0.0.1:*' --bus-backend 'tcp://127.0.0.1:*' --http-addr 127.0.0.1:0 \
    --bus-routes "$work/routes.conf" --no-bus-builtin-routes --bus-pending-max 1000000 \
    >"$work/bus.log" 2>&1 &
  pids+=($!)
  local i frontend="" backend=""
  for i in $(seq 1 100); do
    frontend=$(grep -o '"frontend":"tcp://127.0.0.1:[0-9]*"' "$work/bus.log" | tail -n 1 | cut -d'"' -f4 || true)
    backend=$(grep -o '"backend":"tcp://127.0.0.1:[0-9]*"' "$work/bus.log" | tail -n 1 | cut -d'"' -f4 || true)
    [ -n "$frontend" ] && [ -n "$backend" ] && break
    sleep 0.05
  done
  [ -n "$frontend" ] || { cat "$work/bus.log" >&2; pacta_die "the bus did not start"; }
  for i in $(seq 1 "$n"); do
    "$bin/pacta-bus-counter" --bus-instance-url "$backend" --service-class bench --types pacta.bench.Event \
      --instance-id "bench-$i" --redis-url "$redis_url" --credit 2000 --batch 128 --log-level warn "$@" \
      >"$work/counter-$i.log" 2>&1 &
    pids+=($!)
  done
  # Wait until every instance answers (a message gets ACKed once all registered).
  sleep 0.3
  "$bin/pacta-bus-bench" bus --frontend "$frontend" --size "$size" --count "$count" --window "$window" \
    --latency "$latency" --entities "$entities" --type pacta.bench.Event --tenant "bench$n$RANDOM"
  stop_all
}

# Raw throughput is measured before each bus configuration (the median run is
# shown); raw latency is measured inside each bus run, one raw round trip
# after each bus round trip, so the p50 ratio compares the two under the same
# machine conditions (on a shared 2-core box they drift by 2x within minutes).
run_raw() { "$bin/pacta-bus-bench" raw --size "$size" --count "$count" --window "$window" --latency "$latency"; }
pacta_say "raw ZeroMQ round trip (DEALER -> ROUTER echo in another process, loopback TCP)"
raw1=$(run_raw)
pacta_say "bus, 1 instance, Redis dedup"
one=$(run_bus 1)
raw2=$(run_raw)
pacta_say "bus, 3 instances, Redis dedup"
three=$(run_bus 3)
raw3=$(run_raw)
pacta_say "bus, 1 instance, no Redis (the bus alone)"
alone=$(run_bus 1 --no-redis)
raw=$(for line in "$raw1" "$raw2" "$raw3"; do printf '%s %s\n' "$(value p50_us "$line")" "$line"; done \
  | sort -n | sed -n 2p | cut -d' ' -f2-)

# bus_line OUTPUT / raw_line OUTPUT: the two lines of one bus run (the bus's
# own figures, and the raw round trips interleaved one for one with its
# latency samples).
bus_line() { grep '^mode=bus ' <<<"$1"; }
raw_line() { grep '^mode=raw-interleaved ' <<<"$1"; }

row() {
  local name=$1 output=$2
  local line raw_here rate p50 p99 raw_p50 raw_rate
  line=$(bus_line "$output"); raw_here=$(raw_line "$output")
  rate=$(value msgs_per_s "$line"); p50=$(value p50_us "$line"); p99=$(value p99_us "$line")
  raw_p50=$(value p50_us "$raw_here"); raw_rate=$(value msgs_per_s "$raw")
  printf '%-34s %10s %8s %8s %12s %10s %12s\n' "$name" "$rate" "$p50" "$p99" "$raw_p50" \
    "$(awk -v a="$p50" -v b="$raw_p50" 'BEGIN { printf "%.2fx", a / b }')" \
    "$(awk -v a="$raw_rate" -v b="$rate" 'BEGIN { printf "%.1fx", a / b }')"
}

echo
echo "Envelope size $size bytes; latency = one message at a time ($latency samples);"
echo "throughput = $count messages with $window in flight over $entities entities. Loopback TCP, $(nproc) cores,"
echo "load average before the run: $load. 'raw p50' is measured interleaved with each bus run's own"
echo "latency samples (one raw round trip after each bus round trip), so p50/raw compares like with like."
echo
printf '%-34s %10s %8s %8s %12s %10s %12s\n' "path" "msgs/s" "p50 us" "p99 us" "raw p50 us" "p50/raw" "raw/bus rate"
printf '%-34s %10s %8s %8s %12s %10s %12s\n' "raw ZeroMQ round trip" "$(value msgs_per_s "$raw")" \
  "$(value p50_us "$raw")" "$(value p99_us "$raw")" "$(value p50_us "$raw")" "1.00x" "1.0x"
row "bus, 1 instance, Redis dedup" "$one"
row "bus, 3 instances, Redis dedup" "$three"
row "bus, 1 instance, no Redis" "$alone"
echo
best=$(printf '%s\n%s\n' "$(value msgs_per_s "$(bus_line "$one")")" "$(value msgs_per_s "$(bus_line "$three")")" \
  | sort -n | tail -n 1)
awk -v r="$best" 'BEGIN { printf "Acknowledged messages/s with Redis dedup (best): %d (target >= 20000): %s\n", r, (r >= 20000 ? "met" : "NOT met") }'
awk -v a="$(value p50_us "$(bus_line "$alone")")" -v b="$(value p50_us "$(raw_line "$alone")")" \
  'BEGIN { printf "Latency through the bus vs a raw round trip (p50, bus alone): %.2fx (target <= 3x): %s\n", a / b, (a / b <= 3 ? "met" : "NOT met") }'
awk -v a="$(value p50_us "$(bus_line "$one")")" -v b="$(value p50_us "$(raw_line "$one")")" \
  'BEGIN { printf "Latency with the Redis commit included (p50, 1 instance): %.2fx\n", a / b }'
