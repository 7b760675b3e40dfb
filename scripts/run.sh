#!/usr/bin/env bash
# The main job: installs what is missing, builds Pacta, starts Redis, the bus
# and every service that exists on this machine (loopback only), feeds the
# demo scenario, prints what happened, and stops everything at the end or on
# Ctrl-C (the bus last).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() {
  cat <<USAGE
Usage: scripts/run.sh [--keep-running] [--no-install] [--help]

Builds Pacta, starts a local redis-server, the message bus, the five
services and an SMTP server (python3-aiosmtpd) on 127.0.0.1, runs the demo
scenarios and prints their results: decisions with their clauses, the
e-mails the client received, a data-subject access request.

  --keep-running  leave everything running after the demo until Ctrl-C
  --no-install    do not apt-get missing packages (fail instead)
  -h, --help      show this help

State and logs go to .pacta-run/ in the checkout (removed at the start of
each run). PACTA_BUILD_DIR overrides the build directory (default build/). HTTP ports: bus 8080, contracts 8081, invoicing 8082,
enforcement 8083, notifications 8084, gdpr-retention 8085 (health and
metrics at http://127.0.0.1:PORT/healthz and /metrics). The bus listens on
tcp://127.0.0.1:5560 (producers) and :5561 (service instances).
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
build=${PACTA_BUILD_DIR:-$PACTA_ROOT/build}
pacta_build "$build"

run=$PACTA_ROOT/.pacta-run
rm -rf "$run"
mkdir -p "$run/logs"

services=(contracts:8081 invoicing:8082 enforcement:8083 notifications:8084 gdpr-retention:8085)
pids=()
bus_pid=
stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
  # The bus goes last: everything above may still be sending to it.
  if [ -n "$bus_pid" ]; then
    kill -TERM "$bus_pid" 2>/dev/null || true
    wait "$bus_pid" 2>/dev/null || true
    bus_pid=
  fi
  pacta_stop_redis
}
trap stop_all EXIT
trap 'echo; pacta_say "interrupted, stopping"; exit 130' INT TERM

pacta_say "starting redis-server (data in $run/redis)"
pacta_start_redis "$run/redis"
# --- configuration (issue 7): the settings docker-compose.yml uses too ---------
# Shared settings come from deploy/pacta.env, the compose file's env_file (a
# variable already set in the environment wins: PACTA_LOG_LEVEL=debug
# scripts/run.sh); this loopback topology then says where things are, as the
# compose file does per service.
while IFS='=' read -r name value; do
  [ -n "${!name+x}" ] || export "$name=$value"
