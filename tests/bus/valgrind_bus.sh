#!/usr/bin/env bash
# The bus under valgrind over a start / traffic / SIGTERM cycle: pacta-bus
# runs under memcheck with a pacta-bus-counter instance (also under
# memcheck), the minimal producer sends events (ACK, duplicate, refusals), the
# bench tool sends a burst, raw garbage hits both sockets, the instance is
# stopped and the bus gets SIGTERM. Fails on any memory error, any definite
# or indirect leak, or an exit code other than 0.
# Usage: valgrind_bus.sh BUS COUNTER PRODUCER BENCH   (run by CTest)
set -uo pipefail
bus=$1 counter=$2 producer=$3 bench=$4
[ -n "${PACTA_TEST_REDIS_URL:-}" ] || { echo "PACTA_TEST_REDIS_URL is not set: run through scripts/test.sh" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/pacta-valgrind-bus.XXXXXX")
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
vg=(valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99)

printf 'vg-counter pacta.v1.FirstUseRecorded pacta.bench.Event\n' >"$work/routes.conf"
"${vg[@]}" --log-file="$work/bus.valgrind" "$bus" --bus-frontend 'tcp://127.0.0.1:*' --bus-backend 'tcp://127.0.0.1:*' \
  --http-addr 127.0.0.1:0 --bus-routes "$work/routes.conf" >"$work/bus.log" 2>&1 &
bus_pid=$!; pids+=($bus_pid)
frontend="" backend=""
for _ in $(seq 1 600); do
  frontend=$(grep -o '"frontend":"tcp://127.0.0.1:[0-9]*"' "$work/bus.log" | tail -n 1 | cut -d'"' -f4)
  backend=$(grep -o '"backend":"tcp://127.0.0.1:[0-9]*"' "$work/bus.log" | tail -n 1 | cut -d'"' -f4)
  [ -n "$frontend" ] && [ -n "$backend" ] && break
  sleep 0.1
done
[ -n "$frontend" ] || { echo "FAIL: the bus did not start under valgrind"; cat "$work/bus.log"; exit 1; }

"${vg[@]}" --log-file="$work/counter.valgrind" "$counter" --bus-instance-url "$backend" --service-class vg-counter \
  --types pacta.v1.FirstUseRecorded,pacta.bench.Event --instance-id vg-1 --redis-url "$PACTA_TEST_REDIS_URL" \
  >"$work/counter.log" 2>&1 &
counter_pid=$!; pids+=($counter_pid)
for _ in $(seq 1 600); do
  grep -q '"msg":"instance registered"' "$work/bus.log" && break
  sleep 0.1
done
grep -q '"msg":"instance registered"' "$work/bus.log" || { echo "FAIL: the instance did not register"; cat "$work/counter.log"; exit 1; }

failures=0
tenant="vg$$"
"$producer" --destination vg-counter "$frontend" "$tenant" C-1 2025-02-01 | grep -q '^ACK' || { echo "FAIL: no ACK"; failures=$((failures + 1)); }
"$producer" --destination vg-counter "$frontend" "$tenant" C-1 2025-02-01 | grep -q '^ACK .*duplicate' || { echo "FAIL: no duplicate ACK"; failures=$((failures + 1)); }
refused=$("$producer" --destination nobody "$frontend" "$tenant" C-1 2025-02-01 || true)   # exit 1 on NACK
grep -q '^NACK' <<<"$refused" || { echo "FAIL: no NACK: $refused"; failures=$((failures + 1)); }
"$bench" bus --frontend "$frontend" --count 2000 --window 100 --latency 200 --type pacta.bench.Event --tenant "$tenant" \
  >"$work/bench.log" 2>&1 || { echo "FAIL: bench burst"; cat "$work/bench.log"; failures=$((failures + 1)); }
python3 - "$frontend" "$backend" <<'PY' || { echo "FAIL: garbage"; failures=$((failures + 1)); }
import socket, sys
# ZMTP greeting then junk, and plain junk: both sockets must survive it.
for endpoint in sys.argv[1:]:
    host, port = endpoint[len("tcp://"):].rsplit(":", 1)
    for junk in (b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x03" + b"\x00" + b"NULL" + b"\x00" * 16 + b"\x00" * 32 + b"\x04\x29\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER" + b"\x01\x05junk!" * 50,
                 b"GET / HTTP/1.0\r\n\r\n" * 10):
        s = socket.create_connection((host, int(port)), timeout=5)
        s.sendall(junk)
        s.close()
PY
"$producer" --destination vg-counter "$frontend" "$tenant" C-2 2025-02-01 | grep -q '^ACK' || { echo "FAIL: no ACK after the garbage"; failures=$((failures + 1)); }

kill -TERM "$counter_pid"; wait "$counter_pid"; code=$?
if [ $code -ne 0 ] || [ -s "$work/counter.valgrind" ]; then
  echo "FAIL pacta-bus-counter: exit $code"; cat "$work/counter.valgrind"; failures=$((failures + 1))
else
  echo "ok   pacta-bus-counter: valgrind-clean"
fi
kill -TERM "$bus_pid"; wait "$bus_pid"; code=$?
if [ $code -ne 0 ] || [ -s "$work/bus.valgrind" ]; then
  echo "FAIL pacta-bus: exit $code"; cat "$work/bus.valgrind"; failures=$((failures + 1))
else
  echo "ok   pacta-bus: valgrind-clean over start, traffic ($(grep -o '"received":[0-9]*' "$work/bus.log" | tail -n 1)), garbage, SIGTERM"
fi
pids=()
[ $failures = 0 ]
