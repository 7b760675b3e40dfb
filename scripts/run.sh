#!/usr/bin/env bash
# The main job: installs what is missing, builds Pacta, starts Redis and every
# service that exists on this machine (loopback only), feeds the demo
# scenario, prints what happened, and stops everything at the end or on Ctrl-C.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() {
  cat <<USAGE
Usage: scripts/run.sh [--keep-running] [--no-install] [--help]

Builds Pacta, starts a local redis-server and the five services on
127.0.0.1, runs the demo scenario and prints its results.

  --keep-running  leave everything running after the demo until Ctrl-C
  --no-install    do not apt-get missing packages (fail instead)
  -h, --help      show this help

State and logs go to .pacta-run/ in the checkout (removed at the start of
each run). Service HTTP ports: contracts 8081, invoicing 8082,
enforcement 8083, notifications 8084, gdpr-retention 8085 (health and
metrics at http://127.0.0.1:PORT/healthz and /metrics).
USAGE
}

keep=0 install=1
while [ $# -gt 0 ]; do
  case $1 in
    --keep-running) keep=1 ;;
    --no-install) install=0 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; pacta_die "unknown argument: $1" ;;
  esac
  shift
done

[ $install = 1 ] && pacta_ensure_packages
build=$PACTA_ROOT/build
pacta_build "$build"

run=$PACTA_ROOT/.pacta-run
rm -rf "$run"
mkdir -p "$run/logs"

services=(contracts:8081 invoicing:8082 enforcement:8083 notifications:8084 gdpr-retention:8085)
pids=()
stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
  pacta_stop_redis
}
trap stop_all EXIT
trap 'echo; pacta_say "interrupted, stopping"; exit 130' INT TERM

pacta_say "starting redis-server (data in $run/redis)"
pacta_start_redis "$run/redis"
export PACTA_REDIS_URL="unix://$PACTA_REDIS_SOCKET"
export PACTA_PROFILE_DIR=$PACTA_ROOT/deploy/profiles
export PACTA_CLOCK=test
export PACTA_LOG_LEVEL=${PACTA_LOG_LEVEL:-info}
pactactl=$build/services/pactactl/pactactl

for entry in "${services[@]}"; do
  name=${entry%%:*} port=${entry##*:}
  PACTA_HTTP_ADDR=127.0.0.1:$port "$build/services/$name/pacta-$name" >"$run/logs/$name.log" 2>&1 &
  pids+=($!)
done

pacta_say "waiting for the services to report healthy"
for entry in "${services[@]}"; do
  name=${entry%%:*} port=${entry##*:}
  ok=0
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then ok=1; break; fi
    sleep 0.1
  done
  [ $ok = 1 ] || { tail -n 20 "$run/logs/$name.log" >&2; pacta_die "$name did not become healthy on port $port"; }
  printf '  %-15s http://127.0.0.1:%s/healthz  %s\n' "$name" "$port" "$(curl -fsS "http://127.0.0.1:$port/healthz")"
done

echo
echo "== Terms profiles loaded by every service"
"$pactactl" profile check "$PACTA_PROFILE_DIR"/*.yaml

echo
echo "== A profile with a mistake is refused, naming the file, line and key"
sed 's/^\(\s*due_calendar_days:\s*\)7/\1-7/' "$PACTA_PROFILE_DIR/capconnect.yaml" >"$run/broken-capconnect.yaml"
"$pactactl" profile check "$run/broken-capconnect.yaml" || true

echo
echo "== CapConnect §3 on the calendar: invoice of 2025-02-01, payable within 7 calendar days"
"$pactactl" dates --tenant capconnect --invoice-issued 2025-02-01

echo
echo "== A registered letter to Sg Event posted Thu 2025-04-24 (notices count from its presumed receipt)"
"$pactactl" dates --tenant sgevent --letter-posted 2025-04-24

echo
echo "== The test clock of tenant capconnect (shared by every service through Redis)"
"$pactactl" clock set --tenant capconnect 2025-02-01
"$pactactl" clock advance --tenant capconnect --days 8
"$pactactl" clock show --tenant capconnect

echo
echo "== A few metrics from contracts"
curl -fsS http://127.0.0.1:8081/metrics | grep -E '^pacta_(up|ticks_total|redis)' | head -n 8 || true

if [ $keep = 1 ]; then
  pacta_say "everything is running; logs in $run/logs. Ctrl-C to stop."
  wait
fi
echo
pacta_say "stopping services (SIGTERM)"
stop_all
for entry in "${services[@]}"; do
  name=${entry%%:*}
  printf '  %-15s %s\n' "$name" "$(tail -n 1 "$run/logs/$name.log")"
done
