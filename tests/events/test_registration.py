from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lotse.events.domain import registration as reg
from lotse.events.domain.programme import create_event
from lotse.events.models import Event, Registration, RegistrationStatus, Session, SessionSignup

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_event(conference: Event) -> Event:
    conference.capacity = 2
    conference.save()
    return conference


def test_capacity_then_waiting_list_then_promotion_on_cancel(
    small_event: Event, make_user: Callable[..., Any]
) -> None:
    users = [make_user() for _ in range(4)]
    results = [reg.register(small_event, u) for u in users]
    assert [r.status for r in results] == ["confirmed", "confirmed", "waiting", "waiting"]
    promoted = reg.cancel_registration(results[0])
    assert [p.user for p in promoted] == [users[2]]
    statuses = {r.user_id: r.status for r in Registration.objects.filter(event=small_event)}
    assert statuses[users[0].pk] == "cancelled"
    assert statuses[users[2].pk] == "confirmed"
    assert statuses[users[3].pk] == "waiting"


def test_register_twice_is_idempotent_and_reregistering_after_cancel_queues_again(
    small_event: Event, make_user: Callable[..., Any]
) -> None:
    a, b, c = make_user(), make_user(), make_user()
    first = reg.register(small_event, a)
    assert reg.register(small_event, a).pk == first.pk
    reg.register(small_event, b)
    reg.register(small_event, c)  # waiting
    reg.cancel_registration(first)  # c moves up
    again = reg.register(small_event, a)
    assert again.pk == first.pk
    assert again.status == RegistrationStatus.WAITING


def test_past_full_closed_and_draft_events_refuse_with_a_message(
    make_user: Callable[..., Any], db: None
) -> None:
    now = timezone.now()
    past = create_event(
        title="Vorbei",
        kind="meetup",
        starts_at=now - dt.timedelta(days=2),
        ends_at=now - dt.timedelta(days=1),
    )
    with pytest.raises(reg.RegistrationError, match="bereits vorbei"):
        reg.register(past, make_user())
    closed = create_event(
        title="Zu", kind="meetup", starts_at=at(1, 10), ends_at=at(1, 12), registration_open=False
    )
    with pytest.raises(reg.RegistrationError, match="geschlossen"):
        reg.register(closed, make_user())
    draft = create_event(
        title="Entwurf", kind="meetup", starts_at=at(1, 10), ends_at=at(1, 12), status="draft"
    )
    with pytest.raises(reg.RegistrationError):
        reg.register(draft, make_user())
    assert not Registration.objects.exists()


def test_approval_flow(conference: Event, make_user: Callable[..., Any]) -> None:
    conference.requires_approval = True
    conference.capacity = 1
    conference.save()
    a, b = make_user(), make_user()
    ra, rb = reg.register(conference, a), reg.register(conference, b)
    assert ra.status == rb.status == RegistrationStatus.PENDING
    assert reg.approve_registration(ra).status == RegistrationStatus.CONFIRMED
    assert reg.approve_registration(rb).status == RegistrationStatus.WAITING  # full
    with pytest.raises(reg.RegistrationError, match="ausgebucht"):
        reg.approve_registration(rb)
    reg.reject_registration(ra)
    with pytest.raises(reg.RegistrationError, match="abgelehnt"):
        reg.register(conference, a)
    assert reg.approve_registration(rb).status == RegistrationStatus.CONFIRMED


