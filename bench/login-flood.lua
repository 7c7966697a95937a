-- bench/login-flood.sh: wrong-password logins for unknown e-mails from 40 client addresses (X-Forwarded-For from a
-- trusted proxy), each request its own e-mail, so no account lock ever answers for the password check.
local counter = 0
local round = os.getenv("FLOOD_ROUND") or "0"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  local address = "10." .. (70 + tonumber(round)) .. "." .. (counter % 40) .. ".9"
  wrk.headers["X-Forwarded-For"] = address
  local body = '{"email":"flood-' .. round .. '-' .. counter .. '-' .. math.random(1, 1000000000)
      .. '@example.test","password":"a wrong password of some length"}'
  return wrk.format(nil, "/api/user/auth/login", nil, body)
end
