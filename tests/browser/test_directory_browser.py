"""Filter the directory in a real browser (htmx, no page reload) and open a profile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from lotse.ecosystem.domain.organisations import create_organisation
from lotse.ecosystem.models import Term

# serialized_rollback: transactional tests flush the database; this restores the vocabulary
# (terms from data migrations) before each test, whatever ran first.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_filter_directory_and_open_profile(
    live_server: Any, page: Any, term: Callable[[str], Term]
) -> None:
    subtitles = term("spracherkennung-untertitelung")
    create_organisation(
        name="Untertitel-Werk GmbH", kind="ai_company", city="Hamburg", topics=[subtitles],
        description="Wir untertiteln **live**.",
    )
    create_organisation(name="Nordpresse Verlag", kind="media_house", city="Kiel")
    create_organisation(name="Bühnenlicht e. V.", kind="cultural_organisation", city="Hamburg")

    page.goto(f"{live_server.url}/verzeichnis/organisationen/")
    assert page.locator(".result").count() == 3
    page.evaluate("window.__noReload = true")

    # Ticking a facet filters instantly through htmx and updates the address bar.
    page.get_by_label("KI-Unternehmen").check()
    expect(page.locator(".result")).to_have_count(1)
    assert "kind=ai_company" in page.url
    assert page.evaluate("window.__noReload") is True  # no full page load happened

    # Typing a search term narrows further; the shareable URL keeps both.
    page.get_by_label("KI-Unternehmen").uncheck()
    expect(page.locator(".result")).to_have_count(3)
    page.get_by_label("Suchbegriff").fill("Nordpresse")
    expect(page.locator(".result")).to_have_count(1)
    assert "q=Nordpresse" in page.url
    assert page.locator(".result h3").inner_text() == "Nordpresse Verlag"

    # The shared URL reproduces the same result on a fresh load.
    page.goto(page.url)
    assert page.locator(".result h3").inner_text() == "Nordpresse Verlag"

    page.goto(f"{live_server.url}/verzeichnis/organisationen/?q=Untertitel")
    page.get_by_role("link", name="Untertitel-Werk GmbH").click()
    page.wait_for_url("**/organisationen/untertitel-werk-gmbh/")
    assert page.get_by_role("heading", level=1).inner_text() == "Untertitel-Werk GmbH"
    assert page.locator(".description strong").inner_text() == "live"
    assert page.console_errors == []  # no CSP violations or script errors


def test_directory_works_without_javascript(
    live_server: Any, browser: Any, term: Callable[[str], Term]
) -> None:
    create_organisation(name="Untertitel-Werk GmbH", kind="ai_company", city="Hamburg")
    create_organisation(name="Nordpresse Verlag", kind="media_house", city="Kiel")
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    page = context.new_page()
    page.goto(f"{live_server.url}/verzeichnis/organisationen/")
    page.get_by_label("Medienhaus/Verlag").check()
    page.get_by_role("button", name="Filter anwenden").click()
    page.wait_for_url("**kind=media_house**")
    assert page.locator(".result h3").all_inner_texts() == ["Nordpresse Verlag"]
    context.close()


def test_keyboard_user_can_reach_the_results(live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Zum Inhalt springen" in focused
