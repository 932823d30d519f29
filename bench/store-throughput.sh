#!/usr/bin/env bash
# Benchmarks: store write throughput and synthetic data generation, each a `harness = false` bench
# target printing its own figures:
#   - vigie-store-sqlite  --bench throughput    group commit vs one commit per request vs raw rusqlite;
#   - vigie-store-postgres --bench group_commit group commit on $VIGIE_TEST_PG_URL (skipped when unset;
#                                               `source .ci/postgres.sh` first to run it);
#   - vigie-synth         --bench generate      generation of 100,000 people.
#
# Usage: bench/store-throughput.sh   (VIGIE_BENCH_TASKS and VIGIE_BENCH_DIR tune the SQLite one)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

echo "== SQLite store (vigie-store-sqlite --bench throughput)"
cargo bench -q -p vigie-store-sqlite --bench throughput

echo "== PostgreSQL store (vigie-store-postgres --bench group_commit)"
if [[ -n "${VIGIE_TEST_PG_URL:-}" ]]; then
    cargo bench -q -p vigie-store-postgres --bench group_commit
else
    echo "skipped: VIGIE_TEST_PG_URL is not set (source .ci/postgres.sh to run it)"
fi

echo "== Synthetic data (vigie-synth --bench generate)"
cargo bench -q -p vigie-synth --bench generate
