"""1:1 meetings: the attendee page, requests, wishes, reports and the organisers' planning."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lotse.accounts.models import User
from lotse.events import access, selectors
from lotse.events.domain import meetings as domain
from lotse.events.forms import MeetingProfileForm, MeetingSlotsForm
from lotse.events.models import Event, Meeting, MeetingProfile, MeetingRequest, MeetingSlot


def _event(request: HttpRequest, slug: str) -> Event:
    event = selectors.get_event(request.user, slug)
    if event is None or event.meeting_mode == "off":
        raise Http404
    return event


def _back(slug: str) -> HttpResponse:
    return redirect("events:meetings", slug=slug)


@login_required
def meetings_page(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(request, slug)
    user: Any = request.user
    profile = MeetingProfile.objects.filter(event=event, user=user, opted_in=True).first()
    initial = {}
    if profile is not None:
        initial = {
            "offers": profile.offers,
            "seeks": profile.seeks,
            "topics": list(profile.topics.all()),
            "slots": list(profile.available_slots.all()),
        }
    form = MeetingProfileForm(request.POST or None, initial=initial, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            domain.save_profile(event, user, **form.cleaned_data)
        except domain.MeetingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Ihr Meeting-Profil ist gespeichert."))
            return _back(slug)
    context = {
        "event": event,
        "form": form,
        "profile": profile,
        "suggestions": selectors.meeting_suggestions(event, user) if profile else [],
        "requests": selectors.meeting_requests(event, user),
        "meetings": selectors.my_meetings(event, user),
        "can_edit": access.can_edit_event(user, event),
        "slot_count": event.meeting_slots.count(),
        "wish_choices": [
            ("must_meet", _("unbedingt treffen")),
            ("would_like", _("gern treffen")),
            ("no_thanks", _("nein danke")),
        ],
    }
    return render(request, "events/meetings.html", context)


@login_required
@require_POST
def meeting_opt_out(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(request, slug)
    domain.opt_out(event, request.user)
    messages.success(request, _("Sie nehmen nicht mehr an 1:1-Meetings teil."))
    return _back(slug)


@login_required
@require_POST
def meeting_request(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    event = _event(request, slug)
    recipient = get_object_or_404(User, pk=user_id)
    try:
        domain.request_meeting(
            event, request.user, recipient, message=request.POST.get("message", "")
        )
    except domain.MeetingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Ihre Anfrage ist verschickt."))
    return _back(slug)


@login_required
@require_POST
def meeting_answer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = _event(request, slug)
    meeting_request_obj = get_object_or_404(MeetingRequest, pk=pk, event=event)
    accept = request.POST.get("answer") == "accept"
    try:
        meeting = domain.answer_request(meeting_request_obj, request.user, accept=accept)
    except domain.MeetingError as error:
        messages.error(request, str(error))
    else:
        if meeting is not None:
            messages.success(
                request,
                _("Meeting gebucht: %(time)s, Tisch %(table)d.")
                % {
                    "time": formats.time_format(meeting.slot.starts_at.astimezone(event.tzinfo)),
                    "table": meeting.table,
                },
            )
        else:
            messages.info(request, _("Anfrage abgelehnt."))
    return _back(slug)


@login_required
@require_POST
def meeting_wish(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    event = _event(request, slug)
    target = get_object_or_404(User, pk=user_id)
    try:
        domain.set_wish(event, request.user, target, request.POST.get("kind", ""))
    except domain.MeetingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Gespeichert."))
    return _back(slug)


@login_required
@require_POST
def meeting_report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = _event(request, slug)
    meeting = get_object_or_404(Meeting, pk=pk, event=event)
    try:
        domain.report_meeting(
            meeting,
            request.user,
            happened=request.POST.get("happened") == "yes",
            follow_up=request.POST.get("follow_up") == "yes",
        )
    except domain.MeetingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Danke für Ihre Rückmeldung zum Meeting."))
    return _back(slug)


@login_required
def meetings_admin(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(request, slug)
    if not access.can_edit_event(request.user, event):
        raise PermissionDenied
    form = MeetingSlotsForm(request.POST or None if request.POST.get("action") == "slots" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "slots" and form.is_valid():
                created = domain.define_slots(event, **form.cleaned_data)
                messages.success(request, _("%(n)d Zeitfenster angelegt.") % {"n": len(created)})
                return redirect("events:meetings_admin", slug=slug)
            if action == "optimise":
                report = domain.run_optimiser(event)
                messages.success(
                    request,
                    _("Vorläufiger Plan: %(n)d Meetings, %(gap).1f %% unter der oberen Schranke.")
                    % {"n": report["meetings"], "gap": 100 * report["gap"]},
                )
                return redirect("events:meetings_admin", slug=slug)
            if action == "publish":
                count = domain.publish_meetings(event)
                messages.success(request, _("%(n)d Meetings veröffentlicht.") % {"n": count})
                return redirect("events:meetings_admin", slug=slug)
        except domain.MeetingError as error:
            messages.error(request, str(error))
    event.refresh_from_db()
    context = {
        "event": event,
        "form": form,
        "slots": list(MeetingSlot.objects.filter(event=event)),
        "profiles": MeetingProfile.objects.filter(event=event, opted_in=True).count(),
        "schedule": selectors.provisional_schedule(event),
        "report": event.meetings_report,
        "can_edit": True,
    }
    return render(request, "events/meetings_admin.html", context)
