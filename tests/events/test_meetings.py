from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import icalendar
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone, translation

from lotse.ecosystem.models import Term
from lotse.events.domain import meetings as m
from lotse.events.domain import registration as reg
from lotse.events.domain.agenda import toggle_star
from lotse.events.forms import MeetingProfileForm
from lotse.events.models import Event, Meeting, MeetingSlot, Session
from lotse.events.selectors import figures, meeting_suggestions

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def meet_event(conference: Event) -> Event:
    conference.meeting_mode = "live"
    conference.meeting_tables = 1
    conference.capacity = None
    conference.save()
    m.define_slots(conference, first_start=at(27, 12), count=3, minutes=15)
    return conference


@pytest.fixture
def people(meet_event: Event, make_user: Callable[..., Any]) -> list[Any]:
    users = [make_user(f"p{i}@example.org") for i in range(5)]
    for user in users:
        reg.register(meet_event, user)
        m.save_profile(meet_event, user, offers="Beratung", seeks="Partner")
    return users


def test_slots_are_generated(meet_event: Event) -> None:
    slots = list(MeetingSlot.objects.filter(event=meet_event))
    assert [s.starts_at for s in slots] == [at(27, 12), at(27, 12, 15), at(27, 12, 30)]


def test_profile_needs_confirmed_registration(meet_event: Event, make_user: Any) -> None:
    with pytest.raises(m.MeetingError, match="bestätigter Anmeldung"):
        m.save_profile(meet_event, make_user())


def test_live_mode_books_first_slot_and_table_both_free(
    meet_event: Event, people: list[Any], make_session: Callable[..., Session]
) -> None:
    a, b, c, d, e = people
    first = m.answer_request(m.request_meeting(meet_event, a, b), b, accept=True)
    assert first is not None
    assert (first.slot.starts_at, first.table) == (at(27, 12), 1)
    # only one table: c+d go to the next slot
    second = m.answer_request(m.request_meeting(meet_event, c, d), d, accept=True)
    assert second is not None
    assert second.slot.starts_at == at(27, 12, 15)
    # e starred a session overlapping the last slot; a is busy in slot 1 → slot 2 is taken
    # by c+d (only table), slot 3 is blocked for e → nothing left
    keynote = make_session("Keynote", start=at(27, 12, 30), minutes=30)
    toggle_star(keynote, e)
    request = m.request_meeting(meet_event, a, e)
    with pytest.raises(m.MeetingError, match="kein Zeitfenster"):
        m.answer_request(request, e, accept=True)
    request.refresh_from_db()
    assert request.status == "unschedulable"
    with pytest.raises(m.MeetingError, match="bereits ein Meeting"):
        m.request_meeting(meet_event, b, a)
    with pytest.raises(m.MeetingError, match="selbst"):
        m.request_meeting(meet_event, a, a)


def test_only_the_recipient_answers_and_decline(meet_event: Event, people: list[Any]) -> None:
    a, b, c = people[:3]
    request = m.request_meeting(meet_event, a, b, message="Hallo")
    with pytest.raises(m.MeetingError, match="angefragte Person"):
        m.answer_request(request, c, accept=True)
    assert m.answer_request(request, b, accept=False) is None
    with pytest.raises(m.MeetingError, match="schon beantwortet"):
        m.answer_request(request, b, accept=True)
    assert not Meeting.objects.exists()


def test_unknown_people_are_refused(meet_event: Event, people: list[Any], make_user: Any) -> None:
    stranger = make_user()
    with pytest.raises(m.MeetingError, match="nimmt nicht"):
        m.request_meeting(meet_event, people[0], stranger)


def test_suggestions_explain_shared_topics(meet_event: Event, people: list[Any]) -> None:
    terms = list(Term.objects.filter(status="approved")[:3])
    m.save_profile(meet_event, people[0], topics=terms[:2], seeks="Investoren für Audio")
    m.save_profile(meet_event, people[1], topics=terms[1:3], offers="Investoren-Kontakte")
    m.save_profile(meet_event, people[2], offers="Catering")
    suggestions = meeting_suggestions(meet_event, people[0])
    assert suggestions[0].profile.user == people[1]
    assert any(terms[1].name in reason for reason in suggestions[0].reasons)


