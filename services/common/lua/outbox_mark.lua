-- outbox_mark: announces that an entity's outbox is about to get messages.
--
-- Run BEFORE the effect script that writes the outbox (which lives in the
-- entity's hash slot, not the index's), so a relay can always find a
-- written outbox: if the writer dies between the two, the relay finds an
-- empty outbox and forgets the entry after the grace period.
--
-- The look it asks for is ARGV[2] ms away (0 when absent), and it only
-- ever brings a look forward (ZADD LT): the writer kicks the member after
-- its commit, so a relay has nothing to find before that; looking at once
-- found the outbox still empty and cost a read and a release per effect.
-- The delayed look only matters when the writer dies before its kick.
--
-- KEYS[1]  due: ZSET member -> ms when a relay should look at it  ({outbox:<service>})
-- KEYS[2]  written: ZSET member -> ms of the last mark             (same tag)
-- ARGV[1]  member: the entity's key prefix ("pacta:capconnect:{c:42}")
-- ARGV[2]  delay of the look in ms (optional, >= 0)
-- Returns the Redis time in ms.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local delay = tonumber(ARGV[2] or '0') or 0
if delay < 0 then delay = 0 end
redis.call('ZADD', KEYS[1], 'LT', now + delay, ARGV[1])
redis.call('ZADD', KEYS[2], now, ARGV[1])
return now
