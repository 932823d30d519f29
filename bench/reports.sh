#!/usr/bin/env bash
# Benchmark: residents' reports and dealing points. `vigie bench reports` opens a fresh SQLite
# store under target/bench-reports, seeds the synthetic units and accounts, then:
#  (a) creates 4,000 dealing points through the engine as analyste.ofast, spread over the communes
#      of the synthetic départements (13, 75, 93, 59, 69, 971);
#  (b) reads the national map's data (OFAST, every point, journaled) and the 13's (CROSS 13), 50 rounds;
#  (c) submits 500 residents' reports one at a time, proofs of work solved before the timer;
#  (d) matches 100,000 synthetic reports to candidate points within 150 m, in memory.
# Each figure is printed next to its target (submission p99 ≤ 20 ms, map ≤ 50 ms, matching ≤ 5 s).
#
# Usage: bench/reports.sh [points] [submissions] [matches]
set -euo pipefail
points=${1:-4000}
submissions=${2:-500}
matches=${3:-100000}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cargo build --release --locked -q -p vigie
echo "reports: points=$points submissions=$submissions matches=$matches cpus=$(nproc) date=$(date -u +%FT%TZ)"
VIGIE_LOG=warn target/release/vigie bench reports --points "$points" --submissions "$submissions" \
  --matches "$matches" --rounds 50 --data-dir target/bench-reports
