-- timer_claim: hands the due timers of one tenant and service to one
-- claimer, earliest first, under a lease.
--
-- Claimed timers move from the due set to the lease set with an expiry taken
-- from Redis's own clock, so instances with skewed clocks agree on leases. A
-- lease that expired (its claimer died or is stuck) puts the timer back in
-- the due set at its original due instant before anything is handed out, so
-- a crashed claimer's timers are re-claimed in due order.
--
-- KEYS[1] due zset, KEYS[2] lease zset, KEYS[3] record hash, KEYS[4] payload hash,
-- KEYS[5] claimed hash (id -> due instant while leased)
-- ARGV[1] now: the tenant's current instant (seconds; a test clock may be anywhere)
-- ARGV[2] lease length in milliseconds
-- ARGV[3] the most timers to hand out
-- Returns a flat array: id, due, generation, attempts, entity key, payload, ...
local now = tonumber(ARGV[1])
local lease_ms = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
if now == nil or lease_ms == nil or limit == nil or lease_ms < 1 or limit < 1 then
  return redis.error_reply('BADARG now, lease and limit must be positive integers')
end
local time = redis.call('TIME')
local wall_ms = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

-- Expired leases: back to the due set at their original due instant,
-- which claiming kept in the claimed hash (the lease score is the expiry).
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', wall_ms)
for _, id in ipairs(expired) do
  redis.call('ZREM', KEYS[2], id)
  local due_at = redis.call('HGET', KEYS[5], id)
  if due_at then
    redis.call('ZADD', KEYS[1], due_at, id)
    redis.call('HDEL', KEYS[5], id)
  end
end

local result = {}
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit)
for i = 1, #ids, 2 do
  local id, due = ids[i], ids[i + 1]
  local record = redis.call('HGET', KEYS[3], id)
  redis.call('ZREM', KEYS[1], id)
  if record then
    local generation, attempts, entity = string.match(record, '^(%d+)|(%d+)|(.*)$')
    attempts = tonumber(attempts) + 1
    redis.call('HSET', KEYS[3], id, generation .. '|' .. attempts .. '|' .. entity)
    redis.call('HSET', KEYS[5], id, due)
    redis.call('ZADD', KEYS[2], wall_ms + lease_ms, id)
    local payload = redis.call('HGET', KEYS[4], id) or ''
    result[#result + 1] = id
    result[#result + 1] = due
    result[#result + 1] = generation
    result[#result + 1] = tostring(attempts)
    result[#result + 1] = entity
    result[#result + 1] = payload
  end
end
return result