def test_batch_mode_no_thanks_wins_and_publish_shows_in_agenda_and_ical(
    client: Client, meet_event: Event, people: list[Any], manager: Any
) -> None:
    meet_event.meeting_mode = "batch"
    meet_event.meeting_tables = 2
    meet_event.save()
    a, b, c, d, e = people
    m.set_wish(meet_event, a, b, "must_meet")
    m.set_wish(meet_event, b, a, "would_like")
    m.set_wish(meet_event, c, d, "must_meet")
    m.set_wish(meet_event, d, c, "no_thanks")  # refusal beats c's must-meet
    m.set_wish(meet_event, e, a, "would_like")
    report = m.run_optimiser(meet_event, time_limit=10)
    assert report["meetings"] == 2
    assert report["gap"] <= 0.05
    pairs = {frozenset((x.person_a_id, x.person_b_id)) for x in Meeting.objects.all()}
    assert pairs == {frozenset((a.pk, b.pk)), frozenset((a.pk, e.pk))}
    assert set(Meeting.objects.values_list("status", flat=True)) == {"provisional"}
    # attendees do not see the provisional plan
    client.force_login(a)
    assert "1:1-Meeting" not in client.get("/veranstaltungen/agenda/").content.decode()
    assert m.publish_meetings(meet_event) == 2
    with pytest.raises(m.MeetingError, match="veröffentlicht"):
        m.set_wish(meet_event, a, c, "would_like")
    agenda_page = client.get("/veranstaltungen/agenda/").content.decode()
    assert "1:1-Meeting mit" in agenda_page
    assert "Tisch" in agenda_page
    calendar = icalendar.Calendar.from_ical(client.get("/veranstaltungen/agenda.ics").content)
    meetings = [ev for ev in calendar.walk("VEVENT") if "1:1-Meeting" in str(ev["SUMMARY"])]
    assert len(meetings) == 2
    assert all(str(ev["LOCATION"]).startswith("Tisch ") for ev in meetings)


def test_batch_optimiser_command_and_admin_page(
    client: Client, meet_event: Event, people: list[Any], manager: Any, capsys: Any
) -> None:
    meet_event.meeting_mode = "batch"
    meet_event.save()
    m.set_wish(meet_event, people[0], people[1], "must_meet")
    call_command("meetings", "schedule", meet_event.slug, "--time-limit", "5")
    out = capsys.readouterr().out
    assert "1 Meetings" in out
    assert "vorläufig" in out
    with pytest.raises(CommandError, match="Unbekannte"):
        call_command("meetings", "schedule", "gibt-es-nicht")
    client.force_login(manager)
    page = client.get(f"/veranstaltungen/{meet_event.slug}/meetings/planung/").content.decode()
    assert "Plan veröffentlichen" in page
    client.post(f"/veranstaltungen/{meet_event.slug}/meetings/planung/", {"action": "publish"})
    assert set(Meeting.objects.values_list("status", flat=True)) == {"confirmed"}
    client.force_login(people[2])
    assert client.get(f"/veranstaltungen/{meet_event.slug}/meetings/planung/").status_code == 403


def test_impossible_availability_is_reported(
    meet_event: Event, people: list[Any], make_session: Callable[..., Session]
) -> None:
    meet_event.meeting_mode = "batch"
    meet_event.save()
    slot = MeetingSlot.objects.filter(event=meet_event).first()
    m.save_profile(meet_event, people[0], slots=[slot])
    toggle_star(make_session("Parallel", start=at(27, 12), minutes=15), people[0])
    m.set_wish(meet_event, people[0], people[1], "must_meet")
    report = m.run_optimiser(meet_event, time_limit=5)
    assert report["meetings"] == 0
    assert any("kein freies Zeitfenster" in w for w in report["warnings"])


