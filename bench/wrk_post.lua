-- POSTs of unique bodies for wrk (bench/wrk.py): WRK_BODY with SERIAL replaced by a number no other
-- request of the run uses (WRK_SERIAL_BASE + thread * 100,000 + count); with WRK_IDEMPOTENCY=1
-- each request also carries its own Idempotency-Key, as the filing script sends one.
local template = os.getenv("WRK_BODY")
local base = tonumber(os.getenv("WRK_SERIAL_BASE"))
local with_key = os.getenv("WRK_IDEMPOTENCY") == "1"
local threads = 0
local count = 0

function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end

function request()
  count = count + 1
  local serial = base + thread_index * 100000 + count
  local body = template:gsub("SERIAL", tostring(serial))
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/json"
  if with_key then headers["Idempotency-Key"] = "wrk-" .. serial end
  return wrk.format("POST", nil, headers, body)
end
