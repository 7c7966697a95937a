-- Redis Cluster: both keys carry the subject as hash tag ({<what>}, RateLimitKeys.failures/lock): one slot.
-- Records one failure of a subject and locks it after too many.
-- KEYS[1]: failure counter, KEYS[2]: lock. ARGV: most failures, window (ms), lock duration (ms).
-- Returns the lock's remaining ms when the subject is (now) locked, else 0.
local locked = redis.call('PTTL', KEYS[2])
if locked > 0 then return locked end
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if n >= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return tonumber(ARGV[3])
end
return 0
