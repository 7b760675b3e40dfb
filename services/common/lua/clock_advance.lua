-- clock_advance: moves one tenant's TEST clock forward, atomically.
--
-- Every instance of every service reads the same clock, so the check that
-- time never goes backwards and the write must be one step: two operators
-- (or a replay and an operator) advancing at once must both see a clock
-- that only moves forward.
--
-- KEYS[1]  the clock key, pacta:{clock:<tenant>}, holding an instant
--          (integer seconds since the Unix epoch, UTC)
-- ARGV[1]  "to": set the clock to ARGV[2]; "by": add ARGV[2] seconds
-- ARGV[2]  integer instant or seconds
-- ARGV[3]  the wall-clock instant: where an unset clock starts for "by".
--          An unset clock may be set "to" any instant (a scenario often
--          starts in the past); once set it only moves forward.
-- ARGV[4]  the largest instant allowed (end of year 9999)
-- Returns the new instant, or an error reply
--   BACKWARDS current=<instant> requested=<instant>
--   BADARG <reason>
local mode = ARGV[1]
local amount = tonumber(ARGV[2])
local wall = tonumber(ARGV[3])
local max_instant = tonumber(ARGV[4])
if amount == nil or amount ~= math.floor(amount) then
  return redis.error_reply('BADARG amount must be an integer')
end
if wall == nil or max_instant == nil then
  return redis.error_reply('BADARG wall clock and limit must be integers')
end

local stored = redis.call('GET', KEYS[1])
local current = nil
if stored then
  current = tonumber(stored)
  if current == nil then
    return redis.error_reply('BADARG clock key holds a non-number')
  end
end

local target
if mode == 'to' then
  target = amount
  if current ~= nil and target < current then
    return redis.error_reply(string.format('BACKWARDS current=%d requested=%d', current, target))
  end
elseif mode == 'by' then
  local base = current or wall
  target = base + amount
  if amount < 0 then
    return redis.error_reply(string.format('BACKWARDS current=%d requested=%d', base, target))
  end
else
  return redis.error_reply('BADARG mode must be "to" or "by"')
end
if target < 0 or target > max_instant then
  return redis.error_reply('BADARG instant out of range')
end

redis.call('SET', KEYS[1], string.format('%d', target))
return target
