-- outbox_release: a relay found an entity's outbox empty and gives it back.
--
-- The member is forgotten only when nobody marked it since the claim (due
-- still equals the claim score) AND its last mark is older than the grace
-- period at the time the outbox was read: a writer marks before it commits,
-- and the grace is far longer than any commit takes, so an outbox seen empty
-- that long after the last mark stays empty. Otherwise the member is looked
-- at ONCE more, when its last mark is `grace` old (never sooner than the
-- shortest recheck). A writer that commits kicks the member after its
-- effect, so that one look only matters when the writer died between its
-- commit and its kick; looking sooner and sooner again (as this script once
-- did: 100 ms, 200 ms, 400 ms ... up to the grace) cost about ten empty
-- claim/read/release rounds per written entity, the largest share of
-- Redis's time in the year benchmark.
--
-- KEYS[1]  due ZSET, KEYS[2] written ZSET ({outbox:<service>})
-- ARGV[1]  member
-- ARGV[2]  claim score returned by outbox_claim
-- ARGV[3]  Redis time (ms) when the empty outbox was read
-- ARGV[4]  grace in ms
-- ARGV[5]  shortest recheck delay in ms
-- Returns 0 (marked since: left alone), 1 (recheck scheduled), 2 (forgotten)
local member = ARGV[1]
local claim = tonumber(ARGV[2])
local observed = tonumber(ARGV[3])
local grace = tonumber(ARGV[4])
local min_delay = tonumber(ARGV[5])
local due = redis.call('ZSCORE', KEYS[1], member)
if due == false or tonumber(due) ~= claim then
  return 0
end
local written = redis.call('ZSCORE', KEYS[2], member)
if written ~= false and tonumber(written) > observed - grace then
  local age = observed - tonumber(written)
  local delay = math.max(min_delay, grace - age)
  redis.call('ZADD', KEYS[1], observed + delay, member)
  return 1
end
redis.call('ZREM', KEYS[1], member)
redis.call('ZREM', KEYS[2], member)
return 2
