"""WCAG 2.1 AA checks with axe-core in a real headless Chromium.

axe-core (MPL-2.0, tests/browser/vendor/) is injected into each page and runs the rules
tagged wcag2a, wcag2aa, wcag21a and wcag21aa.  The data is the demo network
(``load_demo_network``) plus one event with a programme, so the pages show facets, charts,
the map, profiles, listings and forms as a visitor, a member and a manager see them.

axe is injected as inline script content, which the site's strict CSP (script-src 'self')
rightly blocks; only the axe contexts therefore use ``bypass_csp=True``.  The other browser
tests keep the CSP on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from lotse.accounts.models import User
from lotse.ecosystem.demo import DEMO_LOGINS, MEMBER_ORGANISATION_KEY, load_demo_network
from lotse.ecosystem.models import ListingStatus, Need, Offer, Organisation, Person, Visibility
from lotse.events.domain.programme import create_event, create_session, create_venue

# serialized_rollback: transactional tests flush the database; this restores the vocabulary
# (terms from data migrations) before each test, whatever ran first.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
NOT_FOUND = "/gibt-es-nicht/"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}"""


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe on the loaded page and return its WCAG 2.1 A/AA violations."""
    page.add_script_tag(path=str(AXE))
    violations: list[dict[str, Any]] = page.evaluate(RUN_AXE, WCAG_21_AA)
    return violations


def report(found: dict[str, list[dict[str, Any]]]) -> str:
    lines = []
    for url, violations in found.items():
        lines.append(f"\n{url}")
        for violation in violations:
            lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
            for node in violation["nodes"][:8]:
                summary = " ".join((node["summary"] or "").split())
                lines.append(f"      {node['target']}  —  {summary[:220]}")
            if len(violation["nodes"]) > 8:
                lines.append(f"      … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def login_cookie(context: Any, live_server: Any, email: str) -> None:
    """Log ``email`` in without the form: copy a Django session cookie into the browser."""
    client = Client()
    client.force_login(User.objects.get(email=email))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def axe_context(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="de-DE", bypass_csp=True)
    yield context
    context.close()


@pytest.fixture
def network(db: None) -> dict[str, str]:
    """The demo network, an event with a programme; returns keys of pages to visit."""
    load_demo_network()
    venue = create_venue(name="Kampnagel", city="Hamburg", rooms=["Bühne 1", "Bühne 2"])
    start = (timezone.now() + dt.timedelta(days=30)).replace(hour=9, minute=0, second=0)
    event = create_event(
        title="KI im Norden 2031",
        kind="conference",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=9),
        venue=venue,
        capacity=80,
        description="Ein Tag zu **KI** in Medien und Kultur.",
    )
    speaker = Person.objects.filter(visibility=Visibility.PUBLIC).exclude(bio="").first()
    assert speaker is not None
    room = venue.rooms.order_by("position").first()
    session = create_session(
        event,
        title="Untertitel in Echtzeit",
        starts_at=start + dt.timedelta(hours=1),
        ends_at=start + dt.timedelta(hours=2),
        room=room,
        speakers=[speaker],
    )
    organisation = Organisation.objects.exclude(description="").order_by("name").first()
    offer = Offer.objects.filter(status=ListingStatus.PUBLISHED).order_by("pk").first()
    need = Need.objects.filter(status=ListingStatus.PUBLISHED).order_by("pk").first()
    assert organisation is not None
    assert offer is not None
    assert need is not None
    return {
        "organisation": organisation.key,
        "person": speaker.key,
        "offer": offer.key,
        "need": need.key,
        "event": event.slug,
        "session": session.code,
    }


def visit_all(
    context: Any, base: str, paths: list[str], found: dict[str, list[dict[str, Any]]]
) -> None:
    page = context.new_page()
    for path in paths:
        response = page.goto(base + path)
        expected = 404 if path == NOT_FOUND else 200
        assert response is not None
        assert response.status == expected, f"{path}: HTTP {response.status}"
        page.wait_for_load_state("networkidle")
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    page.close()


def test_pages_meet_wcag_21_aa(live_server: Any, axe_context: Any, network: dict[str, str]) -> None:
    k = network
    public = [
        "/",
        "/verzeichnis/organisationen/",
        "/verzeichnis/organisationen/?kind=ai_company&region=Hamburg",
        "/verzeichnis/personen/",
        "/verzeichnis/angebote/",
        "/verzeichnis/bedarfe/",
        f"/verzeichnis/organisationen/{k['organisation']}/",
        f"/verzeichnis/personen/{k['person']}/",
        f"/verzeichnis/angebote/{k['offer']}/",
        f"/verzeichnis/bedarfe/{k['need']}/",
        "/verzeichnis/ueberblick/",
        "/veranstaltungen/",
        f"/veranstaltungen/{k['event']}/",
        f"/veranstaltungen/{k['event']}/programm/",
        f"/veranstaltungen/{k['event']}/programm/{k['session']}/",
        "/suche/?q=KI",
        f"/matching/bedarf/{k['need']}/",
        f"/matching/angebot/{k['offer']}/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        NOT_FOUND,
    ]
    member = [
        "/konto/",
        "/matching/anfragen/",
        "/matching/kontakte/",
        f"/matching/finanzierung/{MEMBER_ORGANISATION_KEY}/",
        f"/verzeichnis/organisationen/{MEMBER_ORGANISATION_KEY}/bearbeiten/",
        f"/verzeichnis/organisationen/{MEMBER_ORGANISATION_KEY}/angebot-neu/",
        f"/matching/anfragen/organisation/{k['organisation']}/",
        "/veranstaltungen/agenda/",
    ]
    manager = [
        "/verzeichnis/verwaltung/",
        "/verzeichnis/verwaltung/import/",
        "/veranstaltungen/neu/",
    ]
    found: dict[str, list[dict[str, Any]]] = {}
    visit_all(axe_context, live_server.url, public, found)
    login_cookie(axe_context, live_server, DEMO_LOGINS["Mitglied"][0])
    visit_all(axe_context, live_server.url, member, found)
    axe_context.clear_cookies()
    login_cookie(axe_context, live_server, DEMO_LOGINS["Netzwerk-Management"][0])
    visit_all(axe_context, live_server.url, manager, found)
    assert not found, "WCAG 2.1 AA violations (axe-core):" + report(found)


def test_axe_finds_a_known_violation(live_server: Any, axe_context: Any) -> None:
    """The check itself works: a page with an unlabelled field and poor contrast fails."""
    page = axe_context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.evaluate(
        """() => {
          const input = document.createElement("input");
          input.type = "text";
          document.querySelector("main").append(input);
          const faint = document.createElement("p");
          faint.textContent = "Kaum lesbar";
          faint.style.color = "#bbbbbb";
          document.querySelector("main").append(faint);
        }"""
    )
    ids = {violation["id"] for violation in axe_violations(page)}
    assert {"label", "color-contrast"} <= ids
