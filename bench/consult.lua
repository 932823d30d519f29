-- wrk script: journaled consultations of entities, rotating over ids read from $VIGIE_BENCH_IDS.
-- Each request is POST /api/v1/entities/{id}/consultation with a motif; each writes a journal entry.
local ids = {}
for line in io.lines(os.getenv("VIGIE_BENCH_IDS")) do
  ids[#ids + 1] = line
end
local token = os.getenv("VIGIE_BENCH_TOKEN")
local counter = 0

wrk.method = "POST"
wrk.body = '{"motif":"banc de mesure"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

request = function()
  counter = counter + 1
  local id = ids[(counter % #ids) + 1]
  return wrk.format(nil, "/api/v1/entities/" .. id .. "/consultation")
end

local non2xx = 0
response = function(status, headers, body)
  if status ~= 200 then
    non2xx = non2xx + 1
  end
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_s=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
