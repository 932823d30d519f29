#!/usr/bin/env python3
"""The peer of `vigie bench geo`: shapely 2 (GEOS STRtree) on the same polygons and the same points.

Usage: geo_shapely.py POLYGONS POINTS PAIRS_OUT
  POLYGONS   u32 count, then per polygon u32 length + WKB (written by vigie bench geo)
  POINTS     little-endian f64 pairs (lon, lat)
  PAIRS_OUT  written: little-endian i64 pairs (point index, polygon index), one per hit
Prints one JSON line with the timings. Single thread, like the Rust side.
"""

import json
import struct
import sys
import time

import numpy as np
import shapely


def main():
    polygons_path, points_path, pairs_path = sys.argv[1:4]
    with open(polygons_path, "rb") as fh:
        data = fh.read()
    (count,) = struct.unpack_from("<I", data, 0)
    offset, wkbs = 4, []
    for _ in range(count):
        (length,) = struct.unpack_from("<I", data, offset)
        wkbs.append(data[offset + 4 : offset + 4 + length])
        offset += 4 + length
    geoms = shapely.from_wkb(np.array(wkbs, dtype=object))

    t = time.perf_counter()
    tree = shapely.STRtree(geoms)
    tree.query(shapely.points([[2.0, 46.0]]), predicate="intersects")  # forces the build
    build = time.perf_counter() - t

    coords = np.fromfile(points_path, dtype="<f8").reshape(-1, 2)
    t = time.perf_counter()
    points = shapely.points(coords)
    make_points = time.perf_counter() - t

    t = time.perf_counter()
    pairs = tree.query(points, predicate="intersects")
    query = time.perf_counter() - t

    np.ascontiguousarray(pairs.T.astype("<i8")).tofile(pairs_path)
    print(
        json.dumps(
            {
                "shapely": shapely.__version__,
                "geos": shapely.geos_version_string,
                "build_s": build,
                "make_points_s": make_points,
                "query_s": query,
                "points": len(coords),
            }
        )
    )


if __name__ == "__main__":
    main()
