"""Attendance confirmations (PDF) as evidence of AI-literacy training (Art. 4 EU AI Act)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lotse.events.models import Registration, RegistrationStatus
from lotse.events.selectors import display_name


class AttendanceError(Exception):
    pass


def confirmation_html(registration: Registration) -> str:
    if registration.status != RegistrationStatus.CONFIRMED or registration.checked_in_at is None:
        raise AttendanceError(
            _("Eine Teilnahmebestätigung gibt es nur für eingecheckte Teilnahmen.")
        )
    event = registration.event
    sessions = list(event.sessions.prefetch_related("topics").order_by("starts_at"))
    topics = sorted(
        {t.name for s in sessions for t in s.topics.all()} | {t.name for t in event.topics.all()}
    )
    hours = (event.ends_at - event.starts_at).total_seconds() / 3600
    with translation.override("de"):
        return render_to_string(
            "events/attendance_confirmation.html",
            {
                "registration": registration,
                "event": event,
                "name": display_name(registration.user),
                "organisation": registration.organisation,
                "topics": topics,
                "hours": hours,
                "sessions": sessions[:40],
                "issued_at": timezone.now(),
                "network_name": settings.LOTSE_NETWORK_NAME,
            },
        )


def confirmation_pdf(registration: Registration) -> bytes:
    """Render with WeasyPrint (needs Pango; see docs/events.md)."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # Pango/Cairo missing on this server
        raise AttendanceError(
            _(
                "Die PDF-Bestätigung kann auf diesem Server gerade nicht erzeugt werden "
                "(Systembibliothek Pango fehlt). Bitte wenden Sie sich an das Team."
            )
        ) from error

    html = confirmation_html(registration)
    return bytes(HTML(string=html, base_url=settings.SITE_URL).write_pdf())
