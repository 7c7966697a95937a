-- Mixed traffic of bench/soak.sh, one request kind after another per connection: keys, sessions, logins and the
-- refusals a real client mix contains. Counts answers by status code; done() prints one line per code.
-- Environment: SOAK_ADMIN_KEY, SOAK_NARROW_KEY, SOAK_SESSION, SOAK_EMAIL, SOAK_PASSWORD.
local admin = os.getenv("SOAK_ADMIN_KEY")
local narrow = os.getenv("SOAK_NARROW_KEY")
local session = os.getenv("SOAK_SESSION")
local email = os.getenv("SOAK_EMAIL")
local password = os.getenv("SOAK_PASSWORD")
local unknown_key = "s4e_live_SoakUnknownKeyNeverStored32X9OyH"   -- well-formed, never stored: 401
local bad_checksum = "s4e_live_SoakUnknownKeyNeverStored32X9OyA"  -- refused before any lookup: 401
local json = { ["Content-Type"] = "application/json" }

local kinds = {
  { "GET", "/soak/key/assets", { ["Authorization"] = "Bearer " .. admin } },            -- 200 key
  { "GET", "/soak/key/assets", { ["X-API-Key"] = admin } },                             -- 200 key
  { "GET", "/soak/key/assets", { ["Cookie"] = "token=" .. session } },                  -- 200 session
  { "GET", "/soak/key/assets?token=" .. session, {} },                                  -- 200 session
  { "GET", "/soak/public/x", {} },                                                      -- 200 public
  { "GET", "/soak/key/assets", {} },                                                    -- 401 none
  { "GET", "/soak/key/assets", { ["X-API-Key"] = unknown_key } },                       -- 401 unknown
  { "GET", "/soak/key/assets", { ["X-API-Key"] = bad_checksum } },                      -- 401 malformed
  { "GET", "/soak/key/assets", { ["Authorization"] = "Bearer not.a.token" } },          -- 401 bad token
  { "GET", "/soak/key/assets", { ["X-API-Key"] = narrow } },                            -- 403 scope
  { "GET", "/soak/key/assets", { ["X-API-Key"] = "mfa_temp_abc" } },                    -- 403 mfa_required
  { "GET", "/soak/public/..%2Fkey", {} },                                               -- 400 path
  { "GET", "/soak/key/assets", { ["X-API-Key"] = admin, ["Authorization"] = "Bearer " .. session } }, -- 401 two
  { "GET", "/api/keys", { ["X-API-Key"] = admin } },                                    -- 200 endpoint
  { "POST", "/api/keys", { ["Content-Type"] = "application/json", ["X-API-Key"] = admin }, "{\"name\":" }, -- 400
  { "GET", "/nowhere", {} },                                                            -- 404
}
local login_ok = { "POST", "/api/user/auth/login", json,
  "{\"email\":\"" .. email .. "\",\"password\":\"" .. password .. "\"}" }               -- 200 login (Argon2)
local login_bad = { "POST", "/api/user/auth/login", json,
  "{\"email\":\"" .. email .. "\",\"password\":\"wrong-password-soak\"}" }              -- 401 login (Argon2)

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

local counter = 0
codes = {}  -- global: done() reads it from each thread
function init(args)
  counter = math.random(1, 1000)
end

function request()
  counter = counter + 1
  local k
  if counter % 97 == 0 then
    k = login_ok
  elseif counter % 89 == 0 then
    k = login_bad
  else
    k = kinds[(counter % #kinds) + 1]
  end
  return wrk.format(k[1], k[2], k[3], k[4])
end

function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("codes") or {}
    for status, n in pairs(c) do
      total[status] = (total[status] or 0) + n
    end
  end
  for status, n in pairs(total) do
    io.write(string.format("status %d %d\n", status, n))
  end
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("socket_errors connect=%d read=%d write=%d timeout=%d status=%d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status))
  io.write(string.format("latency_p50_ms %.1f p99_ms %.1f max_ms %.1f\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
