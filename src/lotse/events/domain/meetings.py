"""1:1 meetings at an event: opt-in, live requests, batch wishes and the optimiser.

Live mode books the first slot in which both people are free (available, no other
meeting, no starred session) and a table is free, under the event's row lock.
Batch mode turns profiles, wishes and starred sessions into a
:class:`lotse.meetings.Problem`, runs :func:`lotse.meetings.solve`, stores the
result as *provisional* meetings for the organisers to review, and publishes them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lotse import meetings as optimiser
from lotse.ecosystem.models import Term
from lotse.events.domain.mail import send_meeting_mails
from lotse.events.models import (
    Event,
    Meeting,
    MeetingMode,
    MeetingProfile,
    MeetingRequest,
    MeetingRequestStatus,
    MeetingSlot,
    MeetingStatus,
    MeetingWish,
    Registration,
    RegistrationStatus,
    Star,
    WishKind,
)

ACTIVE_MEETING = (MeetingStatus.PROVISIONAL, MeetingStatus.CONFIRMED)


class MeetingError(Exception):
    """A meeting step is not possible; ``str(error)`` is a message for people."""


def _lock(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _require_mode(event: Event, *modes: str) -> None:
    if event.meeting_mode == MeetingMode.OFF:
        raise MeetingError(_("Bei dieser Veranstaltung gibt es keine 1:1-Meetings."))
    if modes and event.meeting_mode not in modes:
        raise MeetingError(_("Das ist in diesem Meeting-Modus nicht vorgesehen."))


def _profile(event: Event, user: Any) -> MeetingProfile:
    profile = MeetingProfile.objects.filter(event=event, user=user, opted_in=True).first()
    if profile is None:
        raise MeetingError(_("Diese Person nimmt nicht an 1:1-Meetings teil."))
    return profile


# --- organiser: slots -------------------------------------------------------------------


@transaction.atomic
def define_slots(
    event: Event, *, first_start: dt.datetime, count: int, minutes: int, gap: int = 0
) -> list[MeetingSlot]:
    """Replace the event's meeting slots by ``count`` slots of ``minutes`` each."""
    event = _lock(event)
    _require_mode(event)
    if count < 1 or minutes < 1 or gap < 0:
        raise MeetingError(_("Bitte geben Sie Anzahl und Dauer der Zeitfenster an."))
    if Meeting.objects.filter(event=event).exclude(status=MeetingStatus.CANCELLED).exists():
        raise MeetingError(
            _("Es gibt schon geplante Meetings; die Zeitfenster lassen sich nicht mehr ändern.")
        )
    MeetingSlot.objects.filter(event=event).delete()
    slots = []
    start = first_start
    for _index in range(count):
        end = start + dt.timedelta(minutes=minutes)
        slots.append(MeetingSlot.objects.create(event=event, starts_at=start, ends_at=end))
        start = end + dt.timedelta(minutes=gap)
    return slots


# --- attendees: profile, wishes, requests ------------------------------------------------


@transaction.atomic
def save_profile(
    event: Event,
    user: Any,
    *,
    offers: str = "",
    seeks: str = "",
    topics: Iterable[Term] = (),
    slots: Iterable[MeetingSlot] = (),
) -> MeetingProfile:
    _require_mode(event)
    if not Registration.objects.filter(
        event=event, user=user, status=RegistrationStatus.CONFIRMED
    ).exists():
        raise MeetingError(_("1:1-Meetings gibt es nur mit bestätigter Anmeldung."))
    slots = list(slots)
    if any(slot.event_id != event.pk for slot in slots):
        raise MeetingError(_("Unbekanntes Zeitfenster."))
    profile, _created = MeetingProfile.objects.update_or_create(
        event=event,
        user=user,
        defaults={"offers": offers.strip(), "seeks": seeks.strip(), "opted_in": True},
    )
    profile.topics.set(list(topics))
    profile.available_slots.set(slots)
    return profile


@transaction.atomic
def opt_out(event: Event, user: Any) -> None:
    MeetingProfile.objects.filter(event=event, user=user).update(opted_in=False)
    Meeting.objects.filter(
        Q(person_a=user) | Q(person_b=user), event=event, status__in=ACTIVE_MEETING
    ).update(status=MeetingStatus.CANCELLED)


