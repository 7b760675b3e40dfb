-- outbox_claim: a relay takes up to ARGV[2] due entities for ARGV[1] ms.
--
-- Claiming pushes the member's due time forward by the lease, so other
-- relays of the same service skip it while this one sends; if this relay
-- dies, the lease runs out and another takes over (its sends are resends,
-- which consumers deduplicate).
--
-- KEYS[1]  due ZSET ({outbox:<service>})
-- ARGV[1]  lease in ms
-- ARGV[2]  most members to claim
-- ARGV[3..] members to kick first (outbox_kick's work for the commits of
--          this relay's own service since its last claim: optional)
-- Returns {claim_score, member, member, ...}; claim_score is the due time
-- every claimed member now has (the relay passes it back to release).
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local lease = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
if lease == nil or limit == nil or lease <= 0 or limit <= 0 then
  return redis.error_reply('BADARG lease and limit must be positive')
end
for i = 3, #ARGV do
  redis.call('ZADD', KEYS[1], now, ARGV[i])
end
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
local claim = now + lease
local out = {tostring(claim)}
for _, member in ipairs(members) do
  redis.call('ZADD', KEYS[1], claim, member)
  out[#out + 1] = member
end
return out
