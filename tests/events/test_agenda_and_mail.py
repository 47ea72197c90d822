from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import icalendar
import pytest
from django.test import Client

from lotse.events.domain import registration as reg
from lotse.events.models import CalendarFeed, Event, Session

from .conftest import BERLIN, at

pytestmark = pytest.mark.django_db


def _parse(content: bytes) -> icalendar.Calendar:
    calendar = icalendar.Calendar.from_ical(content)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    return calendar


def test_star_agenda_download_and_feed(
    client: Client,
    make_user: Callable[..., Any],
    make_session: Callable[..., Session],
    conference: Event,
) -> None:
    user = make_user()
    session = make_session("Keynote", start=at(27, 10), minutes=45)
    client.force_login(user)
    star_url = f"/veranstaltungen/{conference.slug}/programm/{session.code}/merken/"
    fragment = client.post(star_url, headers={"HX-Request": "true"}).content.decode()
    assert "In meiner Agenda" in fragment
    reg.register(conference, user)

    calendar = _parse(client.get("/veranstaltungen/agenda.ics").content)
    events = calendar.walk("VEVENT")
    titles = sorted(str(e["SUMMARY"]) for e in events)
    assert titles == ["Keynote", "Testkonferenz KI"]
    keynote = next(e for e in events if str(e["SUMMARY"]) == "Keynote")
    assert keynote["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert keynote.decoded("DTSTART") == at(27, 10)
    assert keynote.decoded("DTEND") - keynote.decoded("DTSTART") == dt.timedelta(minutes=45)
    assert str(keynote["UID"]) == f"{session.guid}@lotse"
    assert "DTSTAMP" in keynote
    zones = calendar.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Europe/Berlin"]
    rules = sorted(str(c.name) for c in zones[0].subcomponents)
    assert rules == ["DAYLIGHT", "STANDARD"]

    # The subscription works without a session cookie, with the secret token only.
    page = client.get("/veranstaltungen/agenda/").content.decode()
    token = CalendarFeed.objects.get(user=user).token
    assert token in page
    anonymous = Client()
    feed = anonymous.get(f"/veranstaltungen/agenda/feed/{token}.ics")
    assert feed.status_code == 200
    assert len(_parse(feed.content).walk("VEVENT")) == 2
    assert anonymous.get("/veranstaltungen/agenda/feed/falsch.ics").status_code == 404
    client.post("/veranstaltungen/agenda/feed-erneuern/")
    assert anonymous.get(f"/veranstaltungen/agenda/feed/{token}.ics").status_code == 404

    # unstar
    client.post(star_url)
    calendar = _parse(client.get("/veranstaltungen/agenda.ics").content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Testkonferenz KI"]


def test_summer_times_carry_the_summer_offset(
    client: Client, make_user: Callable[..., Any], conference: Event, stages: list[Any]
) -> None:
    from lotse.events.domain.calendar import CalendarEntry, build_calendar

    summer = dt.datetime(2031, 7, 1, 9, 0, tzinfo=BERLIN)
    content = build_calendar(
        [
            CalendarEntry(
                uid="x@lotse",
                title="Sommer",
                starts_at=summer,
                ends_at=summer + dt.timedelta(hours=1),
            )
        ],
        name="Test",
    )
    event = _parse(content).walk("VEVENT")[0]
    assert event.decoded("DTSTART").utcoffset() == dt.timedelta(hours=2)
    assert b"DTSTART;TZID=Europe/Berlin:20310701T090000" in content


def test_confirmation_mail_with_ics_and_promotion_mail_via_real_smtp(
    smtp_mailbox: Any,
    make_user: Callable[..., Any],
    conference: Event,
    django_capture_on_commit_callbacks: Any,
) -> None:
    conference.capacity = 1
    conference.save()
    first, second = make_user("erste@example.org"), make_user("zweite@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        r1 = reg.register(conference, first)
    with django_capture_on_commit_callbacks(execute=True):
        reg.register(conference, second)
    messages = smtp_mailbox.wait_for(2)
    assert len(messages) == 2
    confirmation = next(m for m in messages if m["To"] == "erste@example.org")
    assert "Anmeldung bestätigt" in str(confirmation["Subject"])
    attachments = list(confirmation.iter_attachments())
    assert len(attachments) == 1
    assert attachments[0].get_content_type() == "text/calendar"
    assert attachments[0].get_filename() == f"{conference.slug}.ics"
    payload = attachments[0].get_content()
    ics = _parse(payload.encode() if isinstance(payload, str) else payload)
    assert str(ics.walk("VEVENT")[0]["SUMMARY"]) == "Testkonferenz KI"
    body = confirmation.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "Donnerstag, 27. November 2031 09:00 – 18:00 Uhr" in text
    # Plain text: nothing HTML-escaped (the network's name has an ampersand).
    assert "Medien & Kultur" in text
    assert "&amp;" not in text
    waiting = next(m for m in messages if m["To"] == "zweite@example.org")
    assert "Warteliste" in str(waiting["Subject"])
    assert list(waiting.iter_attachments()) == []

    with django_capture_on_commit_callbacks(execute=True):
        reg.cancel_registration(r1)
    messages = smtp_mailbox.wait_for(4)
    promoted = [m for m in messages[2:] if m["To"] == "zweite@example.org"]
    assert len(promoted) == 1
    assert "Platz ist frei geworden" in str(promoted[0]["Subject"])
    assert len(list(promoted[0].iter_attachments())) == 1


def test_mail_server_outage_does_not_undo_the_registration(
    settings: Any,
    make_user: Callable[..., Any],
    conference: Event,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # nothing listens on the discard port
    settings.EMAIL_TIMEOUT = 2
    with django_capture_on_commit_callbacks(execute=True):
        registration = reg.register(conference, make_user())
    registration.refresh_from_db()
    assert registration.status == "confirmed"
