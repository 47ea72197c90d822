"""Organiser pages: edit events and sessions, registrations, check-in, figures."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lotse.events import access, selectors
from lotse.events.domain import programme as prog
from lotse.events.domain import registration as reg
from lotse.events.forms import (
    EventForm,
    MaterialForm,
    RoomForm,
    SeriesForm,
    SessionForm,
    VenueForm,
)
from lotse.events.models import Event, Registration


def _editable_event(request: HttpRequest, slug: str) -> Event:
    event = selectors.get_event(request.user, slug)
    if event is None:
        raise Http404
    if not access.can_edit_event(request.user, event):
        raise PermissionDenied
    return event


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
def event_create(request: HttpRequest) -> HttpResponse:
    if not access.can_create_event(request.user):
        raise PermissionDenied
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisers = list(data.pop("organisers")) or [request.user]
        topics = list(data.pop("topics"))
        try:
            event = prog.create_event(organisers=organisers, topics=topics, **data)
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, _("Die Veranstaltung wurde angelegt."))
            return redirect(event)
    return render(request, "events/form.html", {"form": form, "title": _("Neue Veranstaltung")})


@login_required
def event_edit(request: HttpRequest, slug: str) -> HttpResponse:
    event = _editable_event(request, slug)
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisers = list(data.pop("organisers"))
        topics = list(data.pop("topics"))
        try:
            prog.update_event(
                Event.objects.get(pk=event.pk), organisers=organisers, topics=topics, **data
            )
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, _("Die Änderungen sind gespeichert."))
            return redirect("events:event_detail", slug=slug)
    context = {
        "form": form,
        "title": _("Veranstaltung bearbeiten"),
        "cancel_url": event.get_absolute_url(),
    }
    return render(request, "events/form.html", context)


@login_required
def venue_create(request: HttpRequest) -> HttpResponse:
    if not access.can_create_event(request.user):
        raise PermissionDenied
    form = VenueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        rooms = [line.strip() for line in data.pop("room_names").splitlines() if line.strip()]
        try:
            prog.create_venue(rooms=rooms, **data)
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, _("Der Ort wurde angelegt."))
            return redirect("events:event_list")
    return render(request, "events/form.html", {"form": form, "title": _("Neuer Ort")})


@login_required
def series_create(request: HttpRequest) -> HttpResponse:
    if not access.can_create_event(request.user):
        raise PermissionDenied
    form = SeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            series = prog.create_series(**form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, _("Die Reihe wurde angelegt."))
            return redirect(series)
    return render(request, "events/form.html", {"form": form, "title": _("Neue Reihe")})


@login_required
def room_add(request: HttpRequest, slug: str) -> HttpResponse:
    event = _editable_event(request, slug)
    if event.venue is None:
        messages.error(request, _("Diese Veranstaltung hat keinen Ort; bitte zuerst einen wählen."))
        return redirect("events:event_edit", slug=slug)
    form = RoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            prog.add_room(event.venue, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, _("Der Raum wurde hinzugefügt."))
            return redirect("events:programme", slug=slug)
    context = {
        "form": form,
        "title": _("Raum/Bühne hinzufügen: %(venue)s") % {"venue": event.venue.name},
        "cancel_url": event.get_absolute_url(),
    }
    return render(request, "events/form.html", context)


def _warn(request: HttpRequest, warnings: list[str]) -> None:
    for warning in warnings:
        messages.warning(request, warning)


@login_required
def session_create(request: HttpRequest, slug: str) -> HttpResponse:
    event = _editable_event(request, slug)
    form = SessionForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        data = form.domain_fields()
        try:
            session = prog.create_session(event, **data)
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, _("Der Programmpunkt wurde angelegt."))
            _warn(request, prog.session_warnings(session))
            return redirect(session)
    context = {"form": form, "title": _("Neuer Programmpunkt"), "event": event}
    return render(request, "events/form.html", context)


@login_required
def session_edit(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    event = _editable_event(request, slug)
    session = get_object_or_404(event.sessions, code=code)
    form = SessionForm(request.POST or None, instance=session, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            session = prog.update_session(event.sessions.get(pk=session.pk), **form.domain_fields())
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, _("Die Änderungen sind gespeichert."))
            _warn(request, prog.session_warnings(session))
            return redirect(session)
    context = {
        "form": form,
        "title": _("Programmpunkt bearbeiten"),
        "cancel_url": session.get_absolute_url(),
    }
    return render(request, "events/form.html", context)


@login_required
@require_POST
def session_delete(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    event = _editable_event(request, slug)
    session = get_object_or_404(event.sessions, code=code)
    prog.delete_session(session)
    messages.success(request, _("Der Programmpunkt wurde gelöscht."))
    return redirect("events:programme", slug=slug)


@login_required
def material_add(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    event = _editable_event(request, slug)
    session = get_object_or_404(event.sessions, code=code)
    form = MaterialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            prog.add_material(session, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, _("Das Material wurde hinzugefügt."))
            return redirect(session)
    context = {
        "form": form,
        "title": _("Material zu „%(title)s“") % {"title": session.title},
        "cancel_url": session.get_absolute_url(),
    }
    return render(request, "events/form.html", context)


@login_required
def warnings_page(request: HttpRequest, slug: str) -> HttpResponse:
    event = _editable_event(request, slug)
    return render(
        request,
        "events/warnings.html",
        {"event": event, "warnings": prog.programme_warnings(event)},
    )


# --- registrations ------------------------------------------------------------------


@login_required
def registration_list(request: HttpRequest, slug: str) -> HttpResponse:
    event = _editable_event(request, slug)
    context = {
        "event": event,
        "registrations": selectors.registrations(event),
        "figures": selectors.figures(event),
        "is_past": event.ends_at <= timezone.now(),
    }
    return render(request, "events/registrations.html", context)


@login_required
@require_POST
def registration_action(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = _editable_event(request, slug)
    registration = get_object_or_404(Registration, pk=pk, event=event)
    action = request.POST.get("action")
    try:
        if action == "approve":
            reg.approve_registration(registration)
        elif action == "reject":
            reg.reject_registration(registration)
        elif action == "check_in":
            reg.set_checked_in(registration, checked_in=True)
        elif action == "undo_check_in":
            reg.set_checked_in(registration, checked_in=False)
        else:
            messages.error(request, _("Unbekannte Aktion."))
            return redirect("events:registrations", slug=slug)
    except reg.RegistrationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Gespeichert."))
    if getattr(request, "htmx", None):
        registration.refresh_from_db()
        return render(request, "events/_registration_row.html", {"r": registration, "event": event})
    return redirect("events:registrations", slug=slug)


@login_required
@require_POST
def mark_no_shows(request: HttpRequest, slug: str) -> HttpResponse:
    event = _editable_event(request, slug)
    try:
        count = reg.mark_no_shows(event)
    except reg.RegistrationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(n)d Personen als nicht erschienen markiert.") % {"n": count})
    return redirect("events:registrations", slug=slug)


@login_required
def checkin_list(request: HttpRequest, slug: str) -> HttpResponse:
    event = _editable_event(request, slug)
    confirmed = [r for r in selectors.registrations(event) if r.status == "confirmed"]
    confirmed.sort(key=lambda r: selectors.display_name(r.user).lower())
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{event.slug}-checkin.csv"'
        response.write("\ufeff")  # Excel reads UTF-8 with a BOM
        writer = csv.writer(response, delimiter=";")
        writer.writerow(
            [_("Name"), _("E-Mail"), _("Organisation"), _("Eingecheckt"), _("Nicht erschienen")]
        )
        for r in confirmed:
            writer.writerow(
                [
                    _csv_safe(selectors.display_name(r.user)),
                    _csv_safe(r.user.email),
                    _csv_safe(r.organisation.name if r.organisation else ""),
                    timezone.localtime(r.checked_in_at).strftime("%Y-%m-%d %H:%M")
                    if r.checked_in_at
                    else "",
                    _("ja") if r.no_show else "",
                ]
            )
        return response
    return render(request, "events/checkin_list.html", {"event": event, "registrations": confirmed})


def _csv_safe(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection)."""
    return "'" + value if value[:1] in {"=", "+", "-", "@"} else value


@login_required
def figures_page(request: HttpRequest, slug: str) -> HttpResponse:
    event = _editable_event(request, slug)
    return render(
        request, "events/figures.html", {"event": event, "figures": selectors.figures(event)}
    )
