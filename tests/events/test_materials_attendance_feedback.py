from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lotse.ecosystem.models import Organisation
from lotse.events.domain import registration as reg
from lotse.events.domain.agenda import AgendaError, give_feedback
from lotse.events.domain.attendance import AttendanceError, confirmation_html
from lotse.events.domain.programme import create_event, create_series, create_session
from lotse.events.models import Event, Feedback, Material
from lotse.events.selectors import figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def webinar(db: None) -> Event:
    now = timezone.now()
    series = create_series(title="KI@KULTUR")
    return create_event(
        title="KI@KULTUR: Datenschutz",
        kind="webinar",
        series=series,
        starts_at=now - dt.timedelta(hours=3),
        ends_at=now - dt.timedelta(hours=1, minutes=30),
        online_url="https://example.org/raum",
        is_ai_literacy_training=True,
    )


def test_organiser_adds_materials(client: Client, webinar: Event, manager: Any) -> None:
    session = create_session(
        webinar, title="Datenschutz und KI", starts_at=webinar.starts_at, ends_at=webinar.ends_at
    )
    client.force_login(manager)
    url = f"/veranstaltungen/{webinar.slug}/programm/{session.code}/material/"
    empty = client.post(url, {"kind": "slides", "title": "Folien"})
    assert "Adresse oder Notizen" in empty.content.decode()
    client.post(url, {"kind": "slides", "title": "Folien", "url": "https://example.org/f.pdf"})
    client.post(
        url, {"kind": "recording", "title": "Aufzeichnung", "url": "https://example.org/video"}
    )
    client.post(url, {"kind": "notes", "title": "Notizen", "text": "**DSGVO** Art. 6"})
    assert Material.objects.filter(session=session).count() == 3
    page = Client().get(session.get_absolute_url()).content.decode()
    assert "https://example.org/f.pdf" in page
    assert "Aufzeichnung" in page
    assert "<strong>DSGVO</strong>" in page


def test_attendance_confirmation_pdf_only_after_check_in(
    client: Client, webinar: Event, member: Any, organisation: Organisation
) -> None:
    webinar.ends_at = timezone.now() + dt.timedelta(hours=1)  # still running: registration open
    webinar.save()
    registration = reg.register(webinar, member)
    assert registration.organisation == organisation
    client.force_login(member)
    url = f"/veranstaltungen/{webinar.slug}/teilnahmebestaetigung.pdf"
    refused = client.get(url, follow=True)
    assert "nur für eingecheckte" in refused.content.decode()
    with pytest.raises(AttendanceError):
        confirmation_html(registration)
    reg.set_checked_in(registration)
    registration.refresh_from_db()
    html = confirmation_html(registration)
    assert "Hafenmedien GmbH" in html
    assert "Art. 4" in html
    assert "KI@KULTUR: Datenschutz" in html
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 2000


def test_attendance_per_person_and_organisation(
    client: Client,
    webinar: Event,
    member: Any,
    other_member: Any,
    organisation: Organisation,
    manager: Any,
) -> None:
    webinar.ends_at = timezone.now() + dt.timedelta(hours=1)
    webinar.save()
    reg.set_checked_in(reg.register(webinar, member))
    reg.register(webinar, other_member)  # registered, never checked in
    client.force_login(member)
    mine = client.get("/veranstaltungen/teilnahmen/").content.decode()
    assert "KI@KULTUR: Datenschutz" in mine
    org_url = f"/veranstaltungen/teilnahmen/{organisation.key}/"
    csv_text = client.get(org_url + "?format=csv").content.decode("utf-8-sig")
    assert "KI@KULTUR: Datenschutz" in csv_text
    assert "Hafenmedien GmbH" in csv_text
    assert ";ja;" in csv_text
    client.force_login(other_member)
    assert client.get(org_url).status_code == 403
    stats = figures(webinar)
    assert stats.confirmed == 2
    assert stats.checked_in == 1
    assert stats.attendance_rate == 0.5
    assert stats.by_organisation == [("Hafenmedien GmbH", 1)]


def test_feedback_after_the_session_and_figures(
    client: Client, webinar: Event, make_user: Callable[..., Any], manager: Any
) -> None:
    session = create_session(
        webinar, title="Vortrag", starts_at=webinar.starts_at, ends_at=webinar.ends_at
    )
    upcoming = create_session(
        webinar,
        title="Später",
        starts_at=timezone.now() + dt.timedelta(days=1),
        ends_at=timezone.now() + dt.timedelta(days=1, hours=1),
    )
    a, b = make_user(), make_user()
    with pytest.raises(AgendaError, match="erst möglich"):
        give_feedback(upcoming, a, rating=5)
    with pytest.raises(AgendaError):
        give_feedback(session, a, rating=9)
    client.force_login(a)
    url = f"/veranstaltungen/{webinar.slug}/programm/{session.code}/rueckmeldung/"
    assert (
        "Bewertung von 1 bis 5" in client.post(url, {"rating": "7"}, follow=True).content.decode()
    )
    client.post(url, {"rating": "4", "comment": "Sehr praxisnah"})
    client.post(url, {"rating": "5", "comment": "Doch sehr gut"})  # changes, no duplicate
    give_feedback(session, b, rating=2)
    assert Feedback.objects.count() == 2
    stats = figures(webinar)
    assert stats.feedback_count == 2
    assert stats.average_rating == 3.5
    client.force_login(manager)
    page = client.get(f"/veranstaltungen/{webinar.slug}/zahlen/").content.decode()
    assert "3,5" in page
