#!/usr/bin/env bash
# Prints, one per line, the Debian packages the runtime image needs for the
# given binaries: the packages that own every shared library they load (ldd,
# then dpkg -S), plus what the image uses besides linked libraries:
#   curl             the compose health checks (curl -f http://.../healthz)
#   ca-certificates  TLS to SMTP servers and webhooks (libcurl)
# The Dockerfile's build stage runs it on the binaries it just built and the
# runtime stage installs exactly that list, so the runtime libraries are
# derived, never copied by hand. Every package printed is one the build stage
# installed (deploy/packages.txt or a dependency of it): tests/deploy/
# check_deploy.py checks that on the machine that ran the tests.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: deploy/runtime-packages.sh BINARY..." >&2; exit 2; }

# The package owning a file, trying the path as ldd gives it, its real path
# and its /usr-merged twin (Debian 12 records some libraries under /lib).
owner() {
  local path=$1 real candidates=() c
  real=$(readlink -f "$path")
  candidates=("$path" "$real")
  for c in "$path" "$real"; do
    case $c in
      /usr/lib/*) candidates+=("${c#/usr}") ;;
      /lib/*) candidates+=("/usr$c") ;;
    esac
  done
  for c in "${candidates[@]}"; do
    if out=$(dpkg -S "$c" 2>/dev/null); then
      printf '%s\n' "${out%%:*}" | head -n 1
      return 0
    fi
  done
  echo "runtime-packages: no Debian package owns $path" >&2
  return 1
}

{
  for binary in "$@"; do
    [ -x "$binary" ] || { echo "runtime-packages: $binary is not an executable" >&2; exit 1; }
    # Lines "libx.so.N => /path (0x...)"; the vdso and the loader have no "=> /".
    while read -r lib; do
      owner "$lib"
    done < <(ldd "$binary" | sed -n 's/.*=> \(\/[^ ]*\) (.*/\1/p')
  done
  echo curl
  echo ca-certificates
} | sort -u
