"""Reads of the events app: lists, the programme grid, speakers, agendas, figures."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from lotse.ecosystem.access import visible_people
from lotse.ecosystem.models import Person, Term
from lotse.events import access
from lotse.events.domain.calendar import CalendarEntry, absolute
from lotse.events.models import (
    Event,
    EventSeries,
    Feedback,
    Meeting,
    MeetingStatus,
    Registration,
    RegistrationStatus,
    Room,
    Session,
    SessionSignup,
    Star,
)


def get_event(user: Any, slug: str) -> Event | None:
    event = Event.objects.select_related("venue", "series", "host").filter(slug=slug).first()
    if event is None or not access.can_view_event(user, event):
        return None
    return event


def event_lists(user: Any) -> dict[str, list[Event]]:
    now = timezone.now()
    events = access.visible_events(user).select_related("venue", "series").order_by("starts_at")
    upcoming = [e for e in events if e.ends_at >= now]
    past = [e for e in events if e.ends_at < now]
    past.reverse()
    return {"upcoming": upcoming, "past": past}


def series_with_episodes(user: Any, slug: str) -> tuple[EventSeries | None, list[Event]]:
    series = EventSeries.objects.filter(slug=slug).first()
    if series is None:
        return None, []
    episodes = list(
        access.visible_events(user, series.episodes.all())
        .prefetch_related("topics")
        .order_by("starts_at")
    )
    return series, episodes


def session_queryset(event: Event) -> QuerySet[Session]:
    return (
        Session.objects.filter(event=event)
        .select_related("room", "event")
        .prefetch_related(
            Prefetch("speakers", queryset=Person.objects.only("pk", "key", "name")),
            Prefetch("topics", queryset=Term.objects.only("pk", "slug", "name")),
        )
        .order_by("starts_at", "room__position", "title")
    )


@dataclass
class SessionRow:
    """A session as the programme shows it: plain values, no model instances (speed)."""

    pk: int
    code: str
    title: str
    kind: str
    room_id: int | None
    room_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    language: str
    guests: list[str]
    speakers: list[tuple[str, str]] = field(default_factory=list)
    topics: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class GridRow:
    time: dt.datetime
    cells: list[list[SessionRow]]


@dataclass
class GridDay:
    date: dt.date
    rooms: list[tuple[int | None, str]]
    rows: list[GridRow]
    sessions: list[SessionRow]


@dataclass
class Programme:
    sessions: list[SessionRow]
    days: list[GridDay]
    topics: list[tuple[str, str]]
    rooms: list[tuple[int, str]]
    languages: list[str]
    selected: dict[str, str]
    total: int
    starred: set[int] = field(default_factory=set)


def _session_rows(event: Event) -> list[SessionRow]:
    tz = event.tzinfo
    rows = {}
    for pk, code, title, kind, room_id, room_name, starts, ends, language, guests in (
        Session.objects.filter(event=event)
        .order_by("starts_at", "room__position", "title")
        .values_list(
            "pk",
            "code",
            "title",
            "kind",
            "room_id",
            "room__name",
            "starts_at",
            "ends_at",
            "language",
            "guest_speakers",
        )
    ):
        rows[pk] = SessionRow(
            pk=pk,
            code=code,
            title=title,
            kind=kind,
            room_id=room_id,
            room_name=room_name or "",
            starts_at=starts.astimezone(tz),
            ends_at=ends.astimezone(tz),
            language=language,
            guests=[str(g) for g in guests or []],
        )
    speakers = Session.speakers.through.objects.filter(session__event=event).order_by(
        "person__name"
    )
    for session_id, key, name in speakers.values_list("session_id", "person__key", "person__name"):
        rows[session_id].speakers.append((key, name))
    topics = Session.topics.through.objects.filter(session__event=event).order_by("term__name")
    for session_id, slug, name in topics.values_list("session_id", "term__slug", "term__name"):
        rows[session_id].topics.append((slug, name))
    return list(rows.values())


#: cached programme rows live this long at most (speaker renames do not invalidate them).
PROGRAMME_CACHE_SECONDS = 300


def cached_session_rows(event: Event) -> list[SessionRow]:
    """The programme rows, cached per event and programme version."""
    stamp = Event.objects.filter(pk=event.pk).values_list("programme_updated_at", flat=True)
    key = (
        f"lotse:events:rows:{event.pk}:{(stamp.first() or event.programme_updated_at).timestamp()}"
    )
    rows = cache.get(key)
    if rows is None:
        rows = _session_rows(event)
        cache.set(key, rows, PROGRAMME_CACHE_SECONDS)
    return list(rows)


def programme(event: Event, params: Mapping[str, Any], *, user: Any = None) -> Programme:
    """The (filtered) programme, ready for the grid (day × time × room) and the list."""
    all_sessions = cached_session_rows(event)
    room_order = {
        pk: (position, name)
        for pk, position, name in Room.objects.filter(sessions__event=event)
        .distinct()
        .values_list("pk", "position", "name")
    }
    topics: dict[str, str] = {}
    languages: set[str] = set()
    for session in all_sessions:
        topics.update(session.topics)
        languages.add(session.language)
    selected = {
        "topic": str(params.get("topic") or ""),
        "room": str(params.get("room") or ""),
        "language": str(params.get("language") or ""),
    }
    sessions = all_sessions
    if selected["topic"]:
        sessions = [s for s in sessions if any(t[0] == selected["topic"] for t in s.topics)]
    if selected["room"]:
        sessions = [s for s in sessions if str(s.room_id) == selected["room"]]
    if selected["language"]:
        sessions = [s for s in sessions if s.language == selected["language"]]
    by_day: dict[dt.date, list[SessionRow]] = defaultdict(list)
    for session in sessions:
        by_day[session.starts_at.date()].append(session)
    ordered_rooms = sorted(room_order.items(), key=lambda item: item[1])
    days: list[GridDay] = []
    for date in sorted(by_day):
        day_sessions = by_day[date]
        used = {s.room_id for s in day_sessions}
        day_rooms: list[tuple[int | None, str]] = [
            (pk, name) for pk, (_pos, name) in ordered_rooms if pk in used
        ]
        if None in used:
            day_rooms.append((None, ""))
        column = {pk: i for i, (pk, _name) in enumerate(day_rooms)}
        rows: dict[dt.datetime, list[list[SessionRow]]] = {}
        for session in day_sessions:
            cells = rows.setdefault(session.starts_at, [[] for _ in day_rooms])
            cells[column[session.room_id]].append(session)
        days.append(
            GridDay(
                date=date,
                rooms=day_rooms,
                rows=[GridRow(time=t, cells=rows[t]) for t in sorted(rows)],
                sessions=day_sessions,
            )
        )
    starred: set[int] = set()
    if user is not None and user.is_authenticated:
        starred = set(
            Star.objects.filter(user=user, session__event=event).values_list(
                "session_id", flat=True
            )
        )
    return Programme(
        sessions=sessions,
        days=days,
        topics=sorted(topics.items(), key=lambda t: t[1].lower()),
        rooms=[(pk, name) for pk, (_pos, name) in ordered_rooms],
        languages=sorted(languages),
        selected=selected,
        total=len(all_sessions),
        starred=starred,
    )


def get_session(event: Event, code: str) -> Session | None:
    return session_queryset(event).filter(code=code).prefetch_related("materials").first()


def event_speakers(user: Any, event: Event) -> list[Person]:
    people = Person.objects.filter(event_sessions__event=event).distinct().order_by("name")
    return list(visible_people(user, people))


def speaker_sessions(user: Any, person: Person) -> list[Session]:
    events = access.visible_events(user)
    return list(
        Session.objects.filter(speakers=person, event__in=events)
        .select_related("event", "room")
        .order_by("starts_at")
    )


def user_registration(event: Event, user: Any) -> Registration | None:
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(event=event, user=user).first()


def waiting_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITING:
        return None
    return (
        Registration.objects.filter(
            event_id=registration.event_id, status=RegistrationStatus.WAITING
        )
        .filter(
            Q(queued_at__lt=registration.queued_at)
            | Q(queued_at=registration.queued_at, pk__lt=registration.pk)
        )
        .count()
        + 1
    )


def registrations(event: Event) -> list[Registration]:
    return list(
        Registration.objects.filter(event=event)
        .select_related("user", "user__person", "organisation")
        .order_by("status", "queued_at", "pk")
    )


def display_name(user: Any) -> str:
    person = getattr(user, "person", None)
    try:
        if person is not None and person.name:
            return str(person.name)
    except Person.DoesNotExist:  # pragma: no cover - reverse one-to-one miss
        pass
    return str(user.email).split("@")[0]


def signed_up_session_ids(event: Event, user: Any) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        SessionSignup.objects.filter(user=user, session__event=event).values_list(
            "session_id", flat=True
        )
    )


# --- personal agenda -------------------------------------------------------------------


@dataclass
class AgendaItem:
    kind: str  # "session" | "meeting" | "event"
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    location: str
    url: str
    event: Event
    uid: str
    detail: str = ""


def agenda(user: Any) -> list[AgendaItem]:
    """Starred sessions, published 1:1 meetings and registered events of one person."""
    items: list[AgendaItem] = []
    stars = (
        Star.objects.filter(user=user)
        .select_related("session", "session__event", "session__room")
        .order_by("session__starts_at")
    )
    for star in stars:
        session = star.session
        items.append(
            AgendaItem(
                kind="session",
                title=session.title,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                location=str(session.room or session.event.online_url or ""),
                url=session.get_absolute_url(),
                event=session.event,
                uid=f"{session.guid}@lotse",
            )
        )
    meetings = Meeting.objects.filter(
        Q(person_a=user) | Q(person_b=user), status=MeetingStatus.CONFIRMED
    ).select_related("slot", "event", "person_a__person", "person_b__person")
    for meeting in meetings:
        other = meeting.person_b if meeting.person_a_id == user.pk else meeting.person_a
        items.append(
            AgendaItem(
                kind="meeting",
                title=f"1:1-Meeting mit {display_name(other)}",
                starts_at=meeting.slot.starts_at,
                ends_at=meeting.slot.ends_at,
                location=f"Tisch {meeting.table}",
                url=f"/veranstaltungen/{meeting.event.slug}/meetings/",
                event=meeting.event,
                uid=f"meeting-{meeting.pk}@lotse",
                detail=f"Tisch {meeting.table}",
            )
        )
    registered = Registration.objects.filter(
        user=user, status=RegistrationStatus.CONFIRMED
    ).select_related("event", "event__venue")
    for registration in registered:
        event = registration.event
        items.append(
            AgendaItem(
                kind="event",
                title=event.title,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                location=event.venue.name if event.venue else event.online_url,
                url=event.get_absolute_url(),
                event=event,
                uid=f"event-{event.slug}@lotse",
            )
        )
    items.sort(key=lambda item: (item.starts_at, item.kind != "event"))
    return items


def agenda_entries(user: Any) -> list[CalendarEntry]:
    return [
        CalendarEntry(
            uid=item.uid,
            title=item.title,
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            location=item.location,
            description=item.detail,
            url=absolute(item.url),
            time_zone=item.event.time_zone,
        )
        for item in agenda(user)
    ]


# --- figures -----------------------------------------------------------------------------


@dataclass
class Figures:
    registrations: int
    confirmed: int
    waiting: int
    pending: int
    cancelled: int
    checked_in: int
    no_shows: int
    attendance_rate: float | None
    meetings_scheduled: int
    meetings_held: int
    follow_ups: int
    feedback_count: int
    average_rating: float | None
    by_organisation: list[tuple[str, int]]


def figures(event: Event) -> Figures:
    counts = dict(
        Registration.objects.filter(event=event)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    confirmed = counts.get(RegistrationStatus.CONFIRMED, 0)
    checked_in = Registration.objects.filter(
        event=event, status=RegistrationStatus.CONFIRMED, checked_in_at__isnull=False
    ).count()
    no_shows = Registration.objects.filter(event=event, no_show=True).count()
    meetings = list(Meeting.objects.filter(event=event, status=MeetingStatus.CONFIRMED))
    feedback = Feedback.objects.filter(session__event=event)
    ratings = list(feedback.values_list("rating", flat=True))
    by_org = (
        Registration.objects.filter(
            event=event, status=RegistrationStatus.CONFIRMED, checked_in_at__isnull=False
        )
        .values_list("organisation__name")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    return Figures(
        registrations=sum(counts.values()),
        confirmed=confirmed,
        waiting=counts.get(RegistrationStatus.WAITING, 0),
        pending=counts.get(RegistrationStatus.PENDING, 0),
        cancelled=counts.get(RegistrationStatus.CANCELLED, 0),
        checked_in=checked_in,
        no_shows=no_shows,
        attendance_rate=(checked_in / confirmed) if confirmed else None,
        meetings_scheduled=len(meetings),
        meetings_held=sum(1 for m in meetings if m.happened),
        follow_ups=sum(1 for m in meetings if m.follow_up),
        feedback_count=len(ratings),
        average_rating=(sum(ratings) / len(ratings)) if ratings else None,
        by_organisation=[(name or "—", n) for name, n in by_org],
    )


# --- 1:1 meetings -----------------------------------------------------------------------------


@dataclass
class Suggestion:
    profile: Any
    name: str
    score: float
    reasons: list[str]
    wish: str = ""


def _words(text: str) -> set[str]:
    return {w.strip(".,;:!?()\"'").lower() for w in text.split() if len(w) >= 5}


def meeting_suggestions(event: Event, user: Any, *, limit: int = 20) -> list[Suggestion]:
    """Other opted-in attendees ranked by shared topics and offer ↔ seek overlap."""
    from lotse.events.models import MeetingProfile, MeetingWish

    profiles = list(
        MeetingProfile.objects.filter(event=event, opted_in=True)
        .select_related("user", "user__person")
        .prefetch_related("topics", "user__person__expertise")
    )
    mine = next((p for p in profiles if p.user_id == user.pk), None)
    if mine is None:
        return []

    def topics_of(profile: Any) -> dict[int, str]:
        terms = {t.pk: t.name for t in profile.topics.all()}
        person = getattr(profile.user, "person", None)
        if person is not None:
            terms.update({t.pk: t.name for t in person.expertise.all()})
        return terms

    my_topics = topics_of(mine)
    my_seeks, my_offers = _words(mine.seeks), _words(mine.offers)
    wishes = dict(
        MeetingWish.objects.filter(event=event, source=user).values_list("target_id", "kind")
    )
    refused_me = set(
        MeetingWish.objects.filter(event=event, target=user, kind="no_thanks").values_list(
            "source_id", flat=True
        )
    )
    engine_matches = _engine_matches(mine, profiles)
    suggestions = []
    for profile in profiles:
        if profile.user_id == user.pk or profile.user_id in refused_me:
            continue
        theirs = topics_of(profile)
        shared = sorted(my_topics[k] for k in set(my_topics) & set(theirs))
        reasons = []
        if shared:
            reasons.append("Gemeinsame Themen: " + ", ".join(shared[:5]))
        offers_what_i_seek = sorted(my_seeks & _words(profile.offers))
        if offers_what_i_seek:
            reasons.append("Bietet, was Sie suchen: " + ", ".join(offers_what_i_seek[:3]))
        seeks_what_i_offer = sorted(my_offers & _words(profile.seeks))
        if seeks_what_i_offer:
            reasons.append("Sucht, was Sie bieten: " + ", ".join(seeks_what_i_offer[:3]))
        score = len(shared) + 2 * len(offers_what_i_seek) + 2 * len(seeks_what_i_offer)
        person = getattr(profile.user, "person", None)
        match = engine_matches.get(person.pk) if person is not None else None
        if match is not None and match.score > 0:
            # The matchmaking engine's reciprocal score and its plain-language reasons.
            score += 10 * match.score
            reasons = [*match.reasons[:2], *[r for r in reasons if not r.startswith("Gemeinsame")]]
        suggestions.append(
            Suggestion(
                profile=profile,
                name=display_name(profile.user),
                score=score,
                reasons=reasons,
                wish=wishes.get(profile.user_id, ""),
            )
        )
    suggestions.sort(key=lambda s: (-s.score, s.name.lower()))
    return suggestions[:limit]


def _engine_matches(mine: Any, profiles: list[Any]) -> dict[int, Any]:
    """Scores from the matchmaking engine for the opted-in attendees, if installed."""
    from django.apps import apps

    me = getattr(mine.user, "person", None)
    if me is None or not apps.is_installed("lotse.matching"):
        return {}
    from lotse.matching.selectors import score_people_among

    pool = [p.user.person.pk for p in profiles if getattr(p.user, "person", None) is not None]
    return score_people_among(me, pool)


def my_meetings(event: Event, user: Any) -> list[Meeting]:
    meetings = list(
        Meeting.objects.filter(Q(person_a=user) | Q(person_b=user), event=event)
        .exclude(status="cancelled")
        .select_related("slot", "person_a__person", "person_b__person")
    )
    if event.meeting_mode == "batch" and event.meetings_published_at is None:
        meetings = [m for m in meetings if m.status == MeetingStatus.CONFIRMED]
    for meeting in meetings:
        other = meeting.person_b if meeting.person_a_id == user.pk else meeting.person_a
        meeting.other_name = display_name(other)  # type: ignore[attr-defined]
    return meetings


def meeting_requests(event: Event, user: Any) -> dict[str, list[Any]]:
    from lotse.events.models import MeetingRequest

    base = MeetingRequest.objects.filter(event=event).select_related(
        "sender__person", "recipient__person"
    )
    incoming = list(base.filter(recipient=user, status="open"))
    outgoing = list(base.filter(sender=user).order_by("-created_at")[:30])
    for request in incoming:
        request.other_name = display_name(request.sender)  # type: ignore[attr-defined]
    for request in outgoing:
        request.other_name = display_name(request.recipient)  # type: ignore[attr-defined]
    return {"incoming": incoming, "outgoing": outgoing}


def provisional_schedule(event: Event) -> list[Meeting]:
    meetings = list(
        Meeting.objects.filter(event=event)
        .exclude(status="cancelled")
        .select_related("slot", "person_a__person", "person_b__person")
        .order_by("slot__starts_at", "table")
    )
    for meeting in meetings:
        meeting.a_name = display_name(meeting.person_a)  # type: ignore[attr-defined]
        meeting.b_name = display_name(meeting.person_b)  # type: ignore[attr-defined]
    return meetings
