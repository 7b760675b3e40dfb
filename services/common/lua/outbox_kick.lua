-- outbox_kick: "look now" after the effect script committed, so a relay
-- that claimed the entity between the mark and the commit (and found it
-- empty) comes back at once instead of after its recheck delay.
--
-- KEYS[1]  due ZSET ({outbox:<service>})
-- ARGV[1]  member
-- Returns the Redis time in ms.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
return now
