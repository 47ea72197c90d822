"""200 people register at the same moment for 50 seats: exactly 50 get one.

Real threads, each with its own database connection, against the real database
(SQLite with BEGIN IMMEDIATE, or PostgreSQL with SELECT … FOR UPDATE).  SQLite's
in-memory test database is shared-cache, where a second writer fails at once
instead of waiting; so on SQLite the test runs itself again in a child pytest
with a file database (LOTSE_TEST_SQLITE_NAME), as production would use.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection, connections

from lotse.accounts.models import User
from lotse.events.domain import registration as reg
from lotse.events.domain.programme import create_event
from lotse.events.models import Registration, RegistrationStatus

from .conftest import at

PEOPLE = 200
SEATS = 50
# PostgreSQL allows 100 connections in total and other test runs share the server:
# all 200 threads start together, at most this many hold a connection at once.
MAX_CONNECTIONS = 40


def _in_memory_sqlite() -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


def _race(event_pk: int, users: list[User]) -> list[BaseException]:
    from lotse.events.models import Event

    barrier = threading.Barrier(len(users))
    gate = threading.BoundedSemaphore(MAX_CONNECTIONS)
    errors: list[BaseException] = []

    def attempt(user: User) -> None:
        try:
            barrier.wait(timeout=60)
            with gate:
                try:
                    reg.register(Event.objects.get(pk=event_pk), user)
                finally:
                    connections.close_all()
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=attempt, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_200_simultaneous_registrations_for_50_seats(tmp_path: Path) -> None:
    if _in_memory_sqlite():
        env = dict(os.environ, LOTSE_TEST_SQLITE_NAME=str(tmp_path / "race.sqlite3"))
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                f"{__file__}::test_200_simultaneous_registrations_for_50_seats",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
        assert "1 passed" in result.stdout
        return
    event = create_event(
        title="Ansturm", kind="meetup", starts_at=at(3, 18), ends_at=at(3, 21), capacity=SEATS
    )
    users = [
        User.objects.create_user(email=f"race{i}@example.org", password="x") for i in range(PEOPLE)
    ]
    errors = _race(event.pk, users)
    assert errors == []
    statuses = list(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert len(statuses) == PEOPLE
    assert statuses.count(RegistrationStatus.CONFIRMED) == SEATS
    assert statuses.count(RegistrationStatus.WAITING) == PEOPLE - SEATS
    # the waiting list is in arrival order and a cancellation promotes its head
    first_confirmed = Registration.objects.filter(event=event, status="confirmed").first()
    head = (
        Registration.objects.filter(event=event, status="waiting")
        .order_by("queued_at", "pk")
        .first()
    )
    assert first_confirmed is not None
    assert head is not None
    promoted = reg.cancel_registration(first_confirmed)
    assert [p.pk for p in promoted] == [head.pk]
