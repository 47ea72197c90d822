"""Mails of the events app; confirmations carry the event as an .ics attachment."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from lotse.events.domain.calendar import absolute, event_calendar
from lotse.events.models import Registration, RegistrationStatus

logger = logging.getLogger(__name__)

SUBJECTS = {
    "confirmed": "Anmeldung bestätigt: %(title)s",
    "promoted": "Ein Platz ist frei geworden: %(title)s",
    "waiting": "Sie stehen auf der Warteliste: %(title)s",
    "pending": "Anmeldung eingegangen: %(title)s",
    "rejected": "Anmeldung nicht möglich: %(title)s",
    "cancelled": "Abmeldung bestätigt: %(title)s",
}


def send_registration_mail(registration_id: int, kind: str) -> bool:
    """Send one mail about a registration; never raises (the registration stands)."""
    try:
        registration = Registration.objects.select_related("event", "user", "event__venue").get(
            pk=registration_id
        )
        event = registration.event
        with translation.override("de"):
            context = {
                "registration": registration,
                "event": event,
                "kind": kind,
                "event_url": absolute(event.get_absolute_url()),
                "network_name": settings.LOTSE_NETWORK_NAME,
            }
            body = render_to_string("events/mail/registration.txt", context)
            subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + SUBJECTS[kind] % {
                "title": event.title
            }
        message = EmailMessage(subject, body, to=[registration.user.email])
        if (
            kind in {"confirmed", "promoted"}
            and registration.status == RegistrationStatus.CONFIRMED
        ):
            message.attach(f"{event.slug}.ics", event_calendar(event), "text/calendar")
        message.send()
        return True
    except Exception:  # a mail server outage must not undo a registration
        logger.exception("events: mail %s for registration %s failed", kind, registration_id)
        return False


def send_meeting_mails(event_id: int, user_ids: list[int] | None = None) -> int:
    """Tell people their confirmed 1:1 meetings (time, table, partner) with an .ics file."""

    from lotse.accounts.models import User
    from lotse.events.domain.calendar import CalendarEntry, build_calendar
    from lotse.events.models import Event, Meeting, MeetingStatus
    from lotse.events.selectors import display_name

    sent = 0
    event = Event.objects.get(pk=event_id)
    meetings = list(
        Meeting.objects.filter(event=event, status=MeetingStatus.CONFIRMED).select_related(
            "slot", "person_a__person", "person_b__person"
        )
    )
    people: dict[int, list[Meeting]] = {}
    for meeting in meetings:
        people.setdefault(meeting.person_a_id, []).append(meeting)
        people.setdefault(meeting.person_b_id, []).append(meeting)
    for user in User.objects.filter(pk__in=user_ids if user_ids is not None else list(people)):
        mine = sorted(people.get(user.pk, []), key=lambda m: m.slot.starts_at)
        if not mine:
            continue
        lines = []
        entries = []
        for meeting in mine:
            other = meeting.person_b if meeting.person_a_id == user.pk else meeting.person_a
            local = meeting.slot.starts_at.astimezone(event.tzinfo)
            lines.append(f"{local:%d.%m. %H:%M} – Tisch {meeting.table} – {display_name(other)}")
            entries.append(
                CalendarEntry(
                    uid=f"meeting-{meeting.pk}@lotse",
                    title=f"1:1-Meeting mit {display_name(other)}",
                    starts_at=meeting.slot.starts_at,
                    ends_at=meeting.slot.ends_at,
                    location=f"Tisch {meeting.table}",
                    time_zone=event.time_zone,
                )
            )
        try:
            with translation.override("de"):
                body = render_to_string(
                    "events/mail/meetings.txt",
                    {
                        "event": event,
                        "lines": lines,
                        "network_name": settings.LOTSE_NETWORK_NAME,
                        "url": absolute(f"/veranstaltungen/{event.slug}/meetings/"),
                    },
                )
            message = EmailMessage(
                settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + f"Ihre 1:1-Meetings: {event.title}",
                body,
                to=[user.email],
            )
            message.attach(
                "meetings.ics", build_calendar(entries, name=event.title), "text/calendar"
            )
            message.send()
            sent += 1
        except Exception:
            logger.exception("events: meeting mail to user %s failed", user.pk)
    return sent
