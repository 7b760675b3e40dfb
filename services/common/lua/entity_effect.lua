-- entity_effect: the body of every handler's effect (pacta_handler.c), run
-- inside dedup_effect.lua, so recording the message id, the state change,
-- the audit entries, the parking area, the owed follow-ups and the outbox
-- are ONE atomic step (architecture invariants 1, 2 and 4).
--
-- keys[i]  the entity's keys this effect touches (all under one hash tag)
-- args[1]  the plan, JSON:
--   docs  [{key, expect, arg}]   versioned documents: compare-and-set on the
--                                HASH field `version`, then write `doc` = args[arg]
--   audit {key, arg}             args[arg] = JSON array of entries, each a flat
--                                array [field, value, field, value...] for XADD
--   emit  [{arg, dest}]          envelopes to queue in the outbox
--   hset  [{key, field, arg}]    plain HSETs (owed follow-ups)
--   hdel  [{key, field}]         plain HDELs (a parked fact that now applies)
--   park  {key, info_key, field, arg, info_arg}
--                                park args[arg] under field unless already
--                                there; audit entries are written only when
--                                it is new
--   cause                        message id written to `updated_by`
--   parked_key                   key whose HLEN (facts still parked) is
--                                report()ed after the writes (optional)
-- Every version is checked BEFORE anything is written: on a mismatch the
-- script refuses with "VERSION ..." and nothing happens, not even the dedup
-- record, so the caller reloads and tries again.
-- Returns the highest document version written (0 if none), or the string
-- 'parked' / 'already-parked' for a park.
local plan = cjson.decode(args[1])
local docs = plan.docs or {}
for _, d in ipairs(docs) do
  local current = tonumber(redis.call('HGET', keys[d.key], 'version') or '0')
  if current ~= d.expect then
    return redis.error_reply('VERSION ' .. keys[d.key] .. ' expected ' .. d.expect .. ' found ' .. current)
  end
end

local outcome = nil
if plan.park then
  local p = plan.park
  if redis.call('HSETNX', keys[p.key], p.field, args[p.arg]) == 0 then
    return 'already-parked'
  end
  redis.call('HSET', keys[p.info_key], p.field, args[p.info_arg])
  outcome = 'parked'
end

local time = redis.call('TIME')
local now = tostring(tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000))
local top = 0
for _, d in ipairs(docs) do
  local version = d.expect + 1
  redis.call('HSET', keys[d.key], 'version', version, 'doc', args[d.arg], 'updated_ms', now,
             'updated_by', plan.cause or '')
  if version > top then top = version end
end
if plan.audit then
  for _, entry in ipairs(cjson.decode(args[plan.audit.arg])) do
    redis.call('XADD', keys[plan.audit.key], '*', unpack(entry))
  end
end
for _, e in ipairs(plan.emit or {}) do
  emit(args[e.arg], e.dest or '')
end
for _, h in ipairs(plan.hset or {}) do
  redis.call('HSET', keys[h.key], h.field, args[h.arg])
end
for _, h in ipairs(plan.hdel or {}) do
  redis.call('HDEL', keys[h.key], h.field)
end
if plan.parked_key then
  report(redis.call('HLEN', keys[plan.parked_key]))
end
if outcome then
  return outcome
end
return top
