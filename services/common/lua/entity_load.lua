-- entity_load: what a handler needs before it decides, in ONE round trip:
-- the digest recorded for the message id (was it applied already?) and the
-- declared documents with their versions (the compare-and-set base). It
-- used to be one HGET and one HMGET per document.
--
-- KEYS[1]   the consumer's digests HASH (<prefix>:seen:<service>:digest)
-- KEYS[2..] the documents' HASHes (<prefix>:<name>, same hash tag)
-- ARGV[1]   message id
-- Returns {digest or nil, version or nil, doc or nil, version, doc, ...}
local out = {redis.call('HGET', KEYS[1], ARGV[1])}
for i = 2, #KEYS do
  local fields = redis.call('HMGET', KEYS[i], 'version', 'doc')
  out[#out + 1] = fields[1]
  out[#out + 1] = fields[2]
end
return out
