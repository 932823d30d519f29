#!/usr/bin/env bash
# Benchmark: French full-text search over synthetic intelligence items (issue 8). `vigie bench search`
# generates the items (vigie-synth, deterministic), builds Vigie's index (tantivy), an SQLite FTS5
# index and a PostgreSQL French text-search index (GIN) of the same items, then runs the same queries
# for three readers (agent SD-13, CROSS 13, OFAST) with each reader's access scope inside the query,
# and prints build times, index sizes, latencies (p50/p99/max) and the ratios.
# PostgreSQL comes from .ci/postgres.sh (Debian's package, a throw-away cluster); a database
# bench_search is created for the run.
#
# Usage: bench/search.sh [items] [rounds]      (default 1,000,000 items, 30 rounds)
set -euo pipefail
items=${1:-1000000}
rounds=${2:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=../.ci/postgres.sh
source .ci/postgres.sh
(cd / && runuser -u "$VIGIE_PG_OS_USER" -- "$VIGIE_PG_BIN/psql" -q -h "${VIGIE_PG_DIR:-/tmp/vigie-pg}/socket" -p 54329 -d postgres \
  -c "DROP DATABASE IF EXISTS bench_search" -c "CREATE DATABASE bench_search OWNER vigie") >/dev/null
cargo build --release --locked -q -p vigie
echo "search: items=$items rounds=$rounds cpus=$(nproc) date=$(date -u +%FT%TZ)"
VIGIE_LOG=warn,sqlx=error target/release/vigie bench search --items "$items" --rounds "$rounds" \
  --postgres "${VIGIE_TEST_PG_URL%/*}/bench_search" --work-dir target/bench-search
