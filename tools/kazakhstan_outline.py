"""Derive geodata/kazakhstan-outline.geojson from Natural Earth (via the npm package world-atlas).

The map draws this outline under the place circles, so Kazakhstan's shape is there even when no
map tiles load (see dashboard/mapview.py). It was made once and committed; to make it again::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python tools/kazakhstan_outline.py package/countries-50m.json geodata/kazakhstan-outline.geojson

world-atlas 2.0.2 (ISC licence) redistributes Natural Earth 4.1.0 (public domain) as TopoJSON.
This script decodes the TopoJSON arcs of the country named "Kazakhstan", drops slivers, simplifies
the rings (shapely, 0.02 degree tolerance, about 2 km) and rounds coordinates to 2 decimals.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from shapely.geometry import MultiPolygon, Polygon, mapping

COUNTRY = "Kazakhstan"
TOLERANCE_DEGREES = 0.02
MIN_AREA_SQ_DEGREES = 0.01


def _arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The topology's arcs as absolute [lon, lat] points (delta-decoded, then transformed)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    out = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


def _ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for i in indices:
        points = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(points if not ring else points[1:])  # consecutive arcs share an end point
    return ring


def outline(topology: dict, country: str = COUNTRY) -> dict:
    """A GeoJSON FeatureCollection with the country's simplified (multi)polygon."""
    arcs = _arcs(topology)
    (geometry,) = [
        g
        for g in topology["objects"]["countries"]["geometries"]
        if g["properties"].get("name") == country
    ]
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    shapes = []
    for rings in polygons:
        shell, *holes = (_ring(r, arcs) for r in rings)
        shape = Polygon(shell, holes).simplify(TOLERANCE_DEGREES, preserve_topology=True)
        if shape.area >= MIN_AREA_SQ_DEGREES:
            shapes.append(shape)
    geom = mapping(MultiPolygon(shapes) if len(shapes) > 1 else shapes[0])
    rounded = json.loads(json.dumps(geom), parse_float=lambda v: round(float(v), 2))
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "name": country,
                    "source": "Natural Earth 4.1.0 1:50m admin 0 countries, via world-atlas 2.0.2",
                    "licence": "public domain (Natural Earth)",
                },
                "geometry": rounded,
            }
        ],
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python tools/kazakhstan_outline.py COUNTRIES-50M.json OUT.geojson")
        return 2
    topology = json.loads(Path(argv[0]).read_text("utf-8"))
    text = json.dumps(outline(topology), separators=(",", ":")) + "\n"
    Path(argv[1]).write_text(text, "utf-8")
    print(f"{argv[1]}: {len(text)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
