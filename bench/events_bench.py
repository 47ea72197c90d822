"""Programme page and schedule.xml export for a 3-day programme with 900 sessions.

Targets (issue 4): the programme renders in < 150 ms server time, schedule.xml exports
in < 2 s.  Builds a throw-away database (SQLite by default) with one conference,
10 stages, 900 sessions (3 days × 10 stages × 30 slots of 20 minutes), 600 speakers
and topics, then times the full request through Django's test client (grid and list,
unfiltered and filtered) and the schedule.xml/json export, median and max of --runs.

    .venv/bin/python bench/events_bench.py [--runs 15] [--database-url URL]

Exit code 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
import zoneinfo
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

DAYS, STAGES, SLOTS_PER_DAY, MINUTES = 3, 10, 30, 20
RENDER_TARGET_MS, EXPORT_TARGET_S = 150.0, 2.0


def setup(database_url: str | None) -> None:
    tmp = tempfile.mkdtemp(prefix="lotse-events-bench-")
    os.environ["LOTSE_DATA_DIR"] = tmp
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lotse.settings")
    os.environ.setdefault("LOTSE_DEBUG", "0")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build() -> str:
    from lotse.ecosystem.models import Person, Term
    from lotse.events.domain.programme import create_event, create_venue
    from lotse.events.models import Session, session_guid

    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    venue = create_venue(
        name="Messe", city="Hamburg", rooms=[f"Bühne {i + 1}" for i in range(STAGES)]
    )
    rooms = list(venue.rooms.order_by("position"))
    first = dt.datetime(2031, 9, 1, 9, 0, tzinfo=berlin)
    event = create_event(
        title="Benchmark-Konferenz",
        kind="conference",
        starts_at=first,
        ends_at=first + dt.timedelta(days=DAYS - 1, hours=11),
        venue=venue,
    )
    people = Person.objects.bulk_create(
        [Person(key=f"sprecher-{i}", name=f"Sprecherin Nummer {i}") for i in range(600)]
    )
    terms = list(Term.objects.filter(status="approved")[:20])
    sessions = []
    for day in range(DAYS):
        for slot in range(SLOTS_PER_DAY):
            for stage, room in enumerate(rooms):
                start = first + dt.timedelta(days=day, minutes=MINUTES * slot)
                code = f"s-{day}-{slot}-{stage}"
                sessions.append(
                    Session(
                        event=event,
                        code=code,
                        guid=session_guid(event.slug, code),
                        title=f"Programmpunkt {day}-{slot}-{stage}: KI in Medien und Kultur",
                        abstract="Kurzfassung " * 20,
                        kind=["talk", "panel", "workshop"][stage % 3],
                        room=room,
                        starts_at=start,
                        ends_at=start + dt.timedelta(minutes=MINUTES),
                        language="en" if stage % 4 == 0 else "de",
                    )
                )
    sessions = Session.objects.bulk_create(sessions)
    speaker_links = Session.speakers.through
    topic_links = Session.topics.through
    speaker_links.objects.bulk_create(
        [
            speaker_links(session_id=s.pk, person_id=people[(i * 7 + k) % len(people)].pk)
            for i, s in enumerate(sessions)
            for k in range(2)
        ]
    )
    topic_links.objects.bulk_create(
        [
            topic_links(session_id=s.pk, term_id=terms[(i + k) % len(terms)].pk)
            for i, s in enumerate(sessions)
            for k in range(2)
        ]
    )
    print(
        f"built: {len(sessions)} sessions, {len(people)} speakers, {len(terms)} topics",
        file=sys.stderr,
    )
    return event.slug


def timed(runs: int, func: object) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        func()  # type: ignore[operator]
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), max(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    setup(args.database_url)
    from django.db import connection
    from django.test import Client

    from lotse.events.domain.schedule_export import export_json, export_xml
    from lotse.events.models import Event

    slug = build()
    client = Client()
    url = f"/veranstaltungen/{slug}/programm/"
    results = []

    def page(params: dict[str, str]) -> None:
        response = client.get(url, params)
        assert response.status_code == 200, response.status_code
        assert response.content.count(b"session-card") >= 50

    page({})  # warm-up: template loading, first queries
    from django.core.cache import cache

    def cold(params: dict[str, str]) -> None:
        cache.clear()  # as right after an edit of the programme: rows not cached
        page(params)

    for label, params in [
        ("programme grid, all 900, cold", {}),
        ("programme list, all 900, cold", {"view": "list"}),
    ]:
        median, worst = timed(args.runs, lambda p=params: cold(p))  # type: ignore[misc]
        results.append(
            {
                "what": label,
                "median_ms": round(median * 1000, 1),
                "max_ms": round(worst * 1000, 1),
                "target_ms": RENDER_TARGET_MS,
                "ok": median * 1000 < RENDER_TARGET_MS,
            }
        )
    page({})
    for label, params in [
        ("programme grid, all 900, warm", {}),
        ("programme list, all 900, warm", {"view": "list"}),
        ("programme grid, one stage", {"room": "1"}),
        ("programme list, language en", {"view": "list", "language": "en"}),
    ]:
        median, worst = timed(args.runs, lambda p=params: page(p))  # type: ignore[misc]
        results.append(
            {
                "what": label,
                "median_ms": round(median * 1000, 1),
                "max_ms": round(worst * 1000, 1),
                "target_ms": RENDER_TARGET_MS,
                "ok": median * 1000 < RENDER_TARGET_MS,
            }
        )
    event = Event.objects.get(slug=slug)
    xml_median, xml_worst = timed(max(3, args.runs // 3), lambda: export_xml(event))
    size = len(export_xml(event).encode())
    results.append(
        {
            "what": "schedule.xml export",
            "median_s": round(xml_median, 3),
            "max_s": round(xml_worst, 3),
            "bytes": size,
            "target_s": EXPORT_TARGET_S,
            "ok": xml_median < EXPORT_TARGET_S,
        }
    )
    json_median, _worst = timed(max(3, args.runs // 3), lambda: export_json(event))
    results.append({"what": "schedule.json export", "median_s": round(json_median, 3)})
    for row in results:
        print(json.dumps(row, ensure_ascii=False))
    print(json.dumps({"database": connection.vendor, "sessions": event.sessions.count()}))
    return 0 if all(row.get("ok", True) for row in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
