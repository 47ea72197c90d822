"""Every page renders for the roles that may see it; odd input never gives a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lotse.events.domain import meetings as m
from lotse.events.domain import registration as reg
from lotse.events.domain.agenda import toggle_star
from lotse.events.models import Event, Session

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_event(
    conference: Event,
    make_session: Callable[..., Session],
    speaker: Any,
    make_user: Callable[..., Any],
    manager: Any,
) -> Event:
    conference.meeting_mode = "batch"
    conference.save()
    session = make_session("Keynote", speakers=[speaker], capacity=10)
    m.define_slots(conference, first_start=at(27, 12), count=2, minutes=15)
    for email in ("a@example.org", "b@example.org"):
        user = make_user(email)
        reg.register(conference, user)
        m.save_profile(conference, user, offers="Video", seeks="Audio")
        toggle_star(session, user)
    conference.organisers.add(manager)
    return conference


def _urls(event: Event, session: Session) -> list[str]:
    base = f"/veranstaltungen/{event.slug}/"
    return [
        "/veranstaltungen/",
        base,
        base + "programm/",
        base + "programm/?view=list",
        base + f"programm/{session.code}/",
        base + "referierende/",
        base + "termin.ics",
        base + "schedule.xml",
        base + "schedule.json",
    ]


def _organiser_urls(event: Event, session: Session) -> list[str]:
    base = f"/veranstaltungen/{event.slug}/"
    return [
        base + "bearbeiten/",
        base + "programm/neu/",
        base + "programm/hinweise/",
        base + f"programm/{session.code}/bearbeiten/",
        base + f"programm/{session.code}/material/",
        base + "anmeldungen/",
        base + "einlass/",
        base + "einlass/?format=csv",
        base + "zahlen/",
        base + "teilnahmen/",
        base + "meetings/",
        base + "meetings/planung/",
        "/veranstaltungen/neu/",
        "/veranstaltungen/orte/neu/",
        "/veranstaltungen/import/",
        "/veranstaltungen/agenda/",
        "/veranstaltungen/agenda.ics",
        "/veranstaltungen/teilnahmen/",
    ]


def test_public_pages_for_anonymous_visitors(client: Client, full_event: Event) -> None:
    session = full_event.sessions.get()
    for url in _urls(full_event, session):
        assert client.get(url).status_code == 200, url
    for url in _organiser_urls(full_event, session):
        assert client.get(url).status_code in {302, 403}, url


def test_all_pages_for_the_organiser(client: Client, full_event: Event, manager: Any) -> None:
    session = full_event.sessions.get()
    client.force_login(manager)
    for url in _urls(full_event, session) + _organiser_urls(full_event, session):
        response = client.get(url)
        assert response.status_code == 200, url


def test_attendee_sees_meetings_page_but_not_planning(client: Client, full_event: Event) -> None:
    from lotse.accounts.models import User

    client.force_login(User.objects.get(email="a@example.org"))
    page = client.get(f"/veranstaltungen/{full_event.slug}/meetings/")
    assert page.status_code == 200
    assert "b" in page.content.decode()
    planning = client.get(f"/veranstaltungen/{full_event.slug}/meetings/planung/")
    assert planning.status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        {"room": "kein-raum"},
        {"topic": "<script>"},
        {"language": "xx"},
        {"view": "kaputt"},
        {"room": "99999", "view": "list"},
    ],
)
def test_odd_filters_do_not_break_the_programme(
    client: Client, full_event: Event, query: dict[str, str]
) -> None:
    response = client.get(f"/veranstaltungen/{full_event.slug}/programm/", query)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_odd_posts_give_messages_not_errors(
    client: Client, full_event: Event, manager: Any
) -> None:
    client.force_login(manager)
    base = f"/veranstaltungen/{full_event.slug}/"
    session = full_event.sessions.get()
    posts = [
        (base + "programm/neu/", {"title": "", "starts_at": "morgen"}),
        (base + "meetings/planung/", {"action": "slots", "count": "-1"}),
        (base + "meetings/planung/", {"action": "publish"}),
        (base + "meetings/anfrage/999999/", {}),
        (base + "meetings/wunsch/999999/", {"kind": "must_meet"}),
        (base + f"programm/{session.code}/platz/", {}),
        (base + f"programm/{session.code}/rueckmeldung/", {"rating": "x"}),
        (base + "abmelden/", {}),
        (base + "anmeldungen/nicht-erschienen/", {}),
        (
            "/veranstaltungen/neu/",
            {"title": "x", "starts_at": "2031-01-02T10:00", "ends_at": "2031-01-01T10:00"},
        ),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in {200, 302, 404}, (url, response.status_code)


def test_dates_and_times_follow_the_language(client: Client, conference: Event) -> None:
    """Event times use the language's formats, not a fixed German one."""
    url = conference.get_absolute_url()
    german = " ".join(client.get(url).content.decode().split())
    assert "Donnerstag, 27. November 2031 09:00 – 18:00 Uhr" in german
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = " ".join(client.get(url).content.decode().split())
    assert "Thursday, Nov. 27, 2031, 9 a.m. – 6 p.m. local time" in english
    assert "November 2031 09:00" not in english
