-- owed_unmark: forgets that an entity may owe follow-ups (timers, index
-- entries written after its effect), but only if the mark is still the one
-- the caller saw. Another effect on the same entity re-marks it (a new
-- score) before it commits, so its follow-ups keep their mark even when
-- this removal races with it.
--
-- KEYS[1]  pacta:{owed:<service>}:due   ZSET entity prefix -> mark
-- ARGV[1]  entity prefix
-- ARGV[2]  the mark the caller saw (as returned by ZSCORE)
-- Returns 1 when removed, 0 when the mark changed or was already gone.
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) ~= tonumber(ARGV[2]) then
  return 0
end
return redis.call('ZREM', KEYS[1], ARGV[1])