@transaction.atomic
def set_wish(event: Event, source: Any, target: Any, kind: str) -> MeetingWish | None:
    """Batch mode: must meet / would like / no thanks; ``kind=""`` removes the wish."""
    event = Event.objects.get(pk=event.pk)
    _require_mode(event, MeetingMode.BATCH)
    if event.meetings_published_at is not None:
        raise MeetingError(_("Der Meeting-Plan ist schon veröffentlicht."))
    if source.pk == target.pk:
        raise MeetingError(_("Ein Meeting mit sich selbst ist nicht möglich."))
    _profile(event, source)
    _profile(event, target)
    if not kind:
        MeetingWish.objects.filter(event=event, source=source, target=target).delete()
        return None
    if kind not in WishKind.values:
        raise MeetingError(_("Unbekannte Auswahl."))
    wish, _created = MeetingWish.objects.update_or_create(
        event=event, source=source, target=target, defaults={"kind": kind}
    )
    return wish


@transaction.atomic
def request_meeting(event: Event, sender: Any, recipient: Any, *, message: str = "") -> Any:
    _require_mode(event, MeetingMode.LIVE)
    if sender.pk == recipient.pk:
        raise MeetingError(_("Ein Meeting mit sich selbst ist nicht möglich."))
    _profile(event, sender)
    _profile(event, recipient)
    if _meeting_between(event, sender, recipient) is not None:
        raise MeetingError(_("Sie haben mit dieser Person bereits ein Meeting."))
    existing = MeetingRequest.objects.filter(
        Q(sender=sender, recipient=recipient) | Q(sender=recipient, recipient=sender),
        event=event,
        status=MeetingRequestStatus.OPEN,
    ).first()
    if existing is not None:
        return existing
    request, _created = MeetingRequest.objects.update_or_create(
        event=event,
        sender=sender,
        recipient=recipient,
        defaults={"message": message.strip()[:500], "status": MeetingRequestStatus.OPEN},
    )
    return request


def _meeting_between(event: Event, a: Any, b: Any) -> Meeting | None:
    return Meeting.objects.filter(
        Q(person_a=a, person_b=b) | Q(person_a=b, person_b=a),
        event=event,
        status__in=ACTIVE_MEETING,
    ).first()


def _free_slot_ids(event: Event, user: Any, slots: list[MeetingSlot]) -> set[int]:
    """Slots the person offered, minus starred sessions and existing meetings."""
    profile = MeetingProfile.objects.get(event=event, user=user)
    offered = set(profile.available_slots.values_list("pk", flat=True)) or {s.pk for s in slots}
    busy = _busy_slot_ids(user, slots)
    taken = set(
        Meeting.objects.filter(
            Q(person_a=user) | Q(person_b=user), event=event, status__in=ACTIVE_MEETING
        ).values_list("slot_id", flat=True)
    )
    return offered - busy - taken


def _busy_slot_ids(user: Any, slots: list[MeetingSlot]) -> set[int]:
    stars = list(
        Star.objects.filter(user=user).values_list("session__starts_at", "session__ends_at")
    )
    return {
        slot.pk
        for slot in slots
        for start, end in stars
        if start < slot.ends_at and end > slot.starts_at
    }


def answer_request(request: MeetingRequest, user: Any, *, accept: bool) -> Meeting | None:
    """The recipient accepts (book the first common free slot and table) or declines.

    Without a common free slot the request is marked "no common time" (that is
    saved) and :class:`MeetingError` explains it.
    """
    meeting, unschedulable = _answer_request(request, user, accept=accept)
    if unschedulable:
        raise MeetingError(
            _("Es gibt kein Zeitfenster, in dem Sie beide frei sind und ein Tisch frei ist.")
        )
    return meeting


