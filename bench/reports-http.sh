#!/usr/bin/env bash
# Benchmark: the national map's data over HTTP (issue 5: "the national map's data for 4,000 points
# answers in ≤ 50 ms"). `vigie serve --demo` (pinned to core 0) starts on a fresh demo file, which
# seeds about 4,000 dealing points over every département with their lifecycles, operations,
# prices and reports; then wrk (core 1) asks `GET /api/v1/dealing-points` as analyste.ofast (every
# point in France, the read decided by the policy and journaled durably before its answer), one
# connection at a time and then eight, and prints the latency distribution. The size of one
# answer is printed too.
#
# Usage: bench/reports-http.sh [duration_s]
set -euo pipefail
duration=${1:-15}
root=$(cd "$(dirname "$0")/.." && pwd)
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p vigie --manifest-path "$root/Cargo.toml"
vigie="$root/target/release/vigie"
work=$(mktemp -d)
server=""
# errexit applies inside the trap too: a server that already stopped must not fail the run.
trap '[ -n "$server" ] && { kill $server 2>/dev/null || true; }; rm -rf "$work"' EXIT
cd "$work"
port=18082
started=$(date +%s%N)
VIGIE_LOG=warn taskset -c 0 "$vigie" serve --demo --listen "127.0.0.1:$port" > server.log 2>&1 &
server=$!
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
echo "demo seeded and serving after $(( ($(date +%s%N) - started) / 1000000 )) ms"
token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/session" -H 'Content-Type: application/json' \
  -d '{"username":"analyste.ofast","password":"vigie-demo-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
url="http://127.0.0.1:$port/api/v1/dealing-points"
curl -sf -H "Authorization: Bearer $token" "$url" -o answer.json
points=$(python3 -c 'import json; print(len(json.load(open("answer.json"))["points"]))')
echo "map: points=$points answer=$(stat -c %s answer.json) bytes cpus=$(nproc) date=$(date -u +%FT%TZ)"
# Warm-up, not reported.
taskset -c 1 wrk -t1 -c1 -d3s -H "Authorization: Bearer $token" "$url" >/dev/null
for connections in 1 8; do
  echo "connections=$connections:"
  taskset -c 1 wrk -t1 -c"$connections" -d"${duration}s" --latency -H "Authorization: Bearer $token" "$url" \
    | grep -E 'Latency|50%|90%|99%|Requests/sec|Non-2xx|Socket errors' || true
done
kill -TERM $server; wait $server || true
server=""
