"""Public pages: event list, series, event, programme (grid and list), sessions, speakers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from lotse.ecosystem.access import can_view_person
from lotse.ecosystem.models import Person
from lotse.events import access, selectors
from lotse.events.forms import FeedbackForm
from lotse.events.models import EventKind, Feedback, RegistrationStatus
from lotse.events.rendering import programme_html


def event_list(request: HttpRequest) -> HttpResponse:
    context = {
        **selectors.event_lists(request.user),
        "can_create": access.can_create_event(request.user),
        "can_import": access.can_import_schedule(request.user),
    }
    return render(request, "events/event_list.html", context)


def series_detail(request: HttpRequest, slug: str) -> HttpResponse:
    series, episodes = selectors.series_with_episodes(request.user, slug)
    if series is None:
        raise Http404
    return render(request, "events/series_detail.html", {"series": series, "episodes": episodes})


def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.get_event(request.user, slug)
    if event is None:
        raise Http404
    registration = selectors.user_registration(event, request.user)
    context = {
        "event": event,
        "registration": registration,
        "waiting_position": selectors.waiting_position(registration) if registration else None,
        "can_edit": access.can_edit_event(request.user, event),
        "session_count": event.sessions.count(),
        "speakers": selectors.event_speakers(request.user, event)[:24],
        "is_confirmed": bool(registration and registration.status == RegistrationStatus.CONFIRMED),
    }
    return render(request, "events/event_detail.html", context)


def programme(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.get_event(request.user, slug)
    if event is None:
        raise Http404
    default_view = "grid" if event.kind == EventKind.CONFERENCE else "list"
    view = request.GET.get("view") or default_view
    if view not in {"grid", "list"}:
        view = default_view
    data = selectors.programme(event, request.GET, user=request.user)
    context = {
        "event": event,
        "programme": data,
        "programme_html": programme_html(event, data, view=view),
        "view": view,
        "can_edit": access.can_edit_event(request.user, event),
    }
    htmx = getattr(request, "htmx", None)
    template = "events/_programme.html" if htmx and not htmx.boosted else "events/programme.html"
    return render(request, template, context)


def session_detail(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    event = selectors.get_event(request.user, slug)
    if event is None:
        raise Http404
    session = selectors.get_session(event, code)
    if session is None:
        raise Http404
    registration = selectors.user_registration(event, request.user)
    feedback = None
    if request.user.is_authenticated:
        feedback = Feedback.objects.filter(session=session, user=request.user).first()
    context = {
        "event": event,
        "session": session,
        "materials": list(session.materials.all()),
        "can_edit": access.can_edit_event(request.user, event),
        "starred": request.user.is_authenticated
        and session.stars.filter(user=request.user).exists(),
        "signed_up": session.pk in selectors.signed_up_session_ids(event, request.user),
        "seats_taken": session.signups.count() if session.capacity is not None else None,
        "is_confirmed": bool(registration and registration.status == RegistrationStatus.CONFIRMED),
        "feedback": feedback,
        "feedback_form": FeedbackForm(instance=feedback),
        "session_over": session.ends_at <= timezone.now(),
    }
    return render(request, "events/session_detail.html", context)


def speaker_list(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.get_event(request.user, slug)
    if event is None:
        raise Http404
    speakers = selectors.event_speakers(request.user, event)
    return render(request, "events/speaker_list.html", {"event": event, "speakers": speakers})


def speaker_detail(request: HttpRequest, key: str) -> HttpResponse:
    person = get_object_or_404(Person, key=key)
    if not can_view_person(request.user, person):
        raise Http404
    sessions = selectors.speaker_sessions(request.user, person)
    if not sessions:
        raise Http404
    return render(request, "events/speaker_detail.html", {"person": person, "sessions": sessions})


@login_required
def agenda_page(request: HttpRequest) -> HttpResponse:
    from lotse.events.domain.calendar import ensure_feed_token

    token = ensure_feed_token(request.user)
    context = {"items": selectors.agenda(request.user), "feed_token": token}
    return render(request, "events/agenda.html", context)
