-- Redis Cluster: both keys carry the subject as hash tag ({<what>}, RateLimitKeys.attempts/lock): one slot.
-- Settles an attempt reserved by reserve.lua: it is no longer pending and, when it failed, counts as a failure; the
-- failure that reaches the limit locks the subject.
-- KEYS[1]: attempts hash, KEYS[2]: lock. ARGV: failed ('1' or '0'), most failures, window (ms), lock duration (ms).
-- Returns the lock's remaining ms when the subject is (now) locked, else 0.
if redis.call('EXISTS', KEYS[1]) == 1 then
  if tonumber(redis.call('HGET', KEYS[1], 'pending') or '0') > 0 then
    redis.call('HINCRBY', KEYS[1], 'pending', -1)
  end
end
if ARGV[1] == '1' then
  local failed = redis.call('HINCRBY', KEYS[1], 'failed', 1)
  if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
  if failed >= tonumber(ARGV[2]) then
    redis.call('SET', KEYS[2], '1', 'PX', ARGV[4])
    redis.call('DEL', KEYS[1])
    return tonumber(ARGV[4])
  end
end
local locked = redis.call('PTTL', KEYS[2])
if locked > 0 then return locked end
return 0
