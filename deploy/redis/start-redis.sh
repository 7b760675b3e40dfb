#!/bin/sh
# Entry point of the Redis image (the Dockerfile's `redis` stage, run as user
# redis): renders the ACL file from users.acl and the password secrets in
# /run/secrets, then runs redis-server with deploy/redis/redis.conf. The
# rendered file lives in /run/pacta-redis (container-local, never in the data
# volume, never in the repository). Extra arguments go to redis-server (the
# restore procedure of docs/operations.md passes `--appendonly no`).
set -eu
here=$(dirname "$0")

# With appendonly yes, Redis 7 loads only the AOF: a dump.rdb without an
# appendonlydir (a restored backup) would be ignored, the server would start
# EMPTY and overwrite dump.rdb at its next save. Refuse instead.
case " $* " in
  *" --appendonly no "*) ;;
  *)
    if [ -f /data/dump.rdb ] && [ ! -d /data/appendonlydir ]; then
      echo "start-redis: /data has dump.rdb but no appendonlydir; Redis would start empty and" \
           "overwrite it. Load it first: docs/operations.md, 'Restore'." >&2
      exit 1
    fi ;;
esac

sh "$here/render-acl.sh" "$here/users.acl" /run/secrets /run/pacta-redis/users.acl
exec redis-server "$here/redis.conf" "$@"
