"""schedule.xml / schedule.json: export validates against the C3VOC schemas, import is lenient."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema
from django.core.management import call_command
from django.test import Client

from lotse.ecosystem.domain.people import create_person
from lotse.events.domain.schedule_export import export_json, export_xml
from lotse.events.domain.schedule_import import ScheduleImportError, import_schedule
from lotse.events.models import Event, Material, Session, Venue

from .conftest import at

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "schedule"
if not SCHEMAS.exists():  # the work tree may sit elsewhere; shared/ is beside main/
    SCHEMAS = Path("/work/shared/schemas/schedule")


@pytest.fixture(scope="module")
def xsd() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "schedule.xml.xsd"))


@pytest.fixture(scope="module")
def json_validator() -> jsonschema.Draft6Validator:
    schema = json.loads((SCHEMAS / "schema.json").read_text())
    return jsonschema.Draft6Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture
def programme(make_session: Callable[..., Session], stages: list[Any], speaker: Any) -> Event:
    make_session("Eröffnung & Begrüßung", start=at(27, 9, 30), minutes=15, speakers=[speaker])
    make_session(
        "Generative KI im Film",
        start=at(27, 10),
        minutes=45,
        room=stages[1],
        kind="panel",
        track="Film",
        guest_speakers=["Gast <Name>"],
    )
    make_session(
        "Kamingespräch",
        start=at(28, 11),
        minutes=30,
        room=stages[2],
        kind="fireside",
        language="en",
    )
    session = make_session(
        "Workshop: Prompting", start=at(28, 14), minutes=90, kind="workshop", capacity=20
    )
    Material.objects.create(
        session=session, kind="slides", title="Folien", url="https://example.org/folien.pdf"
    )
    event = session.event
    event.ends_at = at(28, 18)
    event.save()
    return event


def test_xml_export_validates_and_has_conference_in_first_kilobyte(
    programme: Event, xsd: xmlschema.XMLSchema
) -> None:
    xml = export_xml(programme)
    xsd.validate(xml)
    first_kb = xml.encode()[:1024]
    assert b"<conference>" in first_kb
    assert b"<time_zone_name>Europe/Berlin</time_zone_name>" in xml.encode()
    assert "<date>2031-11-27T09:30:00+01:00</date>" in xml
    assert xml.count("<day ") == 2
    assert "Gast &lt;Name&gt;" in xml


def test_json_export_validates(programme: Event, json_validator: Any) -> None:
    document = export_json(programme)
    errors = sorted(json_validator.iter_errors(document), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    conference = document["schedule"]["conference"]
    assert conference["time_zone_name"] == "Europe/Berlin"
    assert conference["daysCount"] == 2
    first = conference["days"][0]["rooms"]["Bühne 1"][0]
    assert first["date"] == "2031-11-27T09:30:00+01:00"
    assert first["duration"] == "00:15"


def test_guids_are_stable_across_exports_and_edits(programme: Event) -> None:
    before = {
        e["title"]: e["guid"]
        for d in export_json(programme)["schedule"]["conference"]["days"]
        for r in d["rooms"].values()
        for e in r
    }
    session = programme.sessions.get(title="Kamingespräch")
    session.starts_at += dt.timedelta(hours=1)
    session.ends_at += dt.timedelta(hours=1)
    session.save()
    after = {
        e["title"]: e["guid"]
        for d in export_json(programme)["schedule"]["conference"]["days"]
        for r in d["rooms"].values()
        for e in r
    }
    assert before == after
    assert len(set(after.values())) == 4


def test_export_views(client: Client, programme: Event) -> None:
    xml = client.get(f"/veranstaltungen/{programme.slug}/schedule.xml")
    assert xml["Content-Type"].startswith("application/xml")
    data = client.get(f"/veranstaltungen/{programme.slug}/schedule.json").json()
    assert data["schedule"]["conference"]["title"] == "Testkonferenz KI"
    assert client.get(f"/veranstaltungen/{programme.slug}/schedule.csv").status_code == 404


def test_pretalx_example_imports(db: None) -> None:
    create_person(name="Brian Robinson")
    report = import_schedule((SCHEMAS / "pretalx-democon.json").read_bytes())
    event = report.event
    assert event.title == "DemoCon"
    assert event.status == "draft"
    assert report.created == Session.objects.filter(event=event).count() > 10
    session = Session.objects.get(event=event, title="Focused 5thgeneration hardware")
    assert str(session.guid) == "8079583e-8321-506c-95af-fd2903a5f075"
    assert session.starts_at == dt.datetime(2020, 12, 14, 8, 0, tzinfo=dt.UTC)
    assert session.duration_minutes == 30
    assert [p.name for p in session.speakers.all()] == ["Brian Robinson"]
    assert "Jordan Parks" in report.unmatched_speakers
    assert set(report.rooms) >= {"Gray Room", "Tan Room"}


def test_frab_example_imports_and_reexports_valid(
    db: None, xsd: xmlschema.XMLSchema, json_validator: Any
) -> None:
    report = import_schedule((SCHEMAS / "frab-camp2019.json").read_bytes())
    event = report.event
    assert event.time_zone == "Europe/Berlin"
    opening = Session.objects.get(event=event, title="Opening Ceremony")
    assert opening.room.name == "Curie"
    assert opening.guest_speakers == ["jinxx", "smtw"]
    assert opening.kind == "talk"  # "lecture"
    xsd.validate(export_xml(event))
    assert list(json_validator.iter_errors(export_json(event))) == []


def test_xml_round_trip_keeps_guids_and_times(programme: Event) -> None:
    xml = export_xml(programme)
    report = import_schedule(xml.encode())
    original = {
        s.guid: (s.title, s.starts_at, s.ends_at, s.room.name)
        for s in programme.sessions.select_related("room")
    }
    copied = {
        s.guid: (s.title, s.starts_at, s.ends_at, s.room.name)
        for s in report.event.sessions.select_related("room")
    }
    assert copied == original


def test_lenient_import_reports_what_it_skipped(db: None) -> None:
    document = {
        "schedule": {
            "version": "x",
            "conference": {
                "title": "Schief",
                "acronym": "schief",
                "time_zone_name": "Mars/Olympus",
                "days": [
                    {
                        "index": 1,
                        "date": "2031-03-01",
                        "rooms": {
                            "Saal": [
                                {
                                    "title": "Ohne Datum, aber mit start",
                                    "start": "10:00",
                                    "duration": "1:30:00",
                                },
                                {
                                    "title": "",
                                    "date": "2031-03-01T11:00:00+01:00",
                                    "duration": "00:30",
                                },
                                {"title": "Kaputte Zeit", "date": "gestern", "duration": "00:30"},
                                {
                                    "title": "Null Minuten",
                                    "date": "2031-03-01T12:00:00+01:00",
                                    "duration": "00:00",
                                },
                                "kein Objekt",
                            ]
                        },
                    },
                    {"index": 2},
                ],
            },
        },
    }
    report = import_schedule(json.dumps(document))
    assert report.created == 1
    session = report.event.sessions.get()
    assert session.duration_minutes == 90
    assert session.starts_at == dt.datetime(
        2031, 3, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))
    )
    text = "\n".join(report.skipped)
    for fragment in (
        "Mars/Olympus",
        "ohne Titel",
        "Kaputte Zeit",
        "Null Minuten",
        "kein Objekt",
        "Tag 2",
    ):
        assert fragment in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "weder schedule.xml noch schedule.json"),
        (b'{"schedule": ', "kein gültiges JSON"),
        (b'{"foo": 1}', "schedule.conference"),
        (b"<schedule><day>", "kein gültiges XML"),
        (b"<html></html>", "Wurzelelement"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaa">]><schedule>&a;</schedule>',
            "DTD",
        ),
        (b"[" * 100000 + b"]" * 100000, "weder"),
        (b'{"a":' * 100000 + b"1" + b"}" * 100000, "verschachtelt"),
    ],
)
def test_broken_files_give_a_clear_message_and_nothing_is_saved(
    content: bytes, message: str
) -> None:
    with pytest.raises(ScheduleImportError, match=message):
        import_schedule(content)
    assert not Event.objects.exists()
    assert not Venue.objects.exists()


def test_huge_file_is_refused(settings: Any) -> None:
    settings.LOTSE_MAX_IMPORT_BYTES = 1000
    with pytest.raises(ScheduleImportError, match="zu groß"):
        import_schedule(b"{" + b" " * 2000 + b"}")


def test_import_is_all_or_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from lotse.events.domain import schedule_import

    calls = {"n": 0}
    real = schedule_import.create_session

    def flaky(*args: Any, **kwargs: Any) -> Session:
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("Festplatte voll")
        return real(*args, **kwargs)

    monkeypatch.setattr(schedule_import, "create_session", flaky)
    with pytest.raises(RuntimeError):
        import_schedule((SCHEMAS / "pretalx-democon.json").read_bytes())
    assert not Event.objects.exists()
    assert not Session.objects.exists()
    assert not Venue.objects.exists()


def test_import_page_and_command(
    client: Client, manager: Any, member: Any, tmp_path: Path, capsys: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(member)
    assert client.get("/veranstaltungen/import/").status_code == 403
    client.force_login(manager)
    upload = SimpleUploadedFile("schedule.json", b"{kaputt", content_type="application/json")
    response = client.post("/veranstaltungen/import/", {"file": upload})
    assert response.status_code == 200
    assert "kein gültiges JSON" in response.content.decode()
    upload = SimpleUploadedFile("schedule.json", (SCHEMAS / "pretalx-democon.json").read_bytes())
    page = client.post("/veranstaltungen/import/", {"file": upload}).content.decode()
    assert "DemoCon" in page
    assert "Programmpunkte importiert" in page

    event = Event.objects.get(title="DemoCon")
    out = tmp_path / "schedule.xml"
    call_command("schedule", "export", event.slug, "--format", "xml", "-o", str(out))
    assert out.read_text().startswith("<?xml")
    call_command("schedule", "import", str(SCHEMAS / "frab-camp2019.json"))
    assert "Chaos Communication Camp 2019" in capsys.readouterr().out
    from django.core.management.base import CommandError

    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(CommandError, match="kein gültiges JSON"):
        call_command("schedule", "import", str(bad))
    with pytest.raises(CommandError, match="Unbekannte Veranstaltung"):
        call_command("schedule", "export", "gibt-es-nicht")
