"""What attendees do: register, cancel, star, sign up, give feedback, download calendars."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lotse.events import selectors
from lotse.events.domain import agenda as agenda_domain
from lotse.events.domain import registration as reg
from lotse.events.domain.calendar import build_calendar, event_calendar
from lotse.events.forms import FeedbackForm
from lotse.events.models import CalendarFeed, Event, RegistrationStatus, Session


def _event_or_404(request: HttpRequest, slug: str) -> Event:
    event = selectors.get_event(request.user, slug)
    if event is None:
        raise Http404
    return event


def _session_or_404(request: HttpRequest, slug: str, code: str) -> Session:
    event = _event_or_404(request, slug)
    session = selectors.get_session(event, code)
    if session is None:
        raise Http404
    return session


@login_required
@require_POST
def register(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_or_404(request, slug)
    try:
        registration = reg.register(event, request.user)
    except reg.RegistrationError as error:
        messages.error(request, str(error))
        return redirect(event)
    if registration.status == RegistrationStatus.CONFIRMED:
        messages.success(request, _("Sie sind angemeldet. Die Bestätigung kommt per E-Mail."))
    elif registration.status == RegistrationStatus.WAITING:
        messages.warning(
            request,
            _("Die Veranstaltung ist ausgebucht. Sie stehen auf der Warteliste (Platz %(n)s).")
            % {"n": selectors.waiting_position(registration)},
        )
    else:
        messages.info(request, _("Ihre Anmeldung ist eingegangen und wird geprüft."))
    return redirect(event)


@login_required
@require_POST
def cancel(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_or_404(request, slug)
    registration = selectors.user_registration(event, request.user)
    if registration is None:
        messages.error(request, _("Sie sind für diese Veranstaltung nicht angemeldet."))
        return redirect(event)
    try:
        reg.cancel_registration(registration)
    except reg.RegistrationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Sie haben sich abgemeldet."))
    return redirect(event)


@login_required
@require_POST
def session_signup(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    session = _session_or_404(request, slug, code)
    try:
        if request.POST.get("action") == "cancel":
            reg.cancel_session_signup(session, request.user)
            messages.success(request, _("Sie haben sich von diesem Programmpunkt abgemeldet."))
        else:
            reg.sign_up_for_session(session, request.user)
            messages.success(request, _("Ihr Platz in diesem Programmpunkt ist reserviert."))
    except reg.RegistrationError as error:
        messages.error(request, str(error))
    return redirect(session)


@login_required
@require_POST
def star(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    session = _session_or_404(request, slug, code)
    starred = agenda_domain.toggle_star(session, request.user)
    htmx = getattr(request, "htmx", None)
    if htmx:
        return render(request, "events/_star_button.html", {"session": session, "starred": starred})
    return redirect(request.POST.get("next") or session.get_absolute_url())


@login_required
@require_POST
def feedback(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    session = _session_or_404(request, slug, code)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie eine Bewertung von 1 bis 5."))
        return redirect(session)
    try:
        agenda_domain.give_feedback(
            session,
            request.user,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except agenda_domain.AgendaError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Danke für Ihre Rückmeldung."))
    return redirect(session)


def _ics(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_or_404(request, slug)
    return _ics(event_calendar(event), f"{event.slug}.ics")


@login_required
def agenda_ics(request: HttpRequest) -> HttpResponse:
    entries = selectors.agenda_entries(request.user)
    return _ics(build_calendar(entries, name=_("Meine Agenda")), "agenda.ics")


def agenda_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    if not feed.user.is_active:
        raise Http404
    entries = selectors.agenda_entries(feed.user)
    response = HttpResponse(
        build_calendar(entries, name=_("Meine Agenda")), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@require_POST
def renew_feed(request: HttpRequest) -> HttpResponse:
    from lotse.events.domain.calendar import renew_feed_token

    renew_feed_token(request.user)
    messages.success(request, _("Die Abo-Adresse wurde erneuert; die alte gilt nicht mehr."))
    return redirect("events:agenda")
