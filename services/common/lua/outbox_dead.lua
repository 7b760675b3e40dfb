-- outbox_dead: the bus refused an outbox entry for good (non-retryable
-- NACK): move it to the entity's dead-letter stream with the reason, so
-- nothing is lost and an operator can inspect or replay it.
--
-- KEYS[1]  outbox STREAM, KEYS[2] dead-letter STREAM (entity's hash tag)
-- ARGV[1]  entry id
-- ARGV[2]  reason name ("INVALID"), ARGV[3] detail, ARGV[4] handled_by
-- ARGV[5]  most entries kept in the dead-letter stream
-- Returns 1 if moved, 0 if the entry was already gone.
local entries = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #entries == 0 then
  return 0
end
local fields = entries[1][2]
local env, dest = '', ''
for i = 1, #fields, 2 do
  if fields[i] == 'env' then env = fields[i + 1] end
  if fields[i] == 'dest' then dest = fields[i + 1] end
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', tonumber(ARGV[5]), '*', 'env', env, 'dest', dest,
           'reason', ARGV[2], 'detail', ARGV[3], 'handled_by', ARGV[4], 'outbox_id', ARGV[1])
redis.call('XDEL', KEYS[1], ARGV[1])
if redis.call('XLEN', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[1])
end
return 1