def test_report_after_the_meeting_feeds_the_figures(meet_event: Event, people: list[Any]) -> None:
    a, b = people[:2]
    meeting = m.answer_request(m.request_meeting(meet_event, a, b), b, accept=True)
    assert meeting is not None
    with pytest.raises(m.MeetingError, match="noch nicht"):
        m.report_meeting(meeting, a, happened=True, follow_up=True)
    MeetingSlot.objects.filter(pk=meeting.slot_id).update(
        starts_at=timezone.now() - dt.timedelta(hours=1),
        ends_at=timezone.now() - dt.timedelta(minutes=45),
    )
    m.report_meeting(meeting, a, happened=True, follow_up=True)
    with pytest.raises(m.MeetingError, match="nicht Ihr"):
        m.report_meeting(meeting, people[3], happened=True, follow_up=False)
    stats = figures(meet_event)
    assert stats.meetings_scheduled == 1
    assert stats.meetings_held == 1
    assert stats.follow_ups == 1


def test_meetings_page_renders_for_attendees(
    client: Client, meet_event: Event, people: list[Any]
) -> None:
    a, b = people[:2]
    m.request_meeting(meet_event, a, b)
    client.force_login(b)
    page = client.get(f"/veranstaltungen/{meet_event.slug}/meetings/").content.decode()
    assert "Anfragen an Sie" in page
    assert "Vorschläge" in page
    request_id = b.pk
    response = client.post(
        f"/veranstaltungen/{meet_event.slug}/meetings/anfrage/{request_id}/", follow=True
    )
    assert "selbst" in response.content.decode()


def test_accepted_meeting_is_mailed_to_both_with_ics(
    smtp_mailbox: Any,
    meet_event: Event,
    people: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    a, b = people[:2]
    with django_capture_on_commit_callbacks(execute=True):
        m.answer_request(m.request_meeting(meet_event, a, b), b, accept=True)
    messages = smtp_mailbox.wait_for(2)
    assert sorted(str(msg["To"]) for msg in messages) == [a.email, b.email]
    body = messages[0].get_body(preferencelist=("plain",))
    assert body is not None
    assert "27.11. 12:00 – Tisch 1" in body.get_content()
    assert "Medien & Kultur" in body.get_content()  # plain text: nothing HTML-escaped
    attachment = next(iter(messages[0].iter_attachments()))
    content = attachment.get_content()
    calendar = icalendar.Calendar.from_ical(
        content if isinstance(content, bytes) else content.encode()
    )
    assert str(calendar.walk("VEVENT")[0]["LOCATION"]) == "Tisch 1"


def test_suggestions_use_the_matchmaking_engine_on_directory_profiles(
    meet_event: Event, people: list[Any]
) -> None:
    """Directory expertise (not only the event profile) drives the ranking and reasons."""
    from lotse.ecosystem.domain.organisations import ensure_person_for_user

    subtitles = Term.objects.get(slug="spracherkennung-untertitelung")
    unrelated = Term.objects.get(slug="architektur")
    a, b, c = people[:3]
    for user, term in ((a, subtitles), (b, subtitles), (c, unrelated)):
        ensure_person_for_user(user).expertise.set([term])
        m.save_profile(meet_event, user)
    suggestions = meeting_suggestions(meet_event, a)
    assert suggestions[0].profile.user == b
    assert suggestions[0].score > suggestions[1].score
    assert any(subtitles.name in reason for reason in suggestions[0].reasons)


def test_slot_labels_follow_the_language(meet_event: Event) -> None:
    with translation.override("de"):
        labels = [label for _, label in MeetingProfileForm(event=meet_event)["slots"].field.choices]
    assert labels[:2] == ["27.11.2031 12:00–12:15", "27.11.2031 12:15–12:30"]
    with translation.override("en"):
        labels = [label for _, label in MeetingProfileForm(event=meet_event)["slots"].field.choices]
    assert labels[:2] == ["11/27/2031 noon–12:15 p.m.", "11/27/2031 12:15 p.m.–12:30 p.m."]
