#!/usr/bin/env bash
# Benchmark: journaled consultation of an entity over HTTP (issue: ≥ 10,000 req/s, p99 ≤ 10 ms on
# 2 cores). The server runs on core 0, wrk on core 1. Every request writes its journal entry durably
# before answering; afterwards the journal must hold one consultation entry per 2xx response and verify.
# Prints Vigie's figure beside the raw SQLite single-row commit rate measured in the same run.
#
# Usage: bench/http-consult.sh [sqlite|postgres] [duration_s] [connections]
#   postgres uses $VIGIE_TEST_PG_URL (e.g. after `source .ci/postgres.sh`).
set -euo pipefail
backend=${1:-sqlite}
duration=${2:-20}
connections=${3:-64}
root=$(cd "$(dirname "$0")/.." && pwd)
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p vigie --manifest-path "$root/Cargo.toml"
vigie="$root/target/release/vigie"
work=$(mktemp -d)
server=""
# errexit applies inside the trap too: a server that already stopped must not fail the run.
trap '[ -n "$server" ] && { kill $server 2>/dev/null || true; }; rm -rf "$work"' EXIT
cd "$work"
case "$backend" in
  sqlite) export VIGIE_DB="sqlite://$work/vigie-data/bench.db" ;;
  postgres) export VIGIE_DB="${VIGIE_TEST_PG_URL:?set VIGIE_TEST_PG_URL}" ;;
  *) echo "backend must be sqlite or postgres"; exit 1 ;;
esac
"$vigie" synth --seed 42 --people 2000 >/dev/null
port=18080
taskset -c 0 "$vigie" serve --listen "127.0.0.1:$port" > server.log 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/session" -H 'Content-Type: application/json' \
  -d '{"username":"analyste.ofast","password":"vigie-demo-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
curl -sf -X POST "http://127.0.0.1:$port/api/v1/entities/search" -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
  -d '{"text":"e","schema":"Person","motif":"préparation du banc","limit":200}' | python3 -c 'import json,sys; [print(h["id"]) for h in json.load(sys.stdin)["hits"]]' > ids.txt
before=$(curl -sf "http://127.0.0.1:$port/metrics" | awk '/^vigie_consultations_total/ {print $2}')
echo "backend=$backend connections=$connections duration=${duration}s ids=$(wc -l < ids.txt) cpus=$(nproc) date=$(date -u +%FT%TZ)"
VIGIE_BENCH_IDS="$work/ids.txt" VIGIE_BENCH_TOKEN="$token" taskset -c 1 wrk -t1 -c"$connections" -d"${duration}s" --latency \
  -s "$root/bench/consult.lua" "http://127.0.0.1:$port" | tee wrk.txt | grep -E 'RESULT|Non-2xx|Socket errors' || true
after=$(curl -sf "http://127.0.0.1:$port/metrics" | awk '/^vigie_consultations_total/ {print $2}')
echo "consultations journaled during the run: $((${after%.*} - ${before%.*}))"
kill -TERM $server; wait $server || true
"$vigie" journal verify | tail -1
if [ "$backend" = sqlite ]; then
  python3 "$root/bench/sqlite_commit_rate.py" "$work" 5
fi