done < <(grep -E '^PACTA_[A-Z0-9_]+=' "$PACTA_ROOT/deploy/pacta.env")
export PACTA_REDIS_URL="unix://$PACTA_REDIS_SOCKET"
export PACTA_PROFILE_DIR=$PACTA_ROOT/deploy/profiles
export PACTA_CLOCK=test   # the demo moves the tenants' test clocks
# The personal-data vault's master key (made fresh for each demo, like the
# data it protects) and a real SMTP server on loopback that keeps every mail
# it receives in a maildir, so the notices can be read after the demo.
vault_key=$run/vault_master_key
(umask 077; od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$vault_key")
export PACTA_VAULT_MASTER_KEY_FILE=$vault_key
smtp_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export PACTA_SMTP_URL=smtp://127.0.0.1:$smtp_port
export PACTA_SMTP_FROM=facturation@pacta.example
# --- end of configuration -------------------------------------------------------
pactactl=$build/services/pactactl/pactactl

# The bus first: services and producers connect to it (they would wait for it
# anyway, but the demo below needs it). Plain mode on loopback for the demo;
# docs/protocol.md §6 switches CURVE on. The demo routes file adds a class for
# the reference consumer pacta-bus-counter next to the five services' routes.
printf '# demo consumer of scripts/run.sh\ndemo-counter pacta.v1.FirstUseRecorded\n' >"$run/bus-routes.conf"
pacta_say "starting the bus (frontend tcp://127.0.0.1:5560, backend :5561, http :8080)"
PACTA_HTTP_ADDR=127.0.0.1:8080 PACTA_BUS_ROUTES=$run/bus-routes.conf "$build/services/bus/pacta-bus" \
  >"$run/logs/bus.log" 2>&1 &
bus_pid=$!
ok=0
for _ in $(seq 1 100); do
  if curl -fsS http://127.0.0.1:8080/healthz >/dev/null 2>&1; then ok=1; break; fi
  sleep 0.1
done
[ $ok = 1 ] || { tail -n 20 "$run/logs/bus.log" >&2; pacta_die "the bus did not become healthy on port 8080"; }
printf '  %-15s http://127.0.0.1:%s/healthz  %s\n' bus 8080 "$(curl -fsS http://127.0.0.1:8080/healthz)"
"$build/services/bus/pacta-bus-counter" --service-class demo-counter --types pacta.v1.FirstUseRecorded \
  --instance-id demo-counter-1 >"$run/logs/demo-counter.log" 2>&1 &
pids+=($!)

pacta_say "starting an SMTP server on 127.0.0.1:$smtp_port (python3-aiosmtpd; mail kept in $run/mail)"
# Debian's python3 (python3-aiosmtpd), not whichever python3 comes first on PATH.
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$run/mail" \
  >"$run/logs/smtp.log" 2>&1 &
pids+=($!)
ok=0
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null; then ok=1; break; fi
  sleep 0.1
done
[ $ok = 1 ] || { cat "$run/logs/smtp.log" >&2; pacta_die "the SMTP server did not start on port $smtp_port"; }

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
echo "== The bus: an outside system sends FirstUseRecorded (docs/examples/producer.c) to the demo consumer"
producer=$build/services/bus/pacta-example-producer
"$producer" --destination demo-counter tcp://127.0.0.1:5560 capconnect C-42 2025-02-01 || true
echo "-- the same event again (same message id): one effect, a second ACK marked duplicate"
"$producer" --destination demo-counter tcp://127.0.0.1:5560 capconnect C-42 2025-02-01 || true
echo "-- a destination that is no service class: refused with a reason"
"$producer" --destination nobody tcp://127.0.0.1:5560 capconnect C-42 2025-02-01 || true
sleep 1.1   # the bus publishes its counters once a second
curl -fsS http://127.0.0.1:8080/metrics \
  | grep -E '^pacta_bus_(messages_(in|acked|nacked)_total|instances_live)' | grep -v ' 0$' || true

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

# --- demo: worked example 1 (CapConnect §3) through the bus ---------------------------
# The accounting system issues an invoice, nobody pays it by its due date, the
# test clock moves past it, the bank feed pays on 2025-02-19: invoicing, then
# enforcement (CC-3b, CC-3c, CC-3d through the rules core) and contracts react
# through the bus, and every decision lands in the contract's audit stream.
example=$PACTA_ROOT/tests/scenarios/example01_capconnect_s3.jsonl
echo
echo "== Worked example 1 (CapConnect §3) fed through the bus: pactactl replay $(basename "$example")"
"$pactactl" clock reset --tenant capconnect >/dev/null
"$pactactl" replay "$example"
echo
echo "-- the contract as the services keep it"
"$pactactl" contract show --tenant capconnect ex01-C-1
echo
echo "-- its audit trail (every fact and decision, with the clause that caused it)"
"$pactactl" timeline --tenant capconnect ex01-C-1
echo
echo "-- en français"
"$pactactl" timeline --tenant capconnect --lang fr ex01-C-1
echo
echo "-- the same scenario replayed: the same event ids are duplicates, nothing changes"
audit_key='pacta:capconnect:{c:ex01-C-1}:audit'
before=$(redis-cli -s "$PACTA_REDIS_SOCKET" XLEN "$audit_key")
# --keep-going: the expectations about earlier points of the story no longer hold
# once the contract reached its final state; what matters is that nothing is applied.
"$pactactl" replay --keep-going "$example" | tail -n 1 || true
printf '   audit entries of ex01-C-1: %s before, %s after\n' "$before" \
  "$(redis-cli -s "$PACTA_REDIS_SOCKET" XLEN "$audit_key")"
echo
echo "-- what the shell counted (invoicing)"
curl -fsS http://127.0.0.1:8082/metrics \
  | grep -E '^pacta_(messages_(handled|nacked)_total|timers_fired_total|outbox_in_flight|bus_connected)' \
  | head -n 12 || true

# --- demo: an Sg Event late-payment case (worked example 5) --------------------------
# A professional client pays a 2,000.00 invoice two months late, after two
# reminders and a formal notice: invoicing records the letters and, on the day
# the payment arrives, asks the rules core (SG-8c) for the charges due and bills
# them on one charges invoice (interest 32.50, indemnity 300.00, fees 100.00).
example=$PACTA_ROOT/tests/scenarios/example05_sgevent_late_payment.jsonl
echo
echo "== An Sg Event late-payment case fed through the bus: pactactl replay $(basename "$example")"
"$pactactl" clock reset --tenant sgevent >/dev/null
"$pactactl" replay "$example"
echo
echo "-- its audit trail: the letters, the payment and each charge with its reason"
"$pactactl" timeline --tenant sgevent ex05-SG-1
echo
echo "-- the charges invoice"
"$pactactl" invoice show --tenant sgevent ex05-F-SG-0303-LC1

# --- demo: telling the client, and what is held about them (issue 6) -----------------
# The same CapConnect §3 story for a client who reads Dutch: the CRM records
# their e-mail address (it goes into the vault, encrypted with the subject's
# own key), and each decision becomes a notice that the notifications service
# renders in Dutch and sends through the SMTP server started above.
example=$PACTA_ROOT/tests/notifications/example01_nl.jsonl
echo
echo "== Telling the client: CapConnect §3 for a Dutch-speaking client, pactactl replay $(basename "$example")"
"$pactactl" clock reset --tenant capconnect >/dev/null
"$pactactl" replay "$example" | tail -n 1
mails() { find "$run/mail/new" -type f 2>/dev/null | wc -l; }
# Every notice of this contract goes by e-mail: wait until the mailbox holds
# as many mails as the delivery log has notices (at most 30 s).
notices() { "$pactactl" notifications --tenant capconnect ntf01-C-1 | sed -n '1s/.*, \([0-9]*\) notices$/\1/p'; }
for _ in $(seq 1 150); do
  n=$(notices)
  [ "${n:-0}" -gt 0 ] && [ "$(mails)" -ge "$n" ] && break
  sleep 0.2
done
echo
echo "-- the contract's delivery log (every notice, channel and attempt)"
"$pactactl" notifications --tenant capconnect ntf01-C-1
echo
echo "-- the SMTP server's mailbox ($(mails) mails)"
for mail in "$run/mail/new"/*; do
  [ -f "$mail" ] || continue
  printf '   %s\n' "$(grep -m1 '^Subject:' "$mail")"
done
suspension=$(grep -l 'CC-3b' "$run/mail/new"/* 2>/dev/null | head -n 1 || true)
if [ -n "$suspension" ]; then
  echo "-- the suspension notice, as the client reads it"
  sed -n '/^$/,$p' "$suspension" | head -n 20 | sed 's/^/   /'
fi
echo
echo "== A data-subject request: the client asks for a copy of everything held about them (L-4: 1 month)"
"$pactactl" dsr open --tenant capconnect --subject ntf01-S-1 --right access --request-id demo-dsr-1 \
  --received-on 2025-03-01
"$pactactl" dsr show --tenant capconnect --subject ntf01-S-1
echo "-- the export (decrypted with the master key; the read is recorded in the subject's audit stream)"
"$pactactl" dsr export --tenant capconnect --subject ntf01-S-1 --request demo-dsr-1 \
  --vault-master-key-file "$vault_key" -o "$run/export-ntf01-S-1.json"
/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print("   sections:", ", ".join(sorted(d)))' \
  "$run/export-ntf01-S-1.json"

if [ $keep = 1 ]; then
  pacta_say "everything is running; logs in $run/logs. Ctrl-C to stop."
  wait
fi
echo
pacta_say "stopping services, then the bus (SIGTERM)"
stop_all
for entry in "${services[@]}" demo-counter:0 smtp:0 bus:0; do
  name=${entry%%:*}
  printf '  %-15s %s\n' "$name" "$(tail -n 1 "$run/logs/$name.log")"
done
