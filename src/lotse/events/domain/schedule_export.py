"""Export a programme as frab/pretalx ``schedule.xml`` and ``schedule.json``.

Both follow the C3VOC schemas (schedule.xml.xsd and schema.json, "v1"): one
``<day>`` per calendar day in the event's time zone, rooms in stage order, and
per session a stable ``guid`` (uuid5, stored on the session), times with a UTC
offset plus the conference's ``time_zone_name``.  ``<conference>`` comes right
after ``<version>`` so that it sits within the first kilobyte of the file.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.utils.text import slugify

from lotse.events.models import Event, Session
from lotse.events.selectors import session_queryset

GENERATOR = "Lotse"
PERSON_NAMESPACE = uuid.UUID("a7bd2a43-3c1f-5a4b-8f53-6c6f7473652e")
KIND_TO_TYPE = {
    "talk": "talk",
    "panel": "discussion",
    "workshop": "workshop",
    "fireside": "discussion",
    "other": "other",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def acronym_for(event: Event) -> str:
    """Matches both schemas: ``[a-z0-9_-]{4,}`` (XSD) and no inner hyphens (JSON)."""
    stem = re.sub(r"[^a-z0-9_]", "_", event.slug.lower()).strip("_")
    stem = re.sub(r"_+", "_", stem)
    return (stem + "____")[: max(4, len(stem))]


def _slug(acronym: str, session: Session) -> str:
    title = slugify(session.title)[:50].strip("-") or "session"
    tail = f"{session.pk}-{title}".strip("-")
    if len(tail) < 4:
        tail = tail + "-sess"
    return f"{acronym}-{tail}"


def _duration(session: Session) -> str:
    minutes = max(0, int((session.ends_at - session.starts_at).total_seconds() // 60))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _iso(value: dt.datetime) -> str:
    return value.replace(microsecond=0).isoformat()


def _base_url() -> str:
    return settings.SITE_URL.rstrip("/")


def _clean(text: str) -> str:
    return _CONTROL.sub("", text or "")


def _person_guid(person_key: str) -> str:
    return str(uuid.uuid5(PERSON_NAMESPACE, person_key))


def _day_groups(event: Event, sessions: list[Session]) -> list[tuple[dt.date, list[Session]]]:
    tz = event.tzinfo
    by_day: dict[dt.date, list[Session]] = defaultdict(list)
    for session in sessions:
        by_day[session.starts_at.astimezone(tz).date()].append(session)
    first = event.starts_at.astimezone(tz).date()
    last = max(event.ends_at.astimezone(tz).date(), max(by_day, default=first))
    days = []
    current = min(first, min(by_day, default=first))
    while current <= last:
        days.append((current, by_day.get(current, [])))
        current += dt.timedelta(days=1)
    return days


def _day_bounds(event: Event, date: dt.date, sessions: list[Session]) -> tuple[str, str]:
    tz = event.tzinfo
    if sessions:
        start = min(s.starts_at for s in sessions).astimezone(tz)
        end = max(s.ends_at for s in sessions).astimezone(tz)
    else:
        start = dt.datetime.combine(date, dt.time(0, 0), tzinfo=tz)
        end = dt.datetime.combine(date, dt.time(23, 59), tzinfo=tz)
    return _iso(start), _iso(end)


def _rooms_in_order(sessions: list[Session]) -> list[tuple[str, str]]:
    """(name, guid) per room in stage order; sessions without a room go to "Online"."""
    seen: dict[str, tuple[int, str, str]] = {}
    for session in sessions:
        if session.room is not None:
            seen.setdefault(
                session.room.name,
                (session.room.position, session.room.name, str(session.room.guid)),
            )
        else:
            seen.setdefault(
                "Online", (10**6, "Online", str(uuid.uuid5(PERSON_NAMESPACE, "online")))
            )
    return [(name, guid) for _pos, name, guid in sorted(seen.values())]


def _room_name(session: Session) -> str:
    return session.room.name if session.room is not None else "Online"


def _sessions(event: Event) -> list[Session]:
    return list(session_queryset(event).prefetch_related("materials"))


# --- XML -------------------------------------------------------------------------------


def export_xml(event: Event) -> str:
    sessions = _sessions(event)
    tz = event.tzinfo
    acronym = acronym_for(event)
    base = _base_url()
    days = _day_groups(event, sessions)
    out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>\n<schedule>\n']
    out.append(f'  <generator name="{GENERATOR}"/>\n')
    out.append("  <version>1.0</version>\n")
    out.append("  <conference>\n")
    out.append(f"    <title>{escape(_clean(event.title))}</title>\n")
    out.append(f"    <acronym>{acronym}</acronym>\n")
    out.append(f"    <start>{_iso(event.starts_at.astimezone(tz))}</start>\n")
    out.append(f"    <end>{_iso(event.ends_at.astimezone(tz))}</end>\n")
    out.append(f"    <days>{len(days)}</days>\n")
    out.append("    <timeslot_duration>00:05</timeslot_duration>\n")
    out.append(f"    <time_zone_name>{escape(event.time_zone)}</time_zone_name>\n")
    out.append(f"    <base_url>{escape(base)}/</base_url>\n")
    out.append(f"    <url>{escape(base + event.get_absolute_url())}</url>\n")
    tracks = sorted({s.track for s in sessions if s.track})
    for track in tracks:
        out.append(f"    <track name={quoteattr(_clean(track))}/>\n")
    out.append("  </conference>\n")
    for index, (date, day_sessions) in enumerate(days, start=1):
        start, end = _day_bounds(event, date, day_sessions)
        out.append(
            f'  <day index="{index}" date="{date.isoformat()}" start="{start}" end="{end}">\n'
        )
        by_room: dict[str, list[Session]] = defaultdict(list)
        for session in day_sessions:
            by_room[_room_name(session)].append(session)
        for room_name, room_guid in _rooms_in_order(day_sessions):
            out.append(f'    <room name={quoteattr(room_name)} guid="{room_guid}">\n')
            for session in by_room[room_name]:
                out.append(_xml_event(session, acronym, tz, base))
            out.append("    </room>\n")
        out.append("  </day>\n")
    out.append("</schedule>\n")
    return "".join(out)


def _xml_event(session: Session, acronym: str, tz: Any, base: str) -> str:
    local = session.starts_at.astimezone(tz)
    persons = "".join(
        f'        <person guid="{_person_guid(p.key)}">{escape(_clean(p.name))}</person>\n'
        for p in session.speakers.all()
    ) + "".join(
        f"        <person>{escape(_clean(str(name)))}</person>\n"
        for name in session.guest_speakers or []
    )
    url = base + session.get_absolute_url()
    return (
        f'      <event id="{session.pk}" guid="{session.guid}">\n'
        f"        <room>{escape(_room_name(session))}</room>\n"
        f"        <title>{escape(_clean(session.title))}</title>\n"
        f"        <subtitle></subtitle>\n"
        f"        <type>{KIND_TO_TYPE.get(session.kind, 'other')}</type>\n"
        f"        <date>{_iso(local)}</date>\n"
        f"        <start>{local:%H:%M}</start>\n"
        f"        <duration>{_duration(session)}</duration>\n"
        f"        <abstract>{escape(_clean(session.abstract))}</abstract>\n"
        f"        <slug>{_slug(acronym, session)}</slug>\n"
        f"        <track>{escape(_clean(session.track))}</track>\n"
        f"        <persons>\n{persons}        </persons>\n"
        f"        <language>{escape(session.language)}</language>\n"
        f"        <description>{escape(_clean(session.description))}</description>\n"
        f"        <url>{escape(url)}</url>\n"
        "      </event>\n"
    )


# --- JSON ------------------------------------------------------------------------------


def export_json(event: Event) -> dict[str, Any]:
    sessions = _sessions(event)
    tz = event.tzinfo
    acronym = acronym_for(event)
    base = _base_url()
    days = []
    for index, (date, day_sessions) in enumerate(_day_groups(event, sessions), start=1):
        start, end = _day_bounds(event, date, day_sessions)
        rooms: dict[str, list[dict[str, Any]]] = {}
        by_room: dict[str, list[Session]] = defaultdict(list)
        for session in day_sessions:
            by_room[_room_name(session)].append(session)
        for room_name, _guid in _rooms_in_order(day_sessions):
            rooms[room_name] = [_json_event(s, acronym, tz, base) for s in by_room[room_name]]
        days.append(
            {
                "index": index,
                "date": date.isoformat(),
                "day_start": start,
                "day_end": end,
                "rooms": rooms,
            }
        )
    conference: dict[str, Any] = {
        "acronym": acronym,
        "title": event.title,
        "start": _iso(event.starts_at.astimezone(tz)),
        "end": _iso(event.ends_at.astimezone(tz)),
        "daysCount": len(days),
        "timeslot_duration": "00:05",
        "time_zone_name": event.time_zone,
        "url": base + event.get_absolute_url(),
        "rooms": [{"name": name, "guid": guid} for name, guid in _rooms_in_order(sessions)],
        "tracks": [{"name": t} for t in sorted({s.track for s in sessions if s.track})],
        "days": days,
    }
    return {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": {"name": GENERATOR},
        "schedule": {"version": "1.0", "base_url": base + "/", "conference": conference},
    }


def _json_event(session: Session, acronym: str, tz: Any, base: str) -> dict[str, Any]:
    local = session.starts_at.astimezone(tz)
    persons: list[dict[str, Any]] = [
        {
            "name": p.name,
            "guid": _person_guid(p.key),
            "url": base + f"/veranstaltungen/referierende/{p.key}/",
        }
        for p in session.speakers.all()
    ]
    persons += [{"name": str(name)} for name in session.guest_speakers or []]
    return {
        "guid": str(session.guid),
        "id": session.pk,
        "date": _iso(local),
        "start": f"{local:%H:%M}",
        "end": _iso(session.ends_at.astimezone(tz)),
        "duration": _duration(session),
        "room": _room_name(session),
        "slug": _slug(acronym, session),
        "url": base + session.get_absolute_url(),
        "title": session.title,
        "subtitle": "",
        "track": session.track or None,
        "type": KIND_TO_TYPE.get(session.kind, "other"),
        "language": session.language,
        "abstract": session.abstract,
        "description": session.description,
        "persons": persons,
        "links": [
            {"url": m.url, "title": m.title, "type": "slides" if m.kind == "slides" else "media"}
            for m in session.materials.all()
            if m.url and m.kind in {"slides", "recording"}
        ],
    }
