-- timer_finish: the claimer is done with one generation of a timer.
--
-- "complete": the timer's effect is committed; delete it.
-- "release":  the handler failed; keep the lease for ARGV[4] more
--             milliseconds so the timer is retried after that back-off
--             (timer_claim puts it back once the lease expires).
-- "cancel":   delete it whatever its generation (the deadline no longer
--             applies).
-- A complete or release for an older generation (the timer was re-scheduled
-- meanwhile) changes nothing and returns 0: the new schedule stands.
--
-- KEYS[1] due zset, KEYS[2] lease zset, KEYS[3] record hash, KEYS[4] payload hash,
-- KEYS[5] claimed hash
-- ARGV[1] action, ARGV[2] id, ARGV[3] generation (ignored by cancel),
-- ARGV[4] back-off in milliseconds (release only)
-- Returns 1 when something changed, 0 otherwise.
local action, id = ARGV[1], ARGV[2]
local record = redis.call('HGET', KEYS[3], id)
if not record then
  return 0
end
local generation = string.match(record, '^(%d+)|')
if action ~= 'cancel' and generation ~= ARGV[3] then
  return 0
end
if action == 'complete' or action == 'cancel' then
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
  redis.call('HDEL', KEYS[5], id)
  redis.call('HDEL', KEYS[4], id)
  return 1
end
if action == 'release' then
  local backoff = tonumber(ARGV[4])
  if backoff == nil or backoff < 0 then
    return redis.error_reply('BADARG back-off must be a non-negative integer')
  end
  if not redis.call('ZSCORE', KEYS[2], id) then
    return 0
  end
  local time = redis.call('TIME')
  local wall_ms = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  redis.call('ZADD', KEYS[2], wall_ms + backoff, id)
  return 1
end
return redis.error_reply('BADARG unknown action ' .. tostring(action))
