"""Attendance confirmations and attendance evidence per person and organisation."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lotse.ecosystem.access import can_edit_organisation
from lotse.ecosystem.models import Organisation
from lotse.events import access, selectors
from lotse.events.domain.attendance import AttendanceError, confirmation_pdf
from lotse.events.models import Registration, RegistrationStatus


@login_required
def attendance_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.get_event(request.user, slug)
    if event is None:
        raise Http404
    user: Any = request.user
    registration = Registration.objects.filter(event=event, user=user).first()
    if registration is None:
        raise Http404
    try:
        pdf = confirmation_pdf(registration)
    except AttendanceError as error:
        messages.error(request, str(error))
        return redirect(event)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="teilnahmebestaetigung-{event.slug}.pdf"'
    )
    return response


def _attendance_rows(registrations: list[Registration]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="teilnahmen.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Veranstaltung"),
            _("Datum"),
            _("Name"),
            _("Organisation"),
            _("KI-Kompetenz (Art. 4)"),
            _("Stunden"),
        ]
    )
    for r in registrations:
        hours = (r.event.ends_at - r.event.starts_at).total_seconds() / 3600
        writer.writerow(
            [
                r.event.title,
                timezone.localtime(r.event.starts_at).strftime("%Y-%m-%d"),
                selectors.display_name(r.user),
                r.organisation.name if r.organisation else "",
                _("ja") if r.event.is_ai_literacy_training else _("nein"),
                f"{hours:.1f}",
            ]
        )
    return response


def _checked_in() -> object:
    return (
        Registration.objects.filter(
            status=RegistrationStatus.CONFIRMED, checked_in_at__isnull=False
        )
        .select_related("event", "user", "user__person", "organisation")
        .order_by("-event__starts_at")
    )


@login_required
def my_attendance(request: HttpRequest) -> HttpResponse:
    registrations = list(_checked_in().filter(user=request.user))  # type: ignore[attr-defined]
    if request.GET.get("format") == "csv":
        return _attendance_rows(registrations)
    return render(
        request,
        "events/attendance.html",
        {"registrations": registrations, "title": _("Meine Teilnahmen")},
    )


@login_required
def organisation_attendance(request: HttpRequest, key: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, key=key)
    if not can_edit_organisation(request.user, organisation):
        raise PermissionDenied
    registrations = list(_checked_in().filter(organisation=organisation))  # type: ignore[attr-defined]
    if request.GET.get("format") == "csv":
        return _attendance_rows(registrations)
    title = _("Teilnahmen: %(org)s") % {"org": organisation.name}
    return render(
        request,
        "events/attendance.html",
        {"registrations": registrations, "title": title, "organisation": organisation},
    )


@login_required
def event_attendance(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.get_event(request.user, slug)
    if event is None:
        raise Http404
    if not access.can_edit_event(request.user, event):
        raise PermissionDenied
    registrations = list(_checked_in().filter(event=event))  # type: ignore[attr-defined]
    if request.GET.get("format") == "csv":
        return _attendance_rows(registrations)
    title = _("Teilnahmen: %(event)s") % {"event": event.title}
    return render(
        request,
        "events/attendance.html",
        {"registrations": registrations, "title": title, "event": event},
    )
