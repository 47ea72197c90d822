"""Import frab/pretalx ``schedule.xml``/``schedule.json`` leniently, all or nothing.

Real files deviate from the schemas (missing ``date``, durations as ``1:30:00``,
persons with ``public_name`` or ``name``, unknown types).  The importer reads
what it can, skips what it cannot and says why, and writes either everything
or nothing (one transaction).  Broken or oversized files raise
:class:`ScheduleImportError` with a message for people; XML goes through
defusedxml, so entity expansion ("billion laughs") and external entities are
refused.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.db import transaction
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lotse.ecosystem.models import Person
from lotse.events.domain.programme import create_session, create_venue, unique_slug
from lotse.events.models import Event, EventKind, EventStatus, Material, session_guid

MAX_SESSIONS = 5000
TYPE_MAP = {
    "talk": "talk",
    "lecture": "talk",
    "vortrag": "talk",
    "keynote": "talk",
    "workshop": "workshop",
    "hands-on": "workshop",
    "panel": "panel",
    "discussion": "panel",
    "podium": "panel",
    "fireside": "fireside",
    "fireside chat": "fireside",
    "kamingespräch": "fireside",
}
# "H:MM" or "H:MM:SS" as in the XSD
_DURATION = re.compile(r"^\s*(\d{1,3}):(\d{2})(?::(\d{2}))?\s*$")


class ScheduleImportError(Exception):
    """The file cannot be imported at all; ``str(error)`` explains why."""


@dataclass
class ParsedSession:
    title: str
    room: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    kind: str
    language: str
    abstract: str
    description: str
    track: str
    persons: list[str]
    guid: uuid.UUID | None
    links: list[tuple[str, str, str]]


@dataclass
class ParsedSchedule:
    title: str
    acronym: str
    time_zone: str
    rooms: list[str]
    sessions: list[ParsedSession]
    skipped: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    event: Event
    created: int
    skipped: list[str]
    unmatched_speakers: list[str]
    rooms: list[str]


# --- parsing ---------------------------------------------------------------------------


def parse_schedule(data: bytes | str) -> ParsedSchedule:
    if isinstance(data, str):
        data = data.encode("utf-8")
    limit = settings.LOTSE_MAX_IMPORT_BYTES
    if len(data) > limit:
        raise ScheduleImportError(
            _("Die Datei ist zu groß (%(size)d MB, höchstens %(limit)d MB erlaubt).")
            % {"size": len(data) // (1024 * 1024), "limit": limit // (1024 * 1024)}
        )
    head = data.lstrip()[:1]
    if head == b"{":
        return _parse_json(data)
    if head == b"<":
        return _parse_xml(data)
    if data.startswith(b"\xef\xbb\xbf"):
        return parse_schedule(data[3:])
    raise ScheduleImportError(
        _(
            "Das ist weder schedule.xml noch schedule.json "
            "(die Datei beginnt weder mit „<“ noch mit „{“)."
        )
    )


def _zone(name: str, skipped: list[str]) -> str:
    try:
        zoneinfo.ZoneInfo(name)
        return name
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        if name:
            skipped.append(
                _("Unbekannte Zeitzone „%(tz)s“ – Europe/Berlin angenommen.") % {"tz": name[:60]}
            )
        return "Europe/Berlin"


def _minutes(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    match = _DURATION.match(str(value or ""))
    if not match:
        return None
    hours, minutes, _seconds = match.groups()
    return int(hours) * 60 + int(minutes)


def _start(raw: dict[str, Any], day_date: str | None, tz: zoneinfo.ZoneInfo) -> dt.datetime | None:
    date_value = raw.get("date")
    if isinstance(date_value, str) and date_value.strip():
        try:
            parsed = parse_datetime(date_value.strip())
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    start = str(raw.get("start") or "").strip()
    if day_date and re.match(r"^\d{1,2}:\d{2}(:\d{2})?$", start):
        day = parse_date(day_date[:10])
        if day is None:
            return None
        hour, minute = (int(x) for x in start.split(":")[:2])
        if hour > 23 or minute > 59:
            return None
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)
    return None


def _text(value: Any, limit: int) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):  # translated text {"de": …, "en": …}
        value = value.get("de") or value.get("en") or next(iter(value.values()), "")
    return str(value).strip()[:limit]


def _guid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def _session_from(
    raw: dict[str, Any],
    room: str,
    day_date: str | None,
    tz: zoneinfo.ZoneInfo,
    skipped: list[str],
    where: str,
) -> ParsedSession | None:
    title = _text(raw.get("title"), 300)
    if not title:
        skipped.append(_("%(where)s: ohne Titel – übersprungen.") % {"where": where})
        return None
    label = f"{where} „{title[:60]}“"
    starts_at = _start(raw, day_date, tz)
    if starts_at is None:
        skipped.append(
            _("%(what)s: Beginn fehlt oder ist unlesbar – übersprungen.") % {"what": label}
        )
        return None
    ends_at = None
    if isinstance(raw.get("end"), str):
        try:
            ends_at = parse_datetime(raw["end"])
        except ValueError:
            ends_at = None
    if ends_at is None:
        minutes = _minutes(raw.get("duration"))
        if minutes is None:
            skipped.append(
                _("%(what)s: Dauer fehlt oder ist unlesbar – übersprungen.") % {"what": label}
            )
            return None
        ends_at = starts_at + dt.timedelta(minutes=minutes)
    if ends_at.tzinfo is None:
        ends_at = ends_at.replace(tzinfo=tz)
    if ends_at <= starts_at:
        skipped.append(_("%(what)s: Dauer ist null oder negativ – übersprungen.") % {"what": label})
        return None
    persons = []
    for person in raw.get("persons") or []:
        name = (
            _text(person.get("public_name") or person.get("name"), 200)
            if isinstance(person, dict)
            else _text(person, 200)
        )
        if name:
            persons.append(name)
    raw_type = _text(raw.get("type"), 60).lower()
    links = []
    for link in (raw.get("links") or []) + (raw.get("attachments") or []):
        if isinstance(link, dict) and str(link.get("url") or link.get("href") or "").startswith(
            "http"
        ):
            url = str(link.get("url") or link.get("href"))[:200]
            links.append((url, _text(link.get("title"), 200) or url, str(link.get("type") or "")))
    language = _text(raw.get("language"), 8).lower() or "de"
    return ParsedSession(
        title=title,
        room=room[:120] or "Online",
        starts_at=starts_at,
        ends_at=ends_at,
        kind=TYPE_MAP.get(raw_type, "other"),
        language=language,
        abstract=_text(raw.get("abstract"), 5000),
        description=_text(raw.get("description"), 20000),
        track=_text(raw.get("track"), 120),
        persons=persons,
        guid=_guid(raw.get("guid")),
        links=links,
    )


def _parse_json(data: bytes) -> ParsedSchedule:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ScheduleImportError(_("Die Datei ist nicht UTF-8-kodiert.")) from error
    except json.JSONDecodeError as error:
        raise ScheduleImportError(
            _("Die Datei ist kein gültiges JSON (Zeile %(line)d, Spalte %(col)d: %(msg)s).")
            % {"line": error.lineno, "col": error.colno, "msg": error.msg}
        ) from error
    except RecursionError as error:
        raise ScheduleImportError(_("Die JSON-Datei ist zu tief verschachtelt.")) from error
    schedule = document.get("schedule") if isinstance(document, dict) else None
    conference = schedule.get("conference") if isinstance(schedule, dict) else None
    if not isinstance(conference, dict):
        raise ScheduleImportError(
            _("Kein Fahrplan gefunden: Es fehlt „schedule.conference“ (pretalx/frab-Format).")
        )
    skipped: list[str] = []
    tz_name = _zone(_text(conference.get("time_zone_name"), 60), skipped)
    tz = zoneinfo.ZoneInfo(tz_name)
    rooms: list[str] = []
    for room in conference.get("rooms") or []:
        if isinstance(room, dict) and _text(room.get("name"), 120):
            name = _text(room.get("name"), 120)
            if name not in rooms:
                rooms.append(name)
    sessions: list[ParsedSession] = []
    days = conference.get("days")
    if not isinstance(days, list):
        raise ScheduleImportError(_("Der Fahrplan enthält keine Tage („days“)."))
    for day_index, day in enumerate(days, start=1):
        if not isinstance(day, dict) or not isinstance(day.get("rooms"), dict):
            skipped.append(_("Tag %(n)d: ohne Räume – übersprungen.") % {"n": day_index})
            continue
        for room_name, events in day["rooms"].items():
            room = _text(room_name, 120)
            if room and room not in rooms:
                rooms.append(room)
            for position, raw in enumerate(events if isinstance(events, list) else [], start=1):
                where = _("Tag %(d)d, %(room)s, Eintrag %(n)d") % {
                    "d": day_index,
                    "room": room,
                    "n": position,
                }
                if not isinstance(raw, dict):
                    skipped.append(_("%(where)s: kein Objekt – übersprungen.") % {"where": where})
                    continue
                parsed = _session_from(
                    raw, _text(raw.get("room"), 120) or room, day.get("date"), tz, skipped, where
                )
                if parsed is not None:
                    sessions.append(parsed)
    return ParsedSchedule(
        title=_text(conference.get("title"), 200) or _("Importierte Veranstaltung"),
        acronym=_text(conference.get("acronym"), 80),
        time_zone=tz_name,
        rooms=rooms,
        sessions=sessions,
        skipped=skipped,
    )


def _xml_text(element: Any, tag: str, limit: int = 20000) -> str:
    child = element.find(tag)
    return _text(child.text if child is not None else "", limit)


def _parse_xml(data: bytes) -> ParsedSchedule:
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise ScheduleImportError(
            _(
                "Die XML-Datei enthält DTD- oder Entity-Deklarationen; "
                "aus Sicherheitsgründen abgelehnt."
            )
        ) from error
    except SafeET.ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise ScheduleImportError(
            _("Die Datei ist kein gültiges XML (Zeile %(line)d, Spalte %(col)d).")
            % {"line": line, "col": column}
        ) from error
    if root.tag != "schedule":
        raise ScheduleImportError(
            _("Kein Fahrplan: Das Wurzelelement heißt „%(tag)s“ statt „schedule“.")
            % {"tag": str(root.tag)[:40]}
        )
    conference = root.find("conference")
    skipped: list[str] = []
    tz_name = _zone(
        _xml_text(conference, "time_zone_name", 60) if conference is not None else "", skipped
    )
    tz = zoneinfo.ZoneInfo(tz_name)
    rooms: list[str] = []
    sessions: list[ParsedSession] = []
    for day_index, day in enumerate(root.findall("day"), start=1):
        for room in day.findall("room"):
            room_name = _text(room.get("name"), 120)
            if room_name and room_name not in rooms:
                rooms.append(room_name)
            for position, event in enumerate(room.findall("event"), start=1):
                raw: dict[str, Any] = {
                    tag: _xml_text(event, tag)
                    for tag in (
                        "title",
                        "date",
                        "start",
                        "duration",
                        "type",
                        "language",
                        "abstract",
                        "description",
                        "track",
                        "room",
                    )
                }
                raw["guid"] = event.get("guid")
                raw["persons"] = [p.text or "" for p in event.findall("persons/person")]
                raw["links"] = [
                    {"url": link.get("href"), "title": link.text or ""}
                    for link in event.findall("links/link")
                ]
                where = _("Tag %(d)d, %(room)s, Eintrag %(n)d") % {
                    "d": day_index,
                    "room": room_name,
                    "n": position,
                }
                parsed = _session_from(
                    raw, raw.get("room") or room_name, day.get("date"), tz, skipped, where
                )
                if parsed is not None:
                    sessions.append(parsed)
    return ParsedSchedule(
        title=(_xml_text(conference, "title", 200) if conference is not None else "")
        or _("Importierte Veranstaltung"),
        acronym=_xml_text(conference, "acronym", 80) if conference is not None else "",
        time_zone=tz_name,
        rooms=rooms,
        sessions=sessions,
        skipped=skipped,
    )


# --- writing ---------------------------------------------------------------------------


def _material_kind(link_type: str, url: str) -> str:
    if link_type == "slides" or url.lower().endswith(".pdf"):
        return "slides"
    if link_type in {"media", "recording"} or "media.ccc.de" in url:
        return "recording"
    return "link"


@transaction.atomic
def import_schedule(
    data: bytes | str, *, organisers: Any = (), slug: str | None = None
) -> ImportReport:
    """Create one event with venue, rooms and sessions from a schedule file."""
    parsed = parse_schedule(data)
    if not parsed.sessions:
        details = " ".join(parsed.skipped[:5])
        raise ScheduleImportError(
            _("Die Datei enthält keinen importierbaren Programmpunkt. %(details)s")
            % {"details": details}
        )
    if len(parsed.sessions) > MAX_SESSIONS:
        raise ScheduleImportError(
            _("Zu viele Programmpunkte (%(n)d, höchstens %(max)d).")
            % {"n": len(parsed.sessions), "max": MAX_SESSIONS}
        )
    skipped = list(parsed.skipped)
    seen_guids: set[uuid.UUID] = set()
    sessions = []
    for session in parsed.sessions:
        if session.guid is not None and session.guid in seen_guids:
            skipped.append(
                _("„%(title)s“: doppelte GUID %(guid)s – übersprungen.")
                % {"title": session.title[:60], "guid": session.guid}
            )
            continue
        if session.guid is not None:
            seen_guids.add(session.guid)
        sessions.append(session)
    used_rooms = [r for r in parsed.rooms if any(s.room == r for s in sessions)]
    used_rooms += sorted({s.room for s in sessions} - set(used_rooms))
    venue = create_venue(
        name=(_("Ort: %(title)s") % {"title": parsed.title})[:200], rooms=used_rooms
    )
    rooms = {room.name: room for room in venue.rooms.all()}
    event_slug = slug or unique_slug(Event, parsed.acronym or parsed.title)
    event = Event.objects.create(
        slug=event_slug,
        title=parsed.title,
        kind=EventKind.CONFERENCE,
        venue=venue,
        starts_at=min(s.starts_at for s in sessions),
        ends_at=max(s.ends_at for s in sessions),
        time_zone=parsed.time_zone,
        status=EventStatus.DRAFT,
        source_note=_("Importiert aus schedule-Datei"),
    )
    event.organisers.set(list(organisers))
    names = {p for s in sessions for p in s.persons}
    people: dict[str, Person] = {}
    for person in Person.objects.filter(name__in=names):
        people.setdefault(person.name, person)
    unmatched: set[str] = set()
    for position, item in enumerate(sessions, start=1):
        speakers = [people[name] for name in item.persons if name in people]
        guests = [name for name in item.persons if name not in people]
        unmatched.update(guests)
        code = (slugify(item.title)[:60].strip("-") or "programmpunkt") + f"-{position}"
        created = create_session(
            event,
            title=item.title,
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            code=code,
            guid=item.guid or session_guid(event.slug, code),
            room=rooms[item.room],
            kind=item.kind,
            language=item.language,
            abstract=item.abstract,
            description=item.description,
            track=item.track,
            guest_speakers=guests,
            speakers=speakers,
        )
        for url, title, link_type in item.links:
            Material.objects.create(
                session=created, kind=_material_kind(link_type, url), title=title, url=url
            )
    return ImportReport(
        event=event,
        created=len(sessions),
        skipped=skipped,
        unmatched_speakers=sorted(unmatched),
        rooms=used_rooms,
    )
