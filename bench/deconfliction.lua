-- wrk script: standalone deconfliction checks, bodies read from $VIGIE_BENCH_CHECKS (JSON lines
-- written by `vigie bench deconfliction --write-checks`: even lines hit a registered phone, odd
-- lines miss). $VIGIE_BENCH_SET chooses "hit" or "miss". A 200 answer whose notices do not match
-- the expectation counts as wrong.
local set = os.getenv("VIGIE_BENCH_SET")
local bodies = {}
local index = 0
for line in io.lines(os.getenv("VIGIE_BENCH_CHECKS")) do
  if (index % 2 == 0) == (set == "hit") then
    bodies[#bodies + 1] = line
  end
  index = index + 1
end
local counter = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("VIGIE_BENCH_TOKEN")

request = function()
  counter = counter + 1
  return wrk.format(nil, "/api/v1/deconfliction/check", nil, bodies[(counter % #bodies) + 1])
end

local threads = {}
setup = function(thread)
  threads[#threads + 1] = thread
end

wrong = 0
response = function(status, headers, body)
  local empty = body:find('"notices":%[%]') ~= nil
  if status ~= 200 or empty == (set == "hit") then
    wrong = wrong + 1
  end
end

done = function(summary, latency, requests)
  local wrong_answers = 0
  for _, thread in ipairs(threads) do
    wrong_answers = wrong_answers + thread:get("wrong")
  end
  io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f errors=%d wrong=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    wrong_answers))
end