@transaction.atomic
def _answer_request(
    request: MeetingRequest, user: Any, *, accept: bool
) -> tuple[Meeting | None, bool]:
    event = _lock(request.event)
    request = MeetingRequest.objects.get(pk=request.pk)
    if request.recipient_id != user.pk:
        raise MeetingError(_("Nur die angefragte Person kann antworten."))
    if request.status != MeetingRequestStatus.OPEN:
        raise MeetingError(_("Diese Anfrage ist schon beantwortet."))
    if not accept:
        request.status = MeetingRequestStatus.DECLINED
        request.save(update_fields=["status"])
        return None, False
    slots = list(MeetingSlot.objects.filter(event=event).order_by("starts_at"))
    if not slots:
        raise MeetingError(_("Das Organisationsteam hat noch keine Zeitfenster festgelegt."))
    common = _free_slot_ids(event, request.sender, slots) & _free_slot_ids(
        event, request.recipient, slots
    )
    for slot in slots:
        if slot.pk not in common or slot.ends_at <= timezone.now():
            continue
        used = set(
            Meeting.objects.filter(slot=slot, status__in=ACTIVE_MEETING).values_list(
                "table", flat=True
            )
        )
        free = [t for t in range(1, event.meeting_tables + 1) if t not in used]
        if not free:
            continue
        meeting = Meeting.objects.create(
            event=event,
            slot=slot,
            table=free[0],
            person_a=request.sender,
            person_b=request.recipient,
            status=MeetingStatus.CONFIRMED,
            source=MeetingMode.LIVE,
        )
        request.status = MeetingRequestStatus.ACCEPTED
        request.save(update_fields=["status"])
        transaction.on_commit(
            functools.partial(
                send_meeting_mails, event.pk, [request.sender_id, request.recipient_id]
            )
        )
        return meeting, False
    request.status = MeetingRequestStatus.UNSCHEDULABLE
    request.save(update_fields=["status"])
    return None, True


@transaction.atomic
def report_meeting(meeting: Meeting, user: Any, *, happened: bool, follow_up: bool) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.CONFIRMED:
        raise MeetingError(_("Nur bestätigte Meetings lassen sich auswerten."))
    if meeting.slot.starts_at > timezone.now():
        raise MeetingError(_("Das Meeting hat noch nicht stattgefunden."))
    if user.pk == meeting.person_a_id:
        meeting.a_happened, meeting.a_follow_up = happened, follow_up and happened
    elif user.pk == meeting.person_b_id:
        meeting.b_happened, meeting.b_follow_up = happened, follow_up and happened
    else:
        raise MeetingError(_("Das ist nicht Ihr Meeting."))
    meeting.save()
    return meeting


# --- batch mode: the optimiser -------------------------------------------------------------


@dataclass
class ProblemBuild:
    problem: optimiser.Problem
    slots: dict[str, MeetingSlot]
    warnings: list[str] = field(default_factory=list)


def build_problem(event: Event) -> ProblemBuild:
    """The event's profiles, availability, starred sessions and wishes as a Problem."""
    from lotse.events.selectors import display_name

    slots = list(MeetingSlot.objects.filter(event=event).order_by("starts_at"))
    if not slots:
        raise MeetingError(_("Bitte legen Sie zuerst Zeitfenster fest."))
    confirmed = set(
        Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).values_list(
            "user_id", flat=True
        )
    )
    profiles = list(
        MeetingProfile.objects.filter(event=event, opted_in=True, user_id__in=confirmed)
        .select_related("user", "user__person")
        .prefetch_related("available_slots")
    )
    slot_ids = {slot.pk: f"s{slot.pk}" for slot in slots}
    stars: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for user_id, start, end in Star.objects.filter(
        user_id__in=[p.user_id for p in profiles]
    ).values_list("user_id", "session__starts_at", "session__ends_at"):
        stars[user_id].append((start, end))
    warnings: list[str] = []
    attendees = []
    for profile in profiles:
        offered = list(profile.available_slots.all()) or slots
        busy = [
            s
            for s in slots
            if any(a < s.ends_at and b > s.starts_at for a, b in stars[profile.user_id])
        ]
        name = display_name(profile.user)
        if not {s.pk for s in offered} - {s.pk for s in busy}:
            warnings.append(
                _(
                    "%(name)s hat kein freies Zeitfenster (alle angebotenen sind durch gemerkte "
                    "Programmpunkte belegt)."
                )
                % {"name": name}
            )
        attendees.append(
            optimiser.Attendee(
                id=str(profile.user_id),
                name=name,
                available=tuple(slot_ids[s.pk] for s in offered),
                busy=tuple(slot_ids[s.pk] for s in busy),
                max_meetings=event.meeting_max_per_person,
            )
        )
    known = {a.id for a in attendees}
    wishes = []
    for wish in MeetingWish.objects.filter(event=event).order_by("pk"):
        source, target = str(wish.source_id), str(wish.target_id)
        if source not in known or target not in known:
            warnings.append(
                _("Ein Wunsch betrifft eine Person ohne bestätigte Teilnahme – ignoriert.")
            )
            continue
        wishes.append(
            optimiser.Wish(source=source, target=target, kind=optimiser.WishKind(wish.kind))
        )
    problem = optimiser.Problem(
        slots=tuple(
            optimiser.Slot(
                id=slot_ids[s.pk], start=s.starts_at.isoformat(), end=s.ends_at.isoformat()
            )
            for s in slots
        ),
        attendees=tuple(attendees),
        wishes=tuple(wishes),
        tables=event.meeting_tables,
        settings=optimiser.Settings(max_meetings=event.meeting_max_per_person),
    )
    errors = problem.validate()
    if errors:
        raise MeetingError(
            _("Ungültige Eingabe für die Optimierung: %(e)s") % {"e": "; ".join(errors[:5])}
        )
    return ProblemBuild(
        problem=problem, slots={slot_ids[s.pk]: s for s in slots}, warnings=warnings
    )


