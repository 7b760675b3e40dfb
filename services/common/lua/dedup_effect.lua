-- dedup_effect: the wrapper around every effect script (pacta_dedup.c puts
-- the effect's body where the EFFECT marker line is).
--
-- One atomic step records that a message was handled AND applies its effect
-- AND writes the messages it causes to the outbox, so a crash can never
-- leave an effect without its record, or a record without its effect
-- (architecture invariants 1 and 2).
--
-- KEYS[1]  seen: ZSET message_id -> ms when applied           (entity's hash tag)
-- KEYS[2]  digests: HASH message_id -> content digest          (same tag)
-- KEYS[3]  outbox: STREAM of messages to send, fields env, dest (same tag)
-- KEYS[4..] the effect's own keys, seen by the body as keys[1..]
-- ARGV[1]  message id; '' = not caused by a message (no dedup)
-- ARGV[2]  digest of the message content (type + payload)
-- ARGV[3]  retention of ids in ms (>= 7 days; the caller enforces it)
-- ARGV[4..] the effect's own arguments, seen as args[1..]
--
-- The body may call emit(envelope_bytes, destination) to queue a message
-- in the outbox, and report(n) to hand the caller one more integer read in
-- the same atomic step (entity_effect: the parked facts left, which spares
-- the caller a round trip), and returns a value (string, integer or flat
-- table) or redis.error_reply(...) to refuse: then nothing is recorded, so
-- a retry runs it again (the body must check before it writes).
--
-- Returns {'applied', result, emitted, reported or nil} | {'duplicate'} |
-- {'conflict', stored_digest}
local id = ARGV[1]
local digest = ARGV[2]
local retention = tonumber(ARGV[3])
if retention == nil or retention <= 0 then
  return redis.error_reply('BADARG retention must be a positive number of ms')
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

if id ~= '' and redis.call('ZSCORE', KEYS[1], id) then
  local stored = redis.call('HGET', KEYS[2], id)
  if stored and stored ~= digest then
    return {'conflict', stored}
  end
  return {'duplicate'}
end

local keys = {}
for i = 4, #KEYS do keys[#keys + 1] = KEYS[i] end
local args = {}
for i = 4, #ARGV do args[#args + 1] = ARGV[i] end
local emitted = 0
local function emit(envelope, destination)
  redis.call('XADD', KEYS[3], '*', 'env', envelope, 'dest', destination or '')
  emitted = emitted + 1
end

local reported = false
local function report(n)
  reported = n
end

local function effect(keys, args, emit)
-- @@EFFECT@@
end

local result = effect(keys, args, emit)
if type(result) == 'table' and result.err then
  return result
end
if result == nil or result == false then
  result = ''
end

if id ~= '' then
  redis.call('ZADD', KEYS[1], now, id)
  redis.call('HSET', KEYS[2], id, digest)
  -- Forget ids older than the retention, a bounded number per call, and
  -- let an idle entity's records expire with them.
  local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - retention, 'LIMIT', 0, 100)
  if #old > 0 then
    redis.call('ZREM', KEYS[1], unpack(old))
    redis.call('HDEL', KEYS[2], unpack(old))
  end
  redis.call('PEXPIRE', KEYS[1], retention + 86400000)
  redis.call('PEXPIRE', KEYS[2], retention + 86400000)
end
return {'applied', result, emitted, reported}
