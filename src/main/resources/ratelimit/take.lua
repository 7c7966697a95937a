-- Redis Cluster: every bucket of one decision belongs to one subject (an account or a client IP), which each key
-- carries as hash tag ({u:<id>} or {ip:<address>}, RateLimitKeys): one slot.
-- Takes up to ARGV[2] tokens from every bucket in KEYS (the same number from each), at least one, or none when one
-- bucket holds less than one token.
-- ARGV[1]: now (ms, the caller's clock); ARGV[2]: tokens wanted (at least 1); then per bucket: capacity, tokens per ms.
-- A bucket is a hash {t = tokens (fractional), ts = time of the last refill}. A caller whose clock is behind ts
-- adds nothing (ts never moves back). Keys expire once the bucket would be full again.
-- Returns {tokens taken (0 when refused), then per bucket: whole tokens left, ms until one token, ms until full}.
local now = tonumber(ARGV[1])
local want = tonumber(ARGV[2])
local n = #KEYS
local tokens, stamps, caps, rates = {}, {}, {}, {}
local taken = want
for i = 1, n do
  local cap = tonumber(ARGV[2 * i + 1])
  local rate = tonumber(ARGV[2 * i + 2])
  local v = redis.call('HMGET', KEYS[i], 't', 'ts')
  local t = tonumber(v[1])
  local ts = tonumber(v[2])
  if t == nil or ts == nil then
    t = cap
    ts = now
  elseif now > ts then
    t = t + (now - ts) * rate
    ts = now
  end
  if t > cap then t = cap end
  tokens[i], stamps[i], caps[i], rates[i] = t, ts, cap, rate
  local whole = math.floor(t)
  if whole < taken then taken = whole end
end
if taken < 0 then taken = 0 end
local out = {taken}
for i = 1, n do
  local t = tokens[i]
  if taken > 0 then
    t = t - taken
    redis.call('HSET', KEYS[i], 't', string.format('%.17g', t), 'ts', string.format('%d', stamps[i]))
    redis.call('PEXPIRE', KEYS[i], math.ceil((caps[i] - t) / rates[i]) + 1000)
  end
  local wait = 0
  if t < 1 then wait = math.ceil((1 - t) / rates[i]) end
  out[#out + 1] = math.floor(t)
  out[#out + 1] = wait
  out[#out + 1] = math.ceil((caps[i] - t) / rates[i])
end
return out
