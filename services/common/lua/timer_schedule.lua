-- timer_schedule: creates or replaces one timer, atomically.
--
-- A timer id is chosen by the caller and deterministic ("c:42/CC-3b/2025-02-09"),
-- so scheduling the same deadline twice (a replayed event) leaves one timer.
-- Re-scheduling bumps the timer's generation: a claimer still working on the
-- old generation cannot complete (delete) the new one.
--
-- KEYS[1] due zset      id -> due instant (seconds, UTC)
-- KEYS[2] lease zset    id -> lease expiry (Redis TIME, milliseconds)
-- KEYS[3] record hash   id -> "<generation>|<attempts>|<entity key>"
-- KEYS[4] payload hash  id -> opaque payload bytes
-- KEYS[5] claimed hash  id -> due instant while leased
-- ARGV[1] id, ARGV[2] due instant, ARGV[3] entity key, ARGV[4] payload
-- Returns the new generation.
local id, entity, payload = ARGV[1], ARGV[3], ARGV[4]
local due = tonumber(ARGV[2])
if due == nil or due ~= math.floor(due) then
  return redis.error_reply('BADARG due must be an integer instant')
end
local generation = 1
local record = redis.call('HGET', KEYS[3], id)
if record then
  generation = tonumber(string.match(record, '^(%d+)|')) + 1
end
redis.call('HSET', KEYS[3], id, generation .. '|0|' .. entity)
redis.call('HSET', KEYS[4], id, payload)
redis.call('ZREM', KEYS[2], id)
redis.call('HDEL', KEYS[5], id)
redis.call('ZADD', KEYS[1], due, id)
return generation
