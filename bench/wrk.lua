-- wrk's script for `make bench`: each request carries the learner's cookies; with a list of
-- requests (one per line: METHOD PATH [BODY]) each thread takes its own share in turn, so
-- every answer POST goes to a statement not answered before. done() prints one JSON line.
local cookie = os.getenv("BENCH_COOKIE") or ""
local list_file = os.getenv("BENCH_REQUESTS")
local requests_list = {}
if list_file then
  for line in io.lines(list_file) do
    local method, path, body = line:match("^(%S+) (%S+) ?(.*)$")
    table.insert(requests_list, { method = method, path = path, body = body })
  end
end

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  thread:set("repeats", 0)
  table.insert(threads, thread)
  counter = counter + 1
end

local index = 0
local total_threads = 1

function init(args)
  total_threads = tonumber(args[1]) or 1
  index = id - 1
  repeats = 0
end

function request()
  local headers = { ["Cookie"] = cookie }
  if #requests_list == 0 then
    return wrk.format("GET", nil, headers)
  end
  local n = index % #requests_list + 1
  if index >= #requests_list then repeats = repeats + 1 end
  index = index + total_threads
  local item = requests_list[n]
  if item.method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  return wrk.format(item.method, item.path, headers, item.body ~= "" and item.body or nil)
end

function done(summary, latency, requests)
  local repeated = 0
  for _, thread in ipairs(threads) do repeated = repeated + (thread:get("repeats") or 0) end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.6f, "p50_us": %d, "p99_us": %d, "bad_status": %d, ' ..
    '"socket_errors": %d, "repeated": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    errors.status, errors.connect + errors.read + errors.write + errors.timeout, repeated))
end
