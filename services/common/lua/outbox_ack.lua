-- outbox_ack: the bus acknowledged an outbox entry: delete it, and the
-- stream with its last entry (an empty stream is just a stray key).
--
-- KEYS[1]  outbox STREAM (entity's hash tag)
-- ARGV[1]  entry id
-- Returns the number of entries left.
redis.call('XDEL', KEYS[1], ARGV[1])
local left = redis.call('XLEN', KEYS[1])
if left == 0 then
  redis.call('DEL', KEYS[1])
end
return left
