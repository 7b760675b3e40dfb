#!/usr/bin/env bash
# Starts each service binary under valgrind against the test Redis, waits for
# it to report "started", stops it with SIGTERM and fails on any memory error
# or leak (definite or indirect) and on any exit code other than 0.
# Usage: valgrind_smoke.sh SOURCE_DIR BINARY...   (run by CTest)
set -uo pipefail
source_dir=$1; shift
[ -n "${PACTA_TEST_REDIS_URL:-}" ] || { echo "PACTA_TEST_REDIS_URL is not set: run through scripts/test.sh" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind is not installed (deploy/packages.txt lists it)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/pacta-valgrind.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
for binary in "$@"; do
  name=$(basename "$binary")
  log=$work/$name.log
  PACTA_REDIS_URL=$PACTA_TEST_REDIS_URL PACTA_HTTP_ADDR=127.0.0.1:0 PACTA_PROFILE_DIR=$source_dir/deploy/profiles \
    PACTA_CLOCK=test valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=99 --log-file="$work/$name.valgrind" "$binary" >"$log" 2>&1 &
  pid=$!
  started=0
  for _ in $(seq 1 600); do
    grep -q '"msg":"started"' "$log" 2>/dev/null && { started=1; break; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ $started = 0 ]; then
    echo "FAIL $name: did not start under valgrind"; cat "$log"; kill -9 "$pid" 2>/dev/null; failures=$((failures + 1)); continue
  fi
  sleep 1   # let the main loop and the HTTP thread run a few iterations
  kill -TERM "$pid"
  wait "$pid"; code=$?
  if [ $code -ne 0 ] || [ -s "$work/$name.valgrind" ]; then
    echo "FAIL $name: exit $code"; cat "$work/$name.valgrind"; failures=$((failures + 1))
  else
    echo "ok   $name: valgrind-clean over start, run, SIGTERM"
  fi
done
echo "$(( $# - failures )) passed, $failures failed"
[ $failures = 0 ]
