#!/bin/sh
# Renders deploy/redis/users.acl (rules, no secrets) into the ACL file Redis
# loads: comments and blank lines dropped, and each user that needs one gets
# the SHA-256 of its password (`#<hex>`), read from
# SECRETS_DIR/redis_<user>_password ('-' in the user name becomes '_').
# Users that are `off` or `nopass` get no password. A template line carrying
# a password ('>' or '#' rule) is refused: passwords come from secrets only.
#
# Used by the Redis container at start (deploy/redis/start-redis.sh) and by
# tests/deploy/test_redis_acl.c, so the tested ACL is the deployed one.
# POSIX sh + coreutils: it runs inside the slim Redis image.
set -eu
set -f   # rules hold glob patterns: never expand them against files

if [ $# -ne 3 ]; then
  echo "usage: render-acl.sh TEMPLATE SECRETS_DIR OUTPUT" >&2
  exit 2
fi
template=$1 secrets=$2 output=$3
[ -r "$template" ] || { echo "render-acl: cannot read $template" >&2; exit 1; }

tmp="$output.tmp.$$"
trap 'rm -f "$tmp"' EXIT
umask 077
: >"$tmp"
lineno=0 users=0
while IFS= read -r line || [ -n "$line" ]; do
  lineno=$((lineno + 1))
  case $line in
    ''|'#'*) continue ;;
  esac
  # shellcheck disable=SC2086  # word splitting of the rules is intended
  set -- $line
  if [ "$1" != user ] || [ $# -lt 2 ]; then
    echo "render-acl: $template:$lineno: expected 'user NAME rules...'" >&2
    exit 1
  fi
  name=$2
  needs_password=yes
  shift 2
  for rule in "$@"; do
    case $rule in
      '>'*|'#'*|'<'*|'!'*)
        echo "render-acl: $template:$lineno: user $name carries a password rule; passwords come from secrets" >&2
        exit 1 ;;
      off|nopass) needs_password=no ;;
    esac
  done
  if [ "$needs_password" = yes ]; then
    file="$secrets/redis_$(printf '%s' "$name" | tr '-' '_')_password"
    [ -r "$file" ] || { echo "render-acl: no password for Redis user $name: $file is missing" >&2; exit 1; }
    password=$(cat "$file")
    case $password in
      ''|*[[:space:]]*)
        echo "render-acl: $file must hold one password without spaces" >&2
        exit 1 ;;
    esac
    hash=$(printf '%s' "$password" | sha256sum | cut -d' ' -f1)
    printf '%s #%s\n' "$line" "$hash" >>"$tmp"
  else
    printf '%s\n' "$line" >>"$tmp"
  fi
  users=$((users + 1))
done <"$template"

[ "$users" -gt 0 ] || { echo "render-acl: $template defines no user" >&2; exit 1; }
mv "$tmp" "$output"
trap - EXIT
echo "render-acl: $users users written to $output" >&2