def test_session_signup_capacity_and_clash(
    conference: Event,
    make_session: Callable[..., Session],
    stages: list[Any],
    make_user: Callable[..., Any],
) -> None:
    ws1 = make_session("Workshop A", start=at(27, 14), minutes=90, kind="workshop", capacity=1)
    ws2 = make_session(
        "Workshop B", start=at(27, 15), minutes=60, room=stages[1], kind="workshop", capacity=5
    )
    a, b = make_user(), make_user()
    with pytest.raises(reg.RegistrationError, match="zuerst"):
        reg.sign_up_for_session(ws1, a)
    reg.register(conference, a)
    reg.register(conference, b)
    reg.sign_up_for_session(ws1, a)
    with pytest.raises(reg.RegistrationError, match="ausgebucht"):
        reg.sign_up_for_session(ws1, b)
    with pytest.raises(reg.RegistrationError, match=r"Zeitüberschneidung.*Workshop A"):
        reg.sign_up_for_session(ws2, a)
    reg.cancel_session_signup(ws1, a)
    reg.sign_up_for_session(ws2, a)
    reg.sign_up_for_session(ws1, b)
    assert SessionSignup.objects.count() == 2


def test_cancelling_the_event_frees_workshop_seats(
    conference: Event, make_session: Callable[..., Session], make_user: Callable[..., Any]
) -> None:
    ws = make_session("Workshop", kind="workshop", capacity=3)
    user = make_user()
    registration = reg.register(conference, user)
    reg.sign_up_for_session(ws, user)
    reg.cancel_registration(registration)
    assert not SessionSignup.objects.exists()


def test_check_in_and_no_shows(make_user: Callable[..., Any], db: None) -> None:
    now = timezone.now()
    event = create_event(
        title="Gerade",
        kind="meetup",
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=1),
    )
    here, away = make_user(), make_user()
    r_here, r_away = reg.register(event, here), reg.register(event, away)
    reg.set_checked_in(r_here)
    with pytest.raises(reg.RegistrationError, match="erst nach dem Ende"):
        reg.mark_no_shows(event)
    Event.objects.filter(pk=event.pk).update(ends_at=now - dt.timedelta(minutes=1))
    event.refresh_from_db()
    assert reg.mark_no_shows(event) == 1
    r_away.refresh_from_db()
    r_here.refresh_from_db()
    assert r_away.no_show
    assert not r_here.no_show


def test_registration_pages_and_checkin_list(
    client: Client, conference: Event, make_user: Callable[..., Any], manager: Any
) -> None:
    attendee = make_user("anna@example.org")
    client.force_login(attendee)
    response = client.post(f"/veranstaltungen/{conference.slug}/anmelden/", follow=True)
    assert "Sie sind angemeldet" in response.content.decode()
    assert client.get(f"/veranstaltungen/{conference.slug}/einlass/").status_code == 403
    client.force_login(manager)
    registration = Registration.objects.get(user=attendee)
    client.post(
        f"/veranstaltungen/{conference.slug}/anmeldungen/{registration.pk}/", {"action": "check_in"}
    )
    registration.refresh_from_db()
    assert registration.checked_in_at is not None
    printable = client.get(f"/veranstaltungen/{conference.slug}/einlass/").content.decode()
    assert "anna@example.org" in printable
    assert "✓" in printable
    csv_response = client.get(f"/veranstaltungen/{conference.slug}/einlass/?format=csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    lines = csv_response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("Name;E-Mail")
    assert "anna@example.org" in lines[1]
    bogus = client.post(
        f"/veranstaltungen/{conference.slug}/anmeldungen/{registration.pk}/",
        {"action": "explode"},
        follow=True,
    )
    assert bogus.status_code == 200
    assert "Unbekannte Aktion" in bogus.content.decode()


def test_registering_for_a_past_event_in_the_ui_gives_a_message(
    client: Client, make_user: Callable[..., Any], db: None
) -> None:
    now = timezone.now()
    past = create_event(
        title="Gestern",
        kind="meetup",
        starts_at=now - dt.timedelta(days=1),
        ends_at=now - dt.timedelta(hours=20),
    )
    client.force_login(make_user())
    response = client.post(f"/veranstaltungen/{past.slug}/anmelden/", follow=True)
    assert response.status_code == 200
    assert "bereits vorbei" in response.content.decode()
    assert not Registration.objects.exists()
