-- wrk script for `make bench`: send pre-built, pre-signed requests from a file (NUL-separated).
-- wrk -s bench/wrk.lua URL -- FILE THREADS START
-- Requests are taken in order from index START; "laps" > 0 in the result means ids were reused.
-- done() prints the figures and the latency at many percentiles (wrk's Lua gives no histogram), so
-- the bench can merge runs.
-- With BENCH_ONCE=1 in the environment each request is sent exactly once, then the thread stops as
-- soon as all of them are answered (GET /healthz keeps any idle connection busy meanwhile). wrk
-- itself still waits out its duration: the bench interrupts it once Redis holds every request.
-- wrk calls request() once before connecting, to count pipelined requests, and never sends what
-- that call returns: the first call of thread 0 gets the filler, so no real request is lost.

local threads = {}
local next_id = 0
local once = os.getenv("BENCH_ONCE") == "1"

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(args[1], "rb"))
  local data = f:read("*a")
  f:close()
  reqs = {}
  local start = 1
  while true do
    local s = string.find(data, "\0", start, true)
    if not s then break end
    reqs[#reqs + 1] = string.sub(data, start, s - 1)
    start = s + 1
  end
  stride = tonumber(args[2] or "1")
  index = tonumber(args[3] or "0") + id
  mine = math.floor((#reqs - id + stride - 1) / stride)
  sent, laps, answered = 0, 0, 0
  counted = id ~= 0
  filler = "GET /healthz HTTP/1.1\r\nHost: " .. wrk.host .. ":" .. wrk.port .. "\r\n\r\n"
end

function request()
  if not counted then
    counted = true
    return filler
  end
  if index >= #reqs then
    if once then return filler end
    index = index % stride
    laps = laps + 1
  end
  local r = reqs[index + 1]
  index = index + stride
  sent = sent + 1
  return r
end

if once then
  function response(status, headers, body)
    if string.sub(body, 1, 1) == "<" then
      answered = answered + 1
      if answered >= mine then wrk.thread:stop() end
    end
  end
end

function done(summary, latency, requests)
  local sent_all, laps_all = 0, 0
  for _, t in ipairs(threads) do
    sent_all = sent_all + t:get("sent")
    laps_all = laps_all + t:get("laps")
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d connect=%d read=%d write=%d status=%d timeout=%d sent=%d laps=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout, sent_all, laps_all))
  local points = {}
  for i = 1, 180 do points[#points + 1] = i / 2 end
  for i = 1, 100 do points[#points + 1] = 90 + i / 10 end
  local quantiles = {}
  for _, p in ipairs(points) do quantiles[#quantiles + 1] = p .. ":" .. latency:percentile(p) end
  io.write("QUANTILES ", table.concat(quantiles, " "), "\n")
end
