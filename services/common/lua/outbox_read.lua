-- outbox_read: the first ARGV[1] entries of an entity's outbox, with the
-- Redis time of the read (release needs to know WHEN it was seen empty).
--
-- KEYS[1]  outbox STREAM (entity's hash tag)
-- ARGV[1]  most entries
-- Returns {now_ms, {id, {field, value, ...}}, ...}
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local entries = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', tonumber(ARGV[1]))
local out = {now}
for _, entry in ipairs(entries) do out[#out + 1] = entry end
return out
