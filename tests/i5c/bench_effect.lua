-- scripts/bench.sh's yardstick: one Lua script doing what a service's
-- effect script does for one message of one entity (services/common/lua/
-- entity_effect.lua, much simplified), run by redis-benchmark with EVALSHA.
-- KEYS[1] the entity's document (HASH), KEYS[2] its audit stream,
-- KEYS[3] its seen set (ZSET), KEYS[4] its outbox stream (all one hash tag).
-- ARGV[1] message id, ARGV[2] the new document (JSON), ARGV[3] an envelope.
if redis.call('ZSCORE', KEYS[3], ARGV[1]) then
  return 0
end
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
redis.call('HSET', KEYS[1], 'version', version + 1, 'doc', ARGV[2], 'updated_by', ARGV[1])
redis.call('XADD', KEYS[2], '*', 'entry', 'decision', 'caused_by', ARGV[1], 'summary', ARGV[2])
redis.call('ZADD', KEYS[3], version + 1, ARGV[1])
redis.call('XADD', KEYS[4], '*', 'env', ARGV[3])
return version + 1
