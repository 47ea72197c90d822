from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from lotse.ecosystem.domain.people import create_person
from lotse.ecosystem.models import Term
from lotse.events.domain.programme import (
    create_event,
    create_series,
    create_session,
    create_venue,
    programme_warnings,
    session_warnings,
    update_session,
)
from lotse.events.models import Event, EventStatus, Session

from .conftest import at

pytestmark = pytest.mark.django_db


def test_session_end_must_follow_start(conference: Event, stages: list[Any]) -> None:
    with pytest.raises(ValidationError):
        create_session(
            conference, title="Kaputt", starts_at=at(27, 10), ends_at=at(27, 10), room=stages[0]
        )
    assert not Session.objects.exists()


def test_room_of_another_venue_is_refused(conference: Event) -> None:
    other = create_venue(name="Anderswo", rooms=["Saal"])
    with pytest.raises(ValidationError, match="gehört nicht"):
        create_session(
            conference,
            title="Falscher Ort",
            starts_at=at(27, 10),
            ends_at=at(27, 11),
            room=other.rooms.get(),
        )


def test_overlap_in_one_room_and_double_booked_speaker_are_warned(
    make_session: Callable[..., Session], stages: list[Any], speaker: Any
) -> None:
    first = make_session("Eröffnung", start=at(27, 10), minutes=60, speakers=[speaker])
    second = make_session("Überschneidung", start=at(27, 10, 30), minutes=30, room=stages[0])
    third = make_session("Andere Bühne", start=at(27, 10, 45), room=stages[1], speakers=[speaker])
    make_session("Danach", start=at(27, 11), room=stages[0])  # touches, does not overlap
    warnings = programme_warnings(first.event)
    assert any("Bühne 1" in w and "Überschneidung" in w for w in warnings)
    assert any("doppelt gebucht" in w and "Andere Bühne" in w for w in warnings)
    assert len(warnings) == 2
    assert any("spricht zur selben Zeit" in w for w in session_warnings(third))
    assert any("Bühne 1" in w for w in session_warnings(second))


def test_moving_a_session_away_clears_the_warning(
    make_session: Callable[..., Session], stages: list[Any]
) -> None:
    make_session("A", start=at(27, 10), minutes=60)
    b = make_session("B", start=at(27, 10, 30))
    assert session_warnings(b)
    update_session(b, room=stages[2])
    assert session_warnings(b) == []


def test_session_guid_is_stable_uuid5(make_session: Callable[..., Session]) -> None:
    session = make_session("Stabil")
    import uuid

    assert session.guid.version == 5
    assert session.guid == uuid.uuid5(
        uuid.UUID("6f1d2a0c-3a59-5e0f-9a57-4c6f7473652e"), f"{session.event.slug}/{session.code}"
    )


