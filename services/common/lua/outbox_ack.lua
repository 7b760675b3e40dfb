-- outbox_ack: the bus acknowledged outbox entries of one entity: delete
-- them, and the stream with its last entry (an empty stream is just a stray
-- key). The relay sends every id of the entity ACKed in one turn in one
-- call: one script per entity and turn instead of one per message.
--
-- KEYS[1]  outbox STREAM (entity's hash tag)
-- ARGV     entry ids (at least one)
-- Returns {entries left, Redis time in ms}: with 0 left, the relay gives
-- the entity back as seen empty at that time, without reading it again.
redis.call('XDEL', KEYS[1], unpack(ARGV))
local left = redis.call('XLEN', KEYS[1])
if left == 0 then
  redis.call('DEL', KEYS[1])
end
local time = redis.call('TIME')
return {left, tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)}
