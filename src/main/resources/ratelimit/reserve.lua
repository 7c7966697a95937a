-- Redis Cluster: both keys carry the subject as hash tag ({<what>}, RateLimitKeys.attempts/lock): one slot.
-- Reserves one attempt of a subject before it is checked, so that attempts checked at the same instant (on any
-- replica) can never exceed the limit: an attempt is counted from the moment it is reserved, not when it failed.
-- KEYS[1]: attempts hash (fields 'failed' and 'pending'), KEYS[2]: lock. Both carry the subject as hash tag.
-- ARGV: most failures, window (ms).
-- Returns the lock's remaining ms when locked; -1 when the failed and pending attempts already reach the limit;
-- 0 when the attempt is reserved (the caller must settle it with settle.lua).
local locked = redis.call('PTTL', KEYS[2])
if locked > 0 then return locked end
local failed = tonumber(redis.call('HGET', KEYS[1], 'failed') or '0')
local pending = tonumber(redis.call('HGET', KEYS[1], 'pending') or '0')
if failed + pending >= tonumber(ARGV[1]) then return -1 end
redis.call('HINCRBY', KEYS[1], 'pending', 1)
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
