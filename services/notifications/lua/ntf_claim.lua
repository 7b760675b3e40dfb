-- ntf_claim: claims due notices of one tenant with a lease.
-- KEYS[1] pacta:{ix:<tenant>}:ntf-due   ZSET "<entity>|<notification id>" -> due ms
-- ARGV[1] now ms, ARGV[2] lease ms, ARGV[3] most members to claim
-- A claimed member is pushed to now + lease: another instance sees it again
-- only if this one dies before the outcome is recorded (which moves or
-- removes the member), so a crash costs at most one resend, never a loss.
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local lease_until = tonumber(ARGV[1]) + tonumber(ARGV[2])
for _, member in ipairs(due) do
  redis.call('ZADD', KEYS[1], lease_until, member)
end
return due
