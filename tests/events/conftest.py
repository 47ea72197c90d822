"""Fixtures of the events tests: a conference with stages, people, a real SMTP server."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from typing import Any

import pytest

from lotse.ecosystem.domain.people import create_person
from lotse.ecosystem.models import Person
from lotse.events.domain.programme import create_event, create_session, create_venue
from lotse.events.models import Event, Room, Session

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def at(day: int, hour: int, minute: int = 0, *, month: int = 11, year: int = 2031) -> dt.datetime:
    """A Berlin time in the (future) test conference."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def venue(db: None) -> Any:
    return create_venue(name="Kampnagel", city="Hamburg", rooms=["Bühne 1", "Bühne 2", "Bühne 3"])


@pytest.fixture
def stages(venue: Any) -> list[Room]:
    return list(venue.rooms.order_by("position"))


@pytest.fixture
def conference(venue: Any, manager: Any) -> Event:
    return create_event(
        title="Testkonferenz KI",
        kind="conference",
        starts_at=at(27, 9),
        ends_at=at(27, 18),
        venue=venue,
        capacity=50,
    )


@pytest.fixture
def speaker(db: None) -> Person:
    return create_person(name="Dr. Erika Beispiel", is_fictional=True)


@pytest.fixture
def make_session(conference: Event, stages: list[Room]) -> Callable[..., Session]:
    def make(
        title: str = "Vortrag",
        *,
        start: dt.datetime | None = None,
        minutes: int = 30,
        room: Room | None = None,
        **fields: Any,
    ) -> Session:
        start = start or at(27, 10)
        return create_session(
            conference,
            title=title,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=minutes),
            room=room if room is not None else stages[0],
            **fields,
        )

    return make


