"""iCalendar (RFC 5545) for personal agendas, feeds and confirmation mails."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

import icalendar
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lotse.events.models import CalendarFeed, Event

# Europe/Berlin with RRULEs: valid for every year, unlike a list of past transitions.
BERLIN_VTIMEZONE = (
    "BEGIN:VTIMEZONE\r\n"
    "TZID:Europe/Berlin\r\n"
    "X-LIC-LOCATION:Europe/Berlin\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "TZNAME:CEST\r\n"
    "TZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0200\r\n"
    "DTSTART:19700329T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "TZNAME:CET\r\n"
    "TZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0100\r\n"
    "DTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
)


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    location: str = ""
    description: str = ""
    url: str = ""
    time_zone: str = "Europe/Berlin"


def build_calendar(entries: Iterable[CalendarEntry], *, name: str) -> bytes:
    """An RFC 5545 calendar; times are local to each entry's zone with a VTIMEZONE."""
    import zoneinfo

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Lotse//Veranstaltungen//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Berlin")
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    zones: set[str] = set()
    for entry in entries:
        tz = zoneinfo.ZoneInfo(entry.time_zone)
        zones.add(entry.time_zone)
        vevent = icalendar.Event()
        vevent.add("uid", entry.uid)
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", entry.starts_at.astimezone(tz).replace(microsecond=0))
        vevent.add("dtend", entry.ends_at.astimezone(tz).replace(microsecond=0))
        vevent.add("summary", entry.title)
        if entry.location:
            vevent.add("location", entry.location)
        if entry.description:
            vevent.add("description", entry.description)
        if entry.url:
            vevent.add("url", entry.url)
        calendar.add_component(vevent)
    if zones - {"Europe/Berlin"}:
        calendar.add_missing_timezones()
    if "Europe/Berlin" in zones:
        calendar.add_component(icalendar.Timezone.from_ical(BERLIN_VTIMEZONE))
    return calendar.to_ical()


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def event_entry(event: Event) -> CalendarEntry:
    location = event.online_url or (
        ", ".join(p for p in [event.venue.name, event.venue.street, event.venue.city] if p)
        if event.venue
        else ""
    )
    return CalendarEntry(
        uid=f"event-{event.slug}@lotse",
        title=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        location=location,
        description=event.summary,
        url=absolute(event.get_absolute_url()),
        time_zone=event.time_zone,
    )


def event_calendar(event: Event) -> bytes:
    return build_calendar([event_entry(event)], name=event.title)


@transaction.atomic
def ensure_feed_token(user: object) -> str:
    feed, _created = CalendarFeed.objects.get_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(32)}
    )
    return feed.token


@transaction.atomic
def renew_feed_token(user: object) -> str:
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token": token})
    return token