@transaction.atomic
def run_optimiser(
    event: Event, *, method: str = "auto", time_limit: float = 30.0
) -> dict[str, Any]:
    """Replace the provisional schedule by the optimiser's; returns its report."""
    event = _lock(event)
    _require_mode(event, MeetingMode.BATCH)
    if event.meetings_published_at is not None:
        raise MeetingError(_("Der Meeting-Plan ist schon veröffentlicht."))
    build = build_problem(event)
    solution = optimiser.solve(build.problem, method=method, time_limit=time_limit)
    problems = optimiser.verify(build.problem, solution)
    if problems:  # never store a schedule that breaks a rule
        raise MeetingError(
            _("Die Optimierung lieferte einen ungültigen Plan: %(e)s")
            % {"e": "; ".join(problems[:3])}
        )
    Meeting.objects.filter(event=event, status=MeetingStatus.PROVISIONAL).delete()
    Meeting.objects.bulk_create(
        [
            Meeting(
                event=event,
                slot=build.slots[m.slot],
                table=m.table,
                person_a_id=int(m.a),
                person_b_id=int(m.b),
                status=MeetingStatus.PROVISIONAL,
                source=MeetingMode.BATCH,
                weight=m.weight,
            )
            for m in solution.meetings
        ]
    )
    asked = {w.source for w in build.problem.wishes if w.kind != optimiser.WishKind.NO_THANKS}
    report = {
        "meetings": len(solution.meetings),
        "total_weight": solution.total_weight,
        "weight_upper_bound": solution.weight_upper_bound,
        "objective": solution.objective,
        "upper_bound": solution.upper_bound,
        "gap": solution.gap,
        "solver": solution.solver,
        "status": solution.status,
        "seconds": round(solution.seconds, 2),
        "attendees": len(build.problem.attendees),
        "asked": len(asked),
        "asked_without_meeting": sum(
            1 for a in asked if solution.meetings_per_attendee.get(a, 0) == 0
        ),
        "unmet_wishes": len(solution.unmet_wishes),
        "warnings": build.warnings + list(solution.notes),
        "at": timezone.now().isoformat(),
    }
    event.meetings_report = report
    event.save(update_fields=["meetings_report"])
    return report


@transaction.atomic
def publish_meetings(event: Event) -> int:
    event = _lock(event)
    _require_mode(event, MeetingMode.BATCH)
    count = Meeting.objects.filter(event=event, status=MeetingStatus.PROVISIONAL).update(
        status=MeetingStatus.CONFIRMED
    )
    if not count:
        raise MeetingError(_("Es gibt keinen vorläufigen Plan zum Veröffentlichen."))
    event.meetings_published_at = timezone.now()
    event.save(update_fields=["meetings_published_at"])
    event_id = event.pk
    transaction.on_commit(lambda: send_meeting_mails(event_id))
    return count
