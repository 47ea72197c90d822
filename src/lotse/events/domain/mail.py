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
