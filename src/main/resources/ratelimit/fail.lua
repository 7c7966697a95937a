-- Redis Cluster: both keys carry the subject as hash tag ({<what>}, RateLimitKeys.failures/lock): one slot.
-- Records failures of a subject and locks it after too many.
-- KEYS[1]: failure counter, KEYS[2]: lock. ARGV: most failures, window (ms), lock duration (ms), failures to add.
-- Returns the lock's remaining ms when the subject is (now) locked, else minus the failures counted in the window.
local locked = redis.call('PTTL', KEYS[2])
if locked > 0 then return locked end
local add = tonumber(ARGV[4])
local n = redis.call('INCRBY', KEYS[1], add)
if n == add then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if n >= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return tonumber(ARGV[3])
end
return -n
