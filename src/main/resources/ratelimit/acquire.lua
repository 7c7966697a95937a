-- Redis Cluster: one key only, so always one slot.
-- Takes a concurrency lease when fewer than the limit are live.
-- KEYS[1]: sorted set of lease ids scored by expiry (ms). ARGV: now, expiry of the new lease, limit, lease id,
-- key ttl (ms). Expired leases (a replica that died, a renewal that stopped) are removed first.
-- Returns {1, live leases including this one, 0} or {0, live leases, expiry of the earliest lease}.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local n = redis.call('ZCARD', KEYS[1])
if n >= tonumber(ARGV[3]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, n, tonumber(first[2])}
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return {1, n + 1, 0}
