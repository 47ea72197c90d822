"""The colour palette in lotse.css meets WCAG 2.1 AA contrast (a cheap guard; axe checks pages)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "src/lotse/core/static/lotse/css/lotse.css"

Colour = tuple[float, float, float]


def parse_colour(text: str) -> Colour:
    """``#rgb``, ``#rrggbb`` or ``rgb(r, g, b)`` as 0–255 floats."""
    text = text.strip().lower()
    if text.startswith("#"):
        digits = text[1:]
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
    match = re.match(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)", text)
    if match is None:
        raise ValueError(f"not a colour: {text!r}")
    return (float(match[1]), float(match[2]), float(match[3]))


def luminance(colour: Colour) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Colour, b: Colour) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def palette() -> dict[str, Colour]:
    root = re.search(r":root\s*\{(.*?)\}", CSS.read_text(encoding="utf-8"), re.S)
    assert root is not None
    return {
        name: parse_colour(value)
        for name, value in re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\s*;", root[1])
    }


def test_contrast_formula_matches_known_values() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21)
    assert contrast(parse_colour("#767676"), parse_colour("#fff")) == pytest.approx(4.54, abs=0.01)
    assert contrast(parse_colour("#777"), parse_colour("#ffffff")) < 4.5


TEXT_ON_LIGHT = ["ink", "muted", "brand", "brand-dark", "accent", "ok", "warn", "error"]


@pytest.mark.parametrize("background", ["bg", "bg-soft"])
@pytest.mark.parametrize("text", TEXT_ON_LIGHT)
def test_text_colours_on_light_backgrounds(text: str, background: str) -> None:
    colours = palette()
    ratio = contrast(colours[text], colours[background])
    assert ratio >= 4.5, f"--{text} on --{background}: {ratio:.2f}:1"


@pytest.mark.parametrize("background", ["brand", "brand-dark", "error", "ink"])
def test_white_text_on_filled_backgrounds(background: str) -> None:
    """Header, buttons, danger buttons and the skip link carry white text."""
    ratio = contrast(palette()[background], (255, 255, 255))
    assert ratio >= 4.5, f"white on --{background}: {ratio:.2f}:1"


@pytest.mark.parametrize(
    ("ring", "background"),
    [("focus-ring", "bg"), ("focus-ring", "bg-soft"), ("focus", "brand"), ("focus", "ink")],
)
def test_focus_rings_stand_out(ring: str, background: str) -> None:
    """WCAG 1.4.11: focus indicators need 3:1 against what surrounds them."""
    colours = palette()
    ratio = contrast(colours[ring], colours[background])
    assert ratio >= 3, f"--{ring} on --{background}: {ratio:.2f}:1"


def test_field_borders_are_visible() -> None:
    """Input borders identify the control (1.4.11): 3:1 against the page."""
    colours = palette()
    assert contrast(colours["field-border"], colours["bg"]) >= 3
    assert contrast(colours["field-border"], colours["bg-soft"]) >= 3
