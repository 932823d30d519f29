#!/usr/bin/env bash
# Reverse geocoding benchmark (issue 4): Vigie's index against shapely 2 (GEOS STRtree) on the same
# polygons and points, single thread, 1,000,000 on-land and 1,000,000 uniform points by default.
# Installs shapely in a virtual environment under target/ (PyPI), then runs `vigie bench geo`.
# Usage: bench/geo.sh [POINTS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
points=${1:-1000000}
venv=target/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "shapely==2.2.0" numpy
fi
cargo build --release --locked -q -p vigie
# One core for each side, the same core: single-thread figures.
exec taskset -c 0 target/release/vigie bench geo --points "$points" --python "$venv/bin/python" --work-dir target/bench-geo
