#!/usr/bin/env bash
# Makes a CURVE keypair for the bus or one of its clients, with
# zmq_curve_keypair() through `pacta-bus keygen` (built here if needed;
# nothing is downloaded):
#   DIR/NAME.key   the secret key (mode 600): PACTA_BUS_SECRET_KEY_FILE for
#                  the bus, PACTA_BUS_CLIENT_SECRET_KEY_FILE for a client
#   DIR/NAME.pub   the public key: the bus's goes to every client
#                  (PACTA_BUS_PUBLIC_KEY), a client's to the allow-list
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() {
  cat <<USAGE
Usage: scripts/bus-keygen.sh NAME [DIR]

Writes DIR/NAME.key (secret, mode 600) and DIR/NAME.pub (public); DIR
defaults to the current directory. Refuses to overwrite an existing key.
Prints the allow-list line to complete for a client key (see docs/protocol.md).
USAGE
}

[ $# -ge 1 ] && [ $# -le 2 ] || { usage >&2; exit 2; }
case $1 in -h|--help) usage; exit 0 ;; esac
name=$1 dir=${2:-.}
[[ $name =~ ^[A-Za-z0-9._-]{1,64}$ ]] || pacta_die "NAME must be 1-64 letters, digits, '.', '_' or '-'"
mkdir -p "$dir"
[ -e "$dir/$name.key" ] && pacta_die "$dir/$name.key exists; remove it first to make a new key"

bin=${PACTA_BUS_BIN:-$PACTA_ROOT/build/services/bus/pacta-bus}
if [ ! -x "$bin" ]; then
  pacta_say "building pacta-bus in $PACTA_ROOT/build"
  mkdir -p "$PACTA_ROOT/build"
  cmake -S "$PACTA_ROOT" -B "$PACTA_ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$PACTA_ROOT/build/keygen-configure.log" 2>&1 \
    || { cat "$PACTA_ROOT/build/keygen-configure.log" >&2; pacta_die "cmake configure failed"; }
  cmake --build "$PACTA_ROOT/build" --target pacta-bus -j "$(nproc 2>/dev/null || echo 2)" >/dev/null \
    || pacta_die "cannot build pacta-bus"
fi

pair=$("$bin" keygen)
public=$(sed -n 's/^public //p' <<<"$pair")
secret=$(sed -n 's/^secret //p' <<<"$pair")
[ ${#public} -eq 40 ] && [ ${#secret} -eq 40 ] || pacta_die "pacta-bus keygen gave no keypair"

umask 077
printf '# CURVE secret key of %s (Z85). Keep it secret.\n%s\n' "$name" "$secret" >"$dir/$name.key"
umask 022
printf '# CURVE public key of %s (Z85)\n%s\n' "$name" "$public" >"$dir/$name.pub"
chmod 600 "$dir/$name.key"
pacta_say "wrote $dir/$name.key (secret) and $dir/$name.pub"
echo "public key: $public"
echo "allow-list line (complete the permissions):"
echo "$public  $name  tenants=... types=... classes=..."
