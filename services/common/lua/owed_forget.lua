-- owed_forget: after its follow-ups were performed, forgets one effect's
-- owed entry and says what is left on the entity, in one round trip where
-- HDEL, HLEN and the parked-facts HLEN took three.
--
-- KEYS[1]  the entity's owed HASH   (<prefix>:owed:<service>)
-- KEYS[2]  its parked HASH           (<prefix>:parked:<service>, same tag)
-- ARGV[1]  the effect's cause id (the owed field)
-- Returns {owed entries left, parked facts waiting}.
redis.call('HDEL', KEYS[1], ARGV[1])
return {redis.call('HLEN', KEYS[1]), redis.call('HLEN', KEYS[2])}
