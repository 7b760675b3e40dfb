-- outbox_mark: announces that an entity's outbox is about to get messages.
--
-- Run BEFORE the effect script that writes the outbox (which lives in the
-- entity's hash slot, not the index's), so a relay can always find a
-- written outbox: if the writer dies between the two, the relay finds an
-- empty outbox and forgets the entry after the grace period.
--
-- KEYS[1]  due: ZSET member -> ms when a relay should look at it  ({outbox:<service>})
-- KEYS[2]  written: ZSET member -> ms of the last mark             (same tag)
-- ARGV[1]  member: the entity's key prefix ("pacta:capconnect:{c:42}")
-- Returns the Redis time in ms.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZADD', KEYS[2], now, ARGV[1])
return now
