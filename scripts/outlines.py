#!/usr/bin/env python3
"""Build assets/outlines/west_central_africa.json, the country outlines of the report's map.

Reads the Natural Earth 1:50m admin-0 countries as TopoJSON, from the npm package world-atlas
(version 2.0.2, Natural Earth 4.1.0, ISC licence; Natural Earth itself is public domain):

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python3 scripts/outlines.py /tmp/package/countries-50m.json > assets/outlines/west_central_africa.json

and writes, for each country of West and Central Africa and its neighbours, keyed by ISO 3166-1
alpha-3 code: its name, its outline as SVG path data (simplified, projected), a point inside it
for its label, and its bounding box. Standard library only.

Projection: equirectangular with standard parallel 8 degrees north (x = (lon - LON0) * cos(8)
* SCALE, y = (LAT0 - lat) * SCALE); over this region (4 S to 27 N on most of the map) it
distorts areas by at most about 13%, less than the outlines' simplification shows.
"""

import json
import math
import sys

# ISO 3166-1 numeric (world-atlas's ids) to alpha-3 (casus's state ids), for the region and
# the neighbours that frame it.
NUMERIC_TO_ALPHA3 = {
    "012": "DZA", "024": "AGO", "072": "BWA", "108": "BDI", "120": "CMR", "132": "CPV",
    "140": "CAF", "148": "TCD", "178": "COG", "180": "COD", "204": "BEN", "226": "GNQ",
    "231": "ETH", "266": "GAB", "270": "GMB", "288": "GHA", "324": "GIN", "384": "CIV",
    "404": "KEN", "430": "LBR", "434": "LBY", "466": "MLI", "478": "MRT", "504": "MAR",
    "516": "NAM", "562": "NER", "566": "NGA", "624": "GNB", "646": "RWA", "678": "STP",
    "686": "SEN", "694": "SLE", "728": "SSD", "729": "SDN", "732": "ESH", "768": "TGO",
    "788": "TUN", "800": "UGA", "818": "EGY", "834": "TZA", "854": "BFA", "894": "ZMB",
    "716": "ZWE", "454": "MWI", "508": "MOZ", "724": "ESP",
}

# Names as the map shows them (Natural Earth's short forms otherwise).
NAMES = {"CIV": "Côte d'Ivoire", "CAF": "Central African Republic", "COD": "DR Congo", "COG": "Congo",
         "GNQ": "Equatorial Guinea", "STP": "São Tomé and Príncipe", "SSD": "South Sudan",
         "ESH": "Western Sahara", "GMB": "The Gambia"}

LON0, LAT0, PARALLEL, SCALE = -26.0, 28.0, 8.0, 20.0
# Degrees: points closer than this to the simplified line are dropped (Douglas-Peucker).
TOLERANCE = 0.04
# The window of the world kept: countries with any point in it.
WINDOW = (-26.0, -19.0, 32.0, 28.0)  # west, south, east, north


def project(lon, lat):
    return ((lon - LON0) * math.cos(math.radians(PARALLEL)) * SCALE, (LAT0 - lat) * SCALE)


def decode_arcs(topology):
    sx, sy = topology["transform"]["scale"]
    tx, ty = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def simplify(points, tolerance):
    """Douglas-Peucker, keeping both ends (so arcs shared by two countries still meet)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay)
        worst, worst_at = 0.0, None
        for i in range(first + 1, last):
            px, py = points[i]
            if length == 0:
                d = math.hypot(px - ax, py - ay)
            else:
                d = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            if d > worst:
                worst, worst_at = d, i
        if worst_at is not None and worst > tolerance:
            keep[worst_at] = True
            stack.append((first, worst_at))
            stack.append((worst_at, last))
    return [p for p, k in zip(points, keep) if k]


def ring(arcs, indexes):
    points = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def polygons(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def area(points):
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1])) / 2.0


def inside(x, y, points):
    result = False
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]):
        if (y0 > y) != (y1 > y) and x < (x1 - x0) * (y - y0) / (y1 - y0) + x0:
            result = not result
    return result


def distance_to_edge(x, y, points):
    best = math.inf
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]):
        dx, dy = x1 - x0, y1 - y0
        t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)))
        best = min(best, math.hypot(x - x0 - t * dx, y - y0 - t * dy))
    return best


def label_point(outer):
    """A point well inside the largest polygon: the grid point farthest from its edge."""
    xs, ys = [p[0] for p in outer], [p[1] for p in outer]
    best, best_d = None, -1.0
    steps = 40
    for i in range(1, steps):
        for j in range(1, steps):
            x = min(xs) + (max(xs) - min(xs)) * i / steps
            y = min(ys) + (max(ys) - min(ys)) * j / steps
            if inside(x, y, outer):
                d = distance_to_edge(x, y, outer)
                if d > best_d:
                    best, best_d = (x, y), d
    return best or (sum(xs) / len(xs), sum(ys) / len(ys))


def path_data(rings):
    """SVG path data: absolute first point, then relative moves, one decimal."""
    out = []
    for points in rings:
        rounded = [(round(x, 1), round(y, 1)) for x, y in points]
        deduped = [rounded[0]] + [p for q, p in zip(rounded, rounded[1:]) if p != q]
        if len(deduped) < 3:
            continue
        x0, y0 = deduped[0]
        parts = [f"M{x0:g} {y0:g}l"]
        for (ax, ay), (bx, by) in zip(deduped, deduped[1:]):
            parts.append(f"{round(bx - ax, 1):g} {round(by - ay, 1):g} ")
        out.append("".join(parts).rstrip() + "z")
    return "".join(out)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: outlines.py countries-50m.json > west_central_africa.json")
    topology = json.load(open(sys.argv[1], encoding="utf-8"))
    arcs = [simplify(a, TOLERANCE) for a in decode_arcs(topology)]
    west, south, east, north = WINDOW
    countries = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = NUMERIC_TO_ALPHA3.get(geometry.get("id"))
        if code is None:
            continue
        rings_lonlat = [ring(arcs, r) for polygon in polygons(geometry) for r in polygon]
        if not any(west <= lon <= east and south <= lat <= north for r in rings_lonlat for lon, lat in r):
            continue
        projected = [[project(lon, lat) for lon, lat in r] for r in rings_lonlat]
        outer = max(projected, key=lambda r: abs(area(r)))
        xs = [p[0] for r in projected for p in r]
        ys = [p[1] for r in projected for p in r]
        lx, ly = label_point(outer)
        countries[code] = {
            "name": NAMES.get(code, geometry["properties"]["name"]),
            "path": path_data(projected),
            "label": [round(lx, 1), round(ly, 1)],
            "bbox": [round(min(xs), 1), round(min(ys), 1), round(max(xs), 1), round(max(ys), 1)],
        }
    asset = {
        "source": "Natural Earth 4.1.0 admin-0 countries, 1:50m (public domain), from the npm package "
                  "world-atlas 2.0.2 (countries-50m.json, ISC licence), converted by scripts/outlines.py",
        "projection": {"kind": "equirectangular", "lon0": LON0, "lat0": LAT0, "standard_parallel": PARALLEL,
                       "units_per_degree": SCALE, "simplified_degrees": TOLERANCE},
        "countries": dict(sorted(countries.items())),
    }
    json.dump(asset, sys.stdout, ensure_ascii=False, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
