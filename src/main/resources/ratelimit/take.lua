-- Takes one token from every bucket in KEYS, or from none when one is empty.
-- ARGV[1]: now (ms, the caller's clock); then per bucket: capacity, tokens per ms.
-- A bucket is a hash {t = tokens (fractional), ts = time of the last refill}. A caller whose clock is behind ts
-- adds nothing (ts never moves back). Keys expire once the bucket would be full again.
-- Returns {allowed, then per bucket: whole tokens left, ms until one token, ms until full}.
local now = tonumber(ARGV[1])
local n = #KEYS
local tokens, stamps, caps, rates = {}, {}, {}, {}
local allowed = 1
for i = 1, n do
  local cap = tonumber(ARGV[2 * i])
  local rate = tonumber(ARGV[2 * i + 1])
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
  if t < 1 then allowed = 0 end
end
local out = {allowed}
for i = 1, n do
  local t = tokens[i]
  if allowed == 1 then
    t = t - 1
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
