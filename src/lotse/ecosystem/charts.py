"""Chart geometry for server-rendered inline SVG (no JavaScript, no inline styles).

Functions here turn numbers into coordinates; the templates
``ecosystem/_bar_chart.html``, ``_line_chart.html`` and ``_map.html`` draw them.
Colours come from CSS classes in ``lotse/css/overview.css``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from lotse.ecosystem.geo import BaseMap, base_map

# --- Bar charts -----------------------------------------------------------------------

BAR_WIDTH = 520
BAR_LABEL_WIDTH = 212
BAR_VALUE_SPACE = 56
BAR_ROW = 28
BAR_THICKNESS = 19
LABEL_CHARS = 22


@dataclass
class Bar:
    label: str
    short_label: str
    value: int
    value_text: str
    href: str
    y: float
    width: float
    text_y: float
    value_x: float


@dataclass
class BarChart:
    id: str
    title: str
    description: str
    bars: list[Bar]
    width: int = BAR_WIDTH
    height: int = 0
    label_x: int = BAR_LABEL_WIDTH - 8
    bar_x: int = BAR_LABEL_WIDTH
    thickness: int = BAR_THICKNESS

    @property
    def empty(self) -> bool:
        return not self.bars


def shorten(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def bar_chart(
    id: str,
    title: str,
    description: str,
    rows: Sequence[tuple[str, int, str]],
    *,
    value_text: Sequence[str] | None = None,
) -> BarChart:
    """Horizontal bars for ``rows`` of (label, value, link); longest bar spans the width."""
    largest = max((value for _, value, _ in rows), default=0)
    span = BAR_WIDTH - BAR_LABEL_WIDTH - BAR_VALUE_SPACE
    bars = []
    for index, (label, value, href) in enumerate(rows):
        width = round(span * value / largest, 1) if largest else 0.0
        if value and width < 2:
            width = 2.0
        y = 4 + index * BAR_ROW
        bars.append(
            Bar(
                label=label,
                short_label=shorten(label),
                value=value,
                value_text=value_text[index] if value_text else str(value),
                href=href,
                y=y,
                width=width,
                text_y=y + BAR_THICKNESS - 5,
                value_x=BAR_LABEL_WIDTH + width + 6,
            )
        )
    return BarChart(id, title, description, bars, height=8 + len(rows) * BAR_ROW)


# --- Line chart -----------------------------------------------------------------------

LINE_WIDTH = 1000
LINE_HEIGHT = 300
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 24, 16, 40


@dataclass
class Tick:
    position: float
    label: str


@dataclass
class Point:
    x: float
    y: float
    title: str


@dataclass
class Series:
    key: str
    label: str
    points: list[Point]
    line: str = ""  # polyline "x,y x,y"
    area: str = ""  # path for the filled area


@dataclass
class LineChart:
    id: str
    title: str
    description: str
    series: list[Series]
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    width: int = LINE_WIDTH
    height: int = LINE_HEIGHT
    left: int = MARGIN_LEFT
    right: int = LINE_WIDTH - MARGIN_RIGHT
    top: int = MARGIN_TOP
    bottom: int = LINE_HEIGHT - MARGIN_BOTTOM

    @property
    def empty(self) -> bool:
        return not self.series or not self.series[0].points


def nice_step(largest: float, ticks: int = 5) -> float:
    """A 1-2-5 step so that about ``ticks`` gridlines cover ``largest``."""
    if largest <= 0:
        return 1
    raw = largest / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return max(1, factor * magnitude)
    return max(1, 10 * magnitude)


def line_chart(
    id: str,
    title: str,
    description: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[int], Sequence[str]]],
    *,
    format_value: object = str,
    tick_every: int = 1,
) -> LineChart:
    """Lines over evenly spaced x positions; ``series`` is (key, label, values, point titles)."""
    chart = LineChart(id, title, description, [])
    count = len(x_labels)
    if count == 0:
        return chart
    largest = max((max(values, default=0) for _, _, values, _ in series), default=0)
    step = nice_step(largest)
    top_value = step * max(1, math.ceil(largest / step))
    plot_width = chart.right - chart.left
    plot_height = chart.bottom - chart.top

    def x_of(index: int) -> float:
        if count == 1:
            return chart.left + plot_width / 2
        return round(chart.left + plot_width * index / (count - 1), 1)

    def y_of(value: float) -> float:
        return round(chart.bottom - plot_height * value / top_value, 1)

    value = 0.0
    while value <= top_value + 1e-9:
        chart.y_ticks.append(Tick(y_of(value), format_value(int(value))))  # type: ignore[operator]
        value += step
    chart.x_ticks = [
        Tick(x_of(index), label)
        for index, label in enumerate(x_labels)
        if index % tick_every == 0
        or (index == count - 1 and index % tick_every > tick_every // 2)
    ]
    for key, label, values, titles in series:
        points = [
            Point(x_of(index), y_of(v), titles[index]) for index, v in enumerate(values)
        ]
        line = " ".join(f"{p.x:g},{p.y:g}" for p in points)
        area = (
            f"M{points[0].x:g},{chart.bottom} "
            + " ".join(f"L{p.x:g},{p.y:g}" for p in points)
            + f" L{points[-1].x:g},{chart.bottom} Z"
        )
        chart.series.append(Series(key, label, points, line, area))
    return chart


# --- Map ------------------------------------------------------------------------------------

STATE_ALIASES = {
    "baden-württemberg": "BW", "baden-wuerttemberg": "BW", "bayern": "BY", "bavaria": "BY",
    "berlin": "BE", "brandenburg": "BB", "bremen": "HB", "hamburg": "HH", "hessen": "HE",
    "hesse": "HE", "mecklenburg-vorpommern": "MV", "niedersachsen": "NI",
    "lower saxony": "NI", "nordrhein-westfalen": "NW", "north rhine-westphalia": "NW",
    "nrw": "NW", "rheinland-pfalz": "RP", "rhineland-palatinate": "RP", "saarland": "SL",
    "sachsen": "SN", "saxony": "SN", "sachsen-anhalt": "ST", "saxony-anhalt": "ST",
    "schleswig-holstein": "SH", "thüringen": "TH", "thueringen": "TH", "thuringia": "TH",
}


def state_code(region: str) -> str | None:
    region = region.strip().lower()
    if region.upper() in set(STATE_ALIASES.values()):
        return region.upper()
    return STATE_ALIASES.get(region)


@dataclass
class Dot:
    city: str
    count: int
    x: float
    y: float
    r: float
    href: str
    title: str


@dataclass
class Label:
    text: str
    x: float
    y: float


@dataclass
class State:
    name: str
    code: str
    path: str
    count: int
    level: int  # 0 (none) … 4 (most): CSS class for the fill
    title: str


@dataclass
class MapChart:
    id: str
    title: str
    description: str
    base: BaseMap
    states: list[State]
    dots: list[Dot]
    labels: list[Label]
    outside: int  # organisations with coordinates outside the drawn area
    legend: list[Dot] = field(default_factory=list)

    @property
    def width(self) -> float:
        return self.base.width

    @property
    def height(self) -> float:
        return self.base.height


MIN_RADIUS, MAX_RADIUS = 3.0, 16.0
MAX_LABELS = 10


def radius(count: int, largest: int) -> float:
    if largest <= 0:
        return MIN_RADIUS
    return round(MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(count / largest), 1)


def map_chart(
    id: str,
    title: str,
    description: str,
    cities: Sequence[tuple[str, int, float, float, str, str]],
    regions: Sequence[tuple[str, int, str]],
    legend: Sequence[tuple[int, str]] = (),
) -> MapChart:
    """Dots per city ``(city, count, lat, lon, link, title)``; Länder shaded by ``regions``
    ``(region, count, title)``."""
    base = base_map()
    per_state: dict[str, tuple[int, str]] = {}
    for region, count, state_title in regions:
        code = state_code(region)
        if code:
            previous = per_state.get(code, (0, ""))
            per_state[code] = (previous[0] + count, state_title)
    most = max((count for count, _ in per_state.values()), default=0)
    states = []
    for shape in base.states:
        count, state_title = per_state.get(shape.code, (0, shape.name))
        level = 0 if not count or not most else min(4, 1 + int(3 * math.sqrt(count / most)))
        states.append(State(shape.name, shape.code, shape.path, count, level, state_title))

    largest = max((count for _, count, *_ in cities), default=0)
    dots: list[Dot] = []
    outside = 0
    for city, count, lat, lon, href, dot_title in cities:
        if not base.contains(lon, lat):
            outside += count
            continue
        x, y = base.project(lon, lat)
        dots.append(Dot(city, count, x, y, radius(count, largest), href, dot_title))
    dots.sort(key=lambda dot: -dot.count)  # big ones first, so small ones stay clickable

    labels: list[Label] = []
    taken: list[tuple[float, float, float, float]] = []
    for dot in dots[: MAX_LABELS * 2]:
        if len(labels) >= MAX_LABELS:
            break
        width = 7.2 * len(dot.city)
        box = (dot.x + dot.r + 2, dot.y - 8, dot.x + dot.r + 2 + width, dot.y + 6)
        if box[2] > base.width:
            box = (dot.x - dot.r - 2 - width, box[1], dot.x - dot.r - 2, box[3])
        if any(
            box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]
            for other in taken
        ):
            continue
        taken.append(box)
        labels.append(Label(dot.city, round(box[0], 1), round(box[3] - 2, 1)))

    # The legend sits in the North Sea, top left, where no organisation is.
    legend_dots = []
    y = 16.0
    for count, text in legend:
        r = radius(count, largest)
        legend_dots.append(Dot(text, count, 16 + MAX_RADIUS, y + r, r, "", text))
        y += 2 * r + 10
    return MapChart(id, title, description, base, states, dots, labels, outside, legend_dots)
