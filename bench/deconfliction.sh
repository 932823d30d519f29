#!/usr/bin/env bash
# Benchmark: the target file (issue 6). First `vigie bench deconfliction` registers 200,000 targets
# (1,000,000 identifiers) in two bulks and times 20,000 checks in process; then the same file is
# served (`vigie serve` pinned to core 0) and wrk (core 1) sends the same checks over HTTP,
# `POST /api/v1/deconfliction/check`, each authenticated, decided by the policy and journaled
# durably before its answer: once with hits only, once with misses only, so the two can be compared.
#
# Usage: bench/deconfliction.sh [duration_s] [connection counts, e.g. "1 8 32"]
set -euo pipefail
duration=${1:-15}
connection_counts=${2:-1 8 32}
root=$(cd "$(dirname "$0")/.." && pwd)
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p vigie --manifest-path "$root/Cargo.toml"
vigie="$root/target/release/vigie"
work=$(mktemp -d)
server=""
# errexit applies inside the trap too: a server that already stopped must not fail the run.
trap '[ -n "$server" ] && { kill $server 2>/dev/null || true; }; rm -rf "$work"' EXIT
cd "$work"
"$vigie" bench deconfliction --data-dir "$work/vigie-data" --write-checks "$work/checks.jsonl" 2>/dev/null
export VIGIE_DB="sqlite://$work/vigie-data/bench-deconfliction.db"
port=18081
taskset -c 0 "$vigie" serve --data-dir "$work/vigie-data" --listen "127.0.0.1:$port" > server.log 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/session" -H 'Content-Type: application/json' \
  -d '{"username":"agent.marseille","password":"vigie-demo-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
# Warm-up, not reported: the freshly started server reads the file's pages for the first time.
VIGIE_BENCH_CHECKS="$work/checks.jsonl" VIGIE_BENCH_SET=hit VIGIE_BENCH_TOKEN="$token" \
  taskset -c 1 wrk -t1 -c8 -d5s -s "$root/bench/deconfliction.lua" "http://127.0.0.1:$port" >/dev/null
echo "http: duration=${duration}s per run, checks=$(wc -l < checks.jsonl) cpus=$(nproc) date=$(date -u +%FT%TZ)"
for connections in $connection_counts; do for set in hit miss; do
  printf 'connections=%s %s: ' "$connections" "$set"
  VIGIE_BENCH_CHECKS="$work/checks.jsonl" VIGIE_BENCH_SET="$set" VIGIE_BENCH_TOKEN="$token" \
    taskset -c 1 wrk -t1 -c"$connections" -d"${duration}s" --latency -s "$root/bench/deconfliction.lua" \
    "http://127.0.0.1:$port" | grep -E 'RESULT|Non-2xx|Socket errors' || true
done; done
kill -TERM $server; wait $server || true
server=""
"$vigie" journal verify --data-dir "$work/vigie-data" | tail -1
