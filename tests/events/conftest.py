"""Fixtures of the events tests: a conference with stages, people, a real SMTP server."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
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


# --- a real SMTP server ----------------------------------------------------------------


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.arrived = threading.Condition(self.lock)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
            return list(self.messages)


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.mailbox.arrived:
            self.mailbox.messages.append(message)  # type: ignore[arg-type]
            self.mailbox.arrived.notify_all()
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Mailbox]:
    """An aiosmtpd server on a free localhost port; Django sends real SMTP to it."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(_Handler(mailbox), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield mailbox
    finally:
        controller.stop()
