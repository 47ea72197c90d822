"""Writes for events, series, venues and sessions, plus the programme's warnings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lotse.core.markdown import strip_html
from lotse.ecosystem.models import Person, Term
from lotse.events.models import (
    Event,
    EventSeries,
    Material,
    Room,
    Session,
    Venue,
    session_guid,
)

EVENT_FIELDS = {
    "title",
    "kind",
    "series",
    "episode_number",
    "summary",
    "description",
    "venue",
    "online_url",
    "starts_at",
    "ends_at",
    "time_zone",
    "language",
    "status",
    "host",
    "capacity",
    "requires_approval",
    "registration_open",
    "is_ai_literacy_training",
    "meeting_mode",
    "meeting_tables",
    "meeting_max_per_person",
    "is_fictional",
    "source_note",
}
SESSION_FIELDS = {
    "title",
    "kind",
    "abstract",
    "description",
    "room",
    "starts_at",
    "ends_at",
    "guest_speakers",
    "track",
    "language",
    "level",
    "capacity",
    "is_fictional",
}


def unique_slug(model: Any, base: str, *, field: str = "slug", max_length: int = 100) -> str:
    stem = (slugify(base.replace("ß", "ss"))[:max_length] or "eintrag").strip("-")
    candidate, number = stem, 2
    while model._default_manager.filter(**{field: candidate}).exists():
        candidate = f"{stem}-{number}"
        number += 1
    return candidate


def _session_code(event: Event, title: str) -> str:
    stem = (slugify(title.replace("ß", "ss"))[:60] or "programmpunkt").strip("-")
    candidate, number = stem, 2
    while Session.objects.filter(event=event, code=candidate).exists():
        candidate = f"{stem}-{number}"
        number += 1
    return candidate


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if starts_at is None or ends_at is None:
        raise ValidationError(_("Bitte geben Sie Beginn und Ende an."))
    if ends_at <= starts_at:
        raise ValidationError(_("Das Ende muss nach dem Beginn liegen."))


# --- venues and series ------------------------------------------------------------


@transaction.atomic
def create_venue(*, name: str, rooms: Sequence[str] = (), **fields: Any) -> Venue:
    venue = Venue(name=strip_html(name), **fields)
    venue.full_clean()
    venue.save()
    for position, room_name in enumerate(rooms):
        Room.objects.create(venue=venue, name=room_name, position=position)
    return venue


@transaction.atomic
def add_room(venue: Venue, *, name: str, capacity: int | None = None) -> Room:
    if Room.objects.filter(venue=venue, name=name).exists():
        raise ValidationError(_("Diesen Raum gibt es an diesem Ort schon."))
    position = venue.rooms.count()
    return Room.objects.create(venue=venue, name=name, capacity=capacity, position=position)


@transaction.atomic
def create_series(*, title: str, slug: str | None = None, **fields: Any) -> EventSeries:
    series = EventSeries(title=strip_html(title), slug=slug or unique_slug(EventSeries, title))
    for name, value in fields.items():
        setattr(series, name, value)
    series.full_clean()
    series.save()
    return series


# --- events -------------------------------------------------------------------------


@transaction.atomic
def create_event(
    *,
    title: str,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    slug: str | None = None,
    organisers: Iterable[Any] = (),
    topics: Iterable[Term] = (),
    **fields: Any,
) -> Event:
    _check_times(starts_at, ends_at)
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    event = Event(
        title=strip_html(title),
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        slug=slug or unique_slug(Event, title),
        **fields,
    )
    event.full_clean()
    event.save()
    event.organisers.set(list(organisers))
    event.topics.set(list(topics))
    return event


@transaction.atomic
def update_event(
    event: Event,
    *,
    organisers: Iterable[Any] | None = None,
    topics: Iterable[Term] | None = None,
    **fields: Any,
) -> Event:
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    for name, value in fields.items():
        setattr(event, name, strip_html(value) if name == "title" else value)
    _check_times(event.starts_at, event.ends_at)
    event.full_clean()
    event.save()
    if organisers is not None:
        event.organisers.set(list(organisers))
    if topics is not None:
        event.topics.set(list(topics))
    touch_programme(event.pk)
    event.refresh_from_db(fields=["programme_updated_at"])
    return event


# --- sessions -----------------------------------------------------------------------


def touch_programme(event_id: int) -> None:
    """Mark the programme as changed (invalidates the cached programme rows)."""
    from django.utils import timezone

    Event.objects.filter(pk=event_id).update(programme_updated_at=timezone.now())


def _check_room(event: Event, room: Room | None) -> None:
    if room is not None and (event.venue_id is None or room.venue_id != event.venue_id):
        raise ValidationError(_("Der Raum gehört nicht zum Ort dieser Veranstaltung."))


@transaction.atomic
def create_session(
    event: Event,
    *,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    code: str | None = None,
    speakers: Iterable[Person] = (),
    topics: Iterable[Term] = (),
    guid: Any = None,
    **fields: Any,
) -> Session:
    """Create a session; overlapping rooms or speakers are warnings, not errors."""
    _check_times(starts_at, ends_at)
    unknown = set(fields) - SESSION_FIELDS
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    _check_room(event, fields.get("room"))
    code = code or _session_code(event, title)
    session = Session(
        event=event,
        code=code,
        guid=guid or session_guid(event.slug, code),
        title=strip_html(title),
        starts_at=starts_at,
        ends_at=ends_at,
        **fields,
    )
    session.full_clean()
    session.save()
    session.speakers.set(list(speakers))
    session.topics.set(list(topics))
    touch_programme(event.pk)
    return session


@transaction.atomic
def update_session(
    session: Session,
    *,
    speakers: Iterable[Person] | None = None,
    topics: Iterable[Term] | None = None,
    **fields: Any,
) -> Session:
    unknown = set(fields) - SESSION_FIELDS
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    for name, value in fields.items():
        setattr(session, name, strip_html(value) if name == "title" else value)
    _check_times(session.starts_at, session.ends_at)
    _check_room(session.event, session.room)
    session.full_clean()
    session.save()
    if speakers is not None:
        session.speakers.set(list(speakers))
    if topics is not None:
        session.topics.set(list(topics))
    touch_programme(session.event_id)
    return session


@transaction.atomic
def delete_session(session: Session) -> None:
    event_id = session.event_id
    session.delete()
    touch_programme(event_id)


@transaction.atomic
def add_material(
    session: Session, *, kind: str, title: str, url: str = "", text: str = ""
) -> Material:
    if not url and not text:
        raise ValidationError(_("Bitte geben Sie eine Adresse oder Notizen an."))
    material = Material(session=session, kind=kind, title=strip_html(title), url=url, text=text)
    material.full_clean()
    material.save()
    return material


# --- warnings -----------------------------------------------------------------------


def _overlapping(queryset: Any, starts_at: dt.datetime, ends_at: dt.datetime) -> Any:
    return queryset.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


def session_warnings(session: Session) -> list[str]:
    """Room overlaps and double-booked speakers for one session (across all events)."""
    warnings: list[str] = []
    others = Session.objects.exclude(pk=session.pk)
    if session.room_id is not None:
        for other in _overlapping(
            others.filter(room_id=session.room_id), session.starts_at, session.ends_at
        ).select_related("event"):
            warnings.append(
                _("Raum „%(room)s“ ist zur selben Zeit mit „%(other)s“ belegt.")
                % {"room": session.room, "other": other.title}
            )
    speaker_ids = list(session.speakers.values_list("pk", flat=True))
    if speaker_ids:
        clashes = (
            _overlapping(
                others.filter(speakers__in=speaker_ids), session.starts_at, session.ends_at
            )
            .prefetch_related("speakers")
            .distinct()
        )
        for other in clashes:
            for person in other.speakers.all():
                if person.pk in speaker_ids:
                    warnings.append(
                        _("%(person)s spricht zur selben Zeit in „%(other)s“.")
                        % {"person": person.name, "other": other.title}
                    )
    return warnings


def programme_warnings(event: Event) -> list[str]:
    """Every room overlap and double-booked speaker in an event's programme."""
    sessions = list(
        event.sessions.select_related("room").prefetch_related("speakers").order_by("starts_at")
    )
    warnings: list[str] = []
    for index, first in enumerate(sessions):
        for second in sessions[index + 1 :]:
            if second.starts_at >= first.ends_at:
                break
            if first.room_id is not None and first.room_id == second.room_id:
                warnings.append(
                    _("Raum „%(room)s“: „%(a)s“ und „%(b)s“ überschneiden sich.")
                    % {"room": first.room, "a": first.title, "b": second.title}
                )
            shared = {p.pk for p in first.speakers.all()} & {p.pk for p in second.speakers.all()}
            for person in first.speakers.all():
                if person.pk in shared:
                    warnings.append(
                        _("%(person)s ist doppelt gebucht: „%(a)s“ und „%(b)s“.")
                        % {"person": person.name, "a": first.title, "b": second.title}
                    )
    return warnings


def overlapping_filter(starts_at: dt.datetime, ends_at: dt.datetime) -> Q:
    return Q(starts_at__lt=ends_at, ends_at__gt=starts_at)
