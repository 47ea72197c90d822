"""The overview map: a fixed projection of Germany and its neighbours into SVG coordinates.

The base map (``data/overview_map.json``, built by ``scripts/build_overview_map.py``
from Natural Earth) holds simplified longitude/latitude rings.  This module
projects them once per process with a Lambert conformal conic projection (standard
parallels 48°40′ and 53°40′, the usual choice for Germany) into a
``WIDTH``×``height`` SVG viewBox, and projects organisation coordinates the same
way so dots land on the right spot.  No tiles, no network, no JavaScript.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "overview_map.json"

WIDTH = 560.0
PADDING = 4.0

_LAT1, _LAT2 = math.radians(48 + 40 / 60), math.radians(53 + 40 / 60)
_LAT0, _LON0 = math.radians(51.0), math.radians(10.5)
_N = math.log(math.cos(_LAT1) / math.cos(_LAT2)) / math.log(
    math.tan(math.pi / 4 + _LAT2 / 2) / math.tan(math.pi / 4 + _LAT1 / 2)
)
_F = math.cos(_LAT1) * math.tan(math.pi / 4 + _LAT1 / 2) ** _N / _N
_RHO0 = _F / math.tan(math.pi / 4 + _LAT0 / 2) ** _N


def lcc(longitude: float, latitude: float) -> tuple[float, float]:
    """Lambert conformal conic on the unit sphere; y grows northwards."""
    rho = _F / math.tan(math.pi / 4 + math.radians(latitude) / 2) ** _N
    theta = _N * (math.radians(longitude) - _LON0)
    return rho * math.sin(theta), _RHO0 - rho * math.cos(theta)


@dataclass(frozen=True)
class Region:
    name: str
    code: str
    path: str


@dataclass(frozen=True)
class BaseMap:
    width: float
    height: float
    view: tuple[float, float, float, float]  # lon/lat box that is drawn
    states: tuple[Region, ...]
    neighbours: tuple[Region, ...]
    scale: float
    origin: tuple[float, float]

    def project(self, longitude: float, latitude: float) -> tuple[float, float]:
        x, y = lcc(longitude, latitude)
        return (
            round(PADDING + (x - self.origin[0]) * self.scale, 1),
            round(PADDING + (self.origin[1] - y) * self.scale, 1),
        )

    def contains(self, longitude: float, latitude: float) -> bool:
        west, south, east, north = self.view
        return west <= longitude <= east and south <= latitude <= north


def _path(rings: list[list[list[float]]], project: object) -> str:
    parts = []
    for ring in rings:
        points = [project(lon, lat) for lon, lat in ring]  # type: ignore[operator]
        parts.append(
            "M" + "L".join(f"{x:g},{y:g}" for x, y in points) + "Z"
        )
    return "".join(parts)


@lru_cache(maxsize=1)
def base_map() -> BaseMap:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    west, south, east, north = data["view"]
    # Parallels project to arcs bulging southwards and meridians converge to the
    # north: crop to the part inside all four edges so no empty corners show.
    min_x = max(lcc(west, south)[0], lcc(west, north)[0])
    max_x = min(lcc(east, south)[0], lcc(east, north)[0])
    min_y = max(lcc(west, south)[1], lcc(east, south)[1])
    max_y = lcc((west + east) / 2, north)[1]
    scale = (WIDTH - 2 * PADDING) / (max_x - min_x)
    height = round((max_y - min_y) * scale + 2 * PADDING, 1)
    partial = BaseMap(WIDTH, height, (west, south, east, north), (), (), scale, (min_x, max_y))
    states = tuple(
        Region(state["name"], state["code"], _path(state["rings"], partial.project))
        for state in data["states"]
    )
    neighbours = tuple(
        Region(country["name"], "", _path(country["rings"], partial.project))
        for country in data["neighbours"]
    )
    return BaseMap(
        WIDTH, height, (west, south, east, north), states, neighbours, scale, (min_x, max_y)
    )