def test_programme_grid_and_list_with_filters(
    client: Client, make_session: Callable[..., Session], stages: list[Any], speaker: Any
) -> None:
    topic = Term.objects.filter(status="approved").first()
    assert topic is not None
    make_session("Generative KI im Film", start=at(27, 10), speakers=[speaker], topics=[topic])
    make_session("English Keynote", start=at(27, 10), room=stages[1], language="en")
    url = "/veranstaltungen/testkonferenz-ki/programm/"
    grid = client.get(url).content.decode()
    assert "programme-grid" in grid
    assert "Bühne 1" in grid
    assert "Bühne 2" in grid
    assert "Generative KI im Film" in grid
    assert "English Keynote" in grid
    assert "Dr. Erika Beispiel" in grid
    only_en = client.get(url, {"language": "en", "view": "list"}).content.decode()
    assert "English Keynote" in only_en
    assert "Generative KI im Film" not in only_en
    assert "session-list" in only_en
    by_topic = client.get(url, {"topic": topic.slug}).content.decode()
    assert "Generative KI im Film" in by_topic
    assert "English Keynote" not in by_topic
    by_room = client.get(url, {"room": stages[1].pk}).content.decode()
    assert "English Keynote" in by_room
    assert "Generative KI im Film" not in by_room
    # htmx gets only the fragment
    fragment = client.get(url, {"language": "en"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment
    assert "English Keynote" in fragment


def test_speaker_and_session_pages(
    client: Client, make_session: Callable[..., Session], speaker: Any
) -> None:
    session = make_session("Mit Sprecherin", speakers=[speaker], guest_speakers=["Gast Name"])
    page = client.get(session.get_absolute_url()).content.decode()
    assert "Dr. Erika Beispiel" in page
    assert "Gast Name" in page
    speaker_page = client.get(f"/veranstaltungen/referierende/{speaker.key}/")
    assert speaker_page.status_code == 200
    assert "Mit Sprecherin" in speaker_page.content.decode()
    lonely = create_person(name="Ohne Auftritt")
    assert client.get(f"/veranstaltungen/referierende/{lonely.key}/").status_code == 404
    listing = client.get("/veranstaltungen/testkonferenz-ki/referierende/").content.decode()
    assert "Dr. Erika Beispiel" in listing


def test_draft_events_are_hidden_from_the_public(client: Client, conference: Event) -> None:
    conference.status = EventStatus.DRAFT
    conference.save()
    assert client.get(conference.get_absolute_url()).status_code == 404
    assert "Testkonferenz" not in client.get("/veranstaltungen/").content.decode()


def test_series_with_episodes(client: Client, db: None) -> None:
    series = create_series(title="KI@KULTUR")
    for month, topic in [(3, "Berichte"), (4, "Öffentlichkeitsarbeit")]:
        create_event(
            title=f"KI@KULTUR: {topic}",
            kind="webinar",
            series=series,
            starts_at=at(10, 16, month=month),
            ends_at=at(10, 17, 30, month=month),
            online_url="https://example.org/webinar",
        )
    page = client.get(series.get_absolute_url()).content.decode()
    assert "KI@KULTUR: Berichte" in page
    assert "KI@KULTUR: Öffentlichkeitsarbeit" in page


def test_organiser_edits_sessions_and_sees_warnings(
    client: Client,
    make_user: Callable[..., Any],
    conference: Event,
    stages: list[Any],
    make_session: Callable[..., Session],
) -> None:
    organiser = make_user("orga@example.org")
    outsider = make_user("outsider@example.org")
    conference.organisers.add(organiser)
    make_session("Belegt", start=at(27, 14), minutes=60)
    data = {
        "title": "Neu im Programm",
        "kind": "panel",
        "room": stages[0].pk,
        "starts_at": "2031-11-27T14:30",
        "ends_at": "2031-11-27T15:00",
        "language": "de",
        "level": "all",
    }
    url = f"/veranstaltungen/{conference.slug}/programm/neu/"
    client.force_login(outsider)
    assert client.post(url, data).status_code == 403
    client.force_login(organiser)
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Neu im Programm" in page
    assert "Bühne 1" in page
    assert "Belegt" in page
    broken = dict(data, ends_at="2031-11-27T14:00", title="Rückwärts")
    response = client.post(url, broken)
    assert response.status_code == 200
    assert "Das Ende muss nach dem Beginn liegen" in response.content.decode()
    assert not Session.objects.filter(title="Rückwärts").exists()
    warnings_page = client.get(f"/veranstaltungen/{conference.slug}/programm/hinweise/")
    assert "überschneiden sich" in warnings_page.content.decode()


def test_manager_creates_event_via_form(client: Client, manager: Any, venue: Any) -> None:
    client.force_login(manager)
    response = client.post(
        "/veranstaltungen/neu/",
        {
            "title": "Meetup KI & Medien",
            "kind": "meetup",
            "venue": venue.pk,
            "starts_at": "2031-05-05T18:00",
            "ends_at": "2031-05-05T21:00",
            "language": "de",
            "status": "published",
            "registration_open": "on",
            "meeting_mode": "off",
            "meeting_tables": 10,
            "meeting_max_per_person": 6,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get(title="Meetup KI & Medien")
    assert list(event.organisers.all()) == [manager]
    assert event.starts_at == at(5, 18, month=5)
    assert client.get(event.get_absolute_url()).status_code == 200


def test_event_times_are_validated(db: None) -> None:
    with pytest.raises(ValidationError):
        create_event(
            title="Rückwärts",
            kind="meetup",
            starts_at=at(2, 10),
            ends_at=at(2, 10) - dt.timedelta(hours=1),
        )
    assert not Event.objects.exists()


def test_manager_creates_series_and_organiser_adds_a_room(
    client: Client, manager: Any, conference: Event, make_user: Callable[..., Any]
) -> None:
    client.force_login(manager)
    response = client.post("/veranstaltungen/reihen/neu/", {"title": "KI-Frühstück"})
    assert response.status_code == 302
    organiser = make_user("orga2@example.org")
    conference.organisers.add(organiser)
    client.force_login(organiser)
    url = f"/veranstaltungen/{conference.slug}/raum-neu/"
    assert client.post(url, {"name": "Foyer", "capacity": 40}).status_code == 302
    duplicate = client.post(url, {"name": "Foyer"})
    assert "gibt es an diesem Ort schon" in duplicate.content.decode()
    assert conference.venue is not None
    assert list(conference.venue.rooms.values_list("name", flat=True))[-1] == "Foyer"
