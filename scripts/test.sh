#!/usr/bin/env bash
# Builds Pacta and runs every test suite (unit and integration) through CTest
# against a throwaway redis-server on loopback. Installs missing Debian
# packages first. Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() {
  cat <<USAGE
Usage: scripts/test.sh [--sanitize] [--filter REGEX] [--no-install] [--help]

Builds Pacta and runs all Criterion suites through CTest, with a throwaway
redis-server (unix socket and a free 127.0.0.1 port) that is stopped on exit.

  --sanitize      build with AddressSanitizer + UndefinedBehaviorSanitizer
                  (in build-asan/) and run the same tests
  --filter REGEX  run only the CTest tests whose name matches REGEX
  --no-install    do not apt-get missing packages (fail instead)
  -h, --help      show this help

Environment: PACTA_BUILD_DIR overrides the build directory (default build/,
or build-asan/ with --sanitize).
USAGE
}

sanitize=0 filter= install=1
while [ $# -gt 0 ]; do
  case $1 in
    --sanitize) sanitize=1 ;;
    --filter) [ $# -ge 2 ] || pacta_die "--filter needs a REGEX"; filter=$2; shift ;;
    --filter=*) filter=${1#--filter=} ;;
    --no-install) install=0 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; pacta_die "unknown argument: $1" ;;
  esac
  shift
done

[ $install = 1 ] && pacta_ensure_packages

if [ $sanitize = 1 ]; then
  build_dir=${PACTA_BUILD_DIR:-$PACTA_ROOT/build-asan}
  pacta_say "building with ASan + UBSan in $build_dir"
  pacta_build "$build_dir" -DPACTA_SANITIZE=ON
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
else
  build_dir=${PACTA_BUILD_DIR:-$PACTA_ROOT/build}
  pacta_say "building in $build_dir"
  pacta_build "$build_dir"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pacta-test.XXXXXX")
cleanup() {
  pacta_stop_redis
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- deploy checks (issue 7) -------------------------------------------------
# No Docker engine needed: `docker-compose config` validates docker-compose.yml,
# and tests/deploy/check_deploy.py checks its rules (a health check per service,
# no Redis port published, --scale-safe, only variables the binaries read,
# every secret made by scripts/gen-secrets.sh) and that the Dockerfile installs
# exactly deploy/packages.txt. The Redis ACL is tested by CTest (test_redis_acl).
pacta_say "deploy: docker-compose.yml, the Dockerfile and the package lists"
PACTA_BUS_BIN=$build_dir/services/bus/pacta-bus "$PACTA_ROOT/scripts/gen-secrets.sh" "$work/secrets" \
  >"$work/gen-secrets.log" 2>&1 || { cat "$work/gen-secrets.log" >&2; pacta_die "scripts/gen-secrets.sh failed"; }
PACTA_SECRETS_DIR=$work/secrets docker-compose -f "$PACTA_ROOT/docker-compose.yml" \
  --profile demo --profile tools config -q || pacta_die "docker-compose config refused docker-compose.yml"
PACTA_SECRETS_DIR=$work/secrets /usr/bin/python3 "$PACTA_ROOT/tests/deploy/check_deploy.py" \
  --build-dir "$build_dir" --secrets-dir "$work/secrets" || pacta_die "deploy checks failed (above)"
# ---- end of deploy checks ------------------------------------------------------

pacta_start_redis "$work/redis"
export PACTA_TEST_REDIS_URL="unix://$PACTA_REDIS_SOCKET"
export PACTA_TEST_REDIS_TCP_URL="redis://127.0.0.1:$PACTA_REDIS_PORT"
export PACTA_TEST_WORKDIR=$work
pacta_say "redis-server for tests: $PACTA_TEST_REDIS_URL and $PACTA_TEST_REDIS_TCP_URL"

ctest_args=(--test-dir "$build_dir" --output-on-failure --no-tests=error -j 2)
[ -n "$filter" ] && ctest_args+=(-R "$filter")
pacta_say "running tests"
ctest "${ctest_args[@]}"
