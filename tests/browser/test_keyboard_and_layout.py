"""Keyboard use, visible focus, the language switch and reflow at 320 CSS pixels."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lotse.ecosystem.domain.organisations import create_organisation
from tests.core.test_palette_contrast import contrast, parse_colour

# serialized_rollback: transactional tests flush the database; this restores the vocabulary
# (terms from data migrations) before each test, whatever ran first.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DIRECTORY = "/verzeichnis/organisationen/"

FOCUSED = """() => {
  const el = document.activeElement;
  return {
    tag: el.tagName.toLowerCase(), id: el.id, type: el.type || "", name: el.name || "",
    value: el.value || "", checked: !!el.checked, text: (el.textContent || "").trim(),
    inMain: !!el.closest("main"), inFacets: !!el.closest(".facets"),
  };
}"""


@pytest.fixture
def small_directory(db: None) -> None:
    create_organisation(name="Untertitel-Werk GmbH", kind="ai_company", city="Hamburg")
    create_organisation(name="Nordpresse Verlag", kind="media_house", city="Kiel")
    create_organisation(name="Bühnenlicht e. V.", kind="cultural_organisation", city="Hamburg")
    create_organisation(name="Elbwelle Radio", kind="media_house", city="Hamburg")


def tab_until(page: Any, predicate: str, *, limit: int = 80) -> dict[str, Any]:
    """Press Tab until ``predicate`` (JS expression over ``el``) holds for the focused element."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        matches = f"(() => {{ const el = document.activeElement; return !!({predicate}); }})()"
        if page.evaluate(matches):
            focused: dict[str, Any] = page.evaluate(FOCUSED)
            return focused
    raise AssertionError(f"no element matching {predicate!r} within {limit} Tab presses")


def test_skip_link_moves_focus_to_the_main_content(live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None
    assert box["x"] >= 0  # shown on screen when focused
    assert box["y"] >= 0
    page.keyboard.press("Enter")
    # Following the link is asynchronous in the browser: wait for it (up to 5 s)
    # instead of reading the URL in the same instant.
    expect(page).to_have_url(re.compile(r"#main$"), timeout=5000)
    expect(page.locator("#main")).to_be_focused()
    # The next Tab continues inside the content, not in the header navigation.
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["inMain"] is True


def test_directory_filters_work_with_the_keyboard_alone(
    live_server: Any, page: Any, small_directory: None
) -> None:
    page.goto(f"{live_server.url}{DIRECTORY}")
    expect(page.locator(".result")).to_have_count(4)
    page.evaluate("window.__noReload = true")

    box = tab_until(page, "el.type === 'checkbox' && el.value === 'media_house'")
    assert box["inFacets"]
    assert not box["checked"]
    page.keyboard.press("Space")
    expect(page.locator(".result")).to_have_count(2)
    assert "kind=media_house" in page.url
    assert page.evaluate("window.__noReload") is True

    # htmx swapped the facets too: focus must stay on the same (now ticked) checkbox.
    after = page.evaluate(FOCUSED)
    assert (after["type"], after["value"], after["checked"]) == ("checkbox", "media_house", True)
    # The result count is announced through a live region outside the swapped content.
    expect(page.locator("#lotse-announcer")).to_contain_text("2 Treffer")

    page.keyboard.press("Space")
    expect(page.locator(".result")).to_have_count(4)
    after = page.evaluate(FOCUSED)
    assert (after["value"], after["checked"]) == ("media_house", False)

    # Tab continues from the checkbox, it does not jump back to the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["inFacets"] is True

    # The first result is reachable and opens with Enter.
    link = tab_until(page, "el.tagName === 'A' && el.closest('.result')")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == link["text"]


def test_focus_is_clearly_visible(live_server: Any, page: Any, small_directory: None) -> None:
    """Every focus stop shows a solid ring of at least 2 px with 3:1 contrast to its backdrop."""
    page.goto(f"{live_server.url}{DIRECTORY}")
    seen = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        ring = page.evaluate(
            """() => {
              const el = document.activeElement;
              const style = getComputedStyle(el);
              // The ring is drawn just outside the element: sample what lies below it there.
              const r = el.getBoundingClientRect();
              const x = Math.min(Math.max(r.left + 4, 0), innerWidth - 1);
              const y = Math.min(r.bottom + 3, innerHeight - 1);
              const under = document.elementsFromPoint(x, y)
                .find((n) => n !== el && !el.contains(n));
              let node = under || el.parentElement, backdrop = "rgb(255, 255, 255)";
              while (node) {
                const bg = getComputedStyle(node).backgroundColor;
                if (bg && bg !== "rgba(0, 0, 0, 0)" && bg !== "transparent") {
                  backdrop = bg;
                  break;
                }
                node = node.parentElement;
              }
              return {
                what: el.tagName + (el.id ? "#" + el.id : "") + " "
                  + (el.textContent || "").trim().slice(0, 30),
                style: style.outlineStyle, width: parseFloat(style.outlineWidth),
                colour: style.outlineColor, backdrop: backdrop,
              };
            }"""
        )
        if ring["what"].startswith("BODY"):
            break  # past the last focus stop
        seen.add(ring["what"])
        assert ring["style"] == "solid", ring
        assert ring["width"] >= 2, ring
        ratio = contrast(parse_colour(ring["colour"]), parse_colour(ring["backdrop"]))
        where = f"{ring['colour']} on {ring['backdrop']} ({ring['what']})"
        assert ratio >= 3, f"focus ring {where}: {ratio:.2f}:1"
    assert len(seen) > 10  # the walk really moved through header, form and facets


def test_language_switch(live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}{DIRECTORY}")
    assert page.evaluate("document.documentElement.lang") == "de"
    english = page.get_by_role("button", name="English")
    english.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.url.endswith(DIRECTORY)  # back on the same page
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisations")
    expect(page.locator(".skip-link")).to_have_text("Skip to content")
    deutsch = page.get_by_role("button", name="Deutsch")
    expect(deutsch).to_have_attribute("lang", "de")
    deutsch.click()
    page.wait_for_function("document.documentElement.lang === 'de'")
    assert page.url.endswith(DIRECTORY)
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisationen")
    expect(page.get_by_role("button", name="English")).to_be_visible()


@pytest.mark.parametrize("width", [320, 640])
@pytest.mark.parametrize("path", ["/", DIRECTORY, "/accounts/login/"])
def test_no_horizontal_scrolling_when_narrow(
    live_server: Any, browser: Any, small_directory: None, path: str, width: int
) -> None:
    """WCAG 1.4.10 reflow: 320 CSS px (= 400 % zoom) and 640 px (= 200 % zoom of 1280 px)."""
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server.url}{path}")
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    wide = page.evaluate(
        """(limit) => [...document.querySelectorAll("body *")]
             .filter((el) => el.getBoundingClientRect().right > limit + 1)
             .slice(0, 5).map((el) => el.tagName + "." + el.className)""",
        width,
    )
    context.close()
    assert scroll_width <= width + 2, f"{path} at {width}px: scrollWidth {scroll_width}, {wide}"
