-- Redis Cluster: one key only, so always one slot.
-- Extends a live concurrency lease. KEYS[1]: the sorted set; ARGV: new expiry, lease id, key ttl (ms).
-- A lease that is gone (expired and removed) is not brought back. Returns 1 when renewed.
if redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  redis.call('ZADD', KEYS[1], 'XX', ARGV[1], ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
return 0
