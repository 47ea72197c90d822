"""Import of CSV/JSON: parsing, validation with line numbers, all-or-nothing, updates, CLI."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from lotse.ecosystem.domain.imports import directory_imported, import_directory
from lotse.ecosystem.models import Membership, Need, Offer, Organisation, Person

ROOT = Path(__file__).resolve().parents[2]

ORG_HEADER = (
    "key,kind,name,description,website,email,city,latitude,longitude,founded_year,topics,sectors"
)


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def org_csv(*rows: str, header: str = ORG_HEADER) -> bytes:
    return csv_bytes(header, *rows)


GOOD_ROW = (
    "hafen,media_house,Hafenmedien,Text,https://hafen.example,info@hafen.example,Hamburg,"
    "53.55,9.99,1999,textgenerierung|uebersetzung,musik"
)


def errors_of(report: Any) -> list[tuple[int | None, str, str]]:
    return [(error.line, error.column, error.message) for error in report.all_errors()]


# --- Parsing and encodings ------------------------------------------------------------


@pytest.mark.django_db
def test_csv_import_creates_organisation_with_terms() -> None:
    report = import_directory(org_csv(GOOD_ROW), filename="organisations.csv")
    assert report.committed, errors_of(report)
    org = Organisation.objects.get(key="hafen")
    assert org.name == "Hafenmedien"
    assert org.kind == "media_house"
    assert (org.latitude, org.longitude, org.founded_year) == (53.55, 9.99, 1999)
    assert sorted(org.topics.values_list("slug", flat=True)) == ["textgenerierung", "uebersetzung"]
    assert list(org.sectors.values_list("slug", flat=True)) == ["musik"]
    assert report.results["organisations"].created == 1


@pytest.mark.django_db
def test_cp1252_file_with_umlauts_is_detected() -> None:
    data = (
        org_csv("muenchen,startup,Münchner Bühnen-Start-up GmbH,Größe: ß,,,München,,,,,")
        .decode("utf-8")
        .encode("cp1252")
    )
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    report = import_directory(data, filename="organisations.csv")
    assert report.committed, errors_of(report)
    assert report.encoding == "cp1252"
    org = Organisation.objects.get(key="muenchen")
    assert org.name == "Münchner Bühnen-Start-up GmbH"
    assert org.city == "München"
    assert org.description == "Größe: ß"


@pytest.mark.django_db
def test_utf8_with_bom_and_semicolons() -> None:
    data = b"\xef\xbb\xbf" + csv_bytes(
        "key;kind;name;city",
        "koeln;agency;Kölner Agentur;Köln",
    )
    report = import_directory(data, entity="organisations")
    assert report.committed, errors_of(report)
    assert Organisation.objects.get(key="koeln").name == "Kölner Agentur"


@pytest.mark.django_db
def test_forced_encoding_that_does_not_fit_is_reported() -> None:
    data = org_csv("a,startup,Ä,,,,,,,,,").decode().encode("cp1252")
    report = import_directory(data, entity="organisations", encoding="utf-8")
    assert not report.ok
    assert "utf-8" in report.file_errors[0].message
    assert not Organisation.objects.exists()
    report = import_directory(data, entity="organisations", encoding="nonsense-encoding")
    assert "Unbekannte Zeichenkodierung" in report.file_errors[0].message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "leer"),
        (b'key,kind,name\n"hafen,startup,Unclosed\n', "CSV-Datei ist fehlerhaft"),
        (b"key,kind,key\nx,startup,y\n", "doppelt"),
        (b"key,kind,name\nx\x00,startup,y\n", "Null-Bytes"),
        (b"key,kind,name\nx,startup,y,extra,more\n", "Spalten"),
    ],
)
def test_malformed_csv_gives_clear_message(data: bytes, fragment: str) -> None:
    report = import_directory(data, entity="organisations", format="csv")
    assert not report.ok
    assert any(fragment in message for _line, _col, message in errors_of(report)), errors_of(report)
    assert not Organisation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "fragment", "line"),
    [
        ('{"organisations": [\n{"key": "a",\n"kind": }]}', "JSON-Datei ist fehlerhaft", 3),
        ('{"organisations": {"key": "a"}}', "muss eine Liste sein", None),
        ('{"orgs": []}', "keine der Listen", None),
        ('"just a string"', "Objekt oder eine Liste", None),
        ('[{"key": "a"}]', "bitte geben Sie an", None),
        ('{"organisations": [1]}', "kein JSON-Objekt", 1),
    ],
)
def test_malformed_json_gives_clear_message(text: str, fragment: str, line: int | None) -> None:
    report = import_directory(text.encode(), format="json")
    assert not report.ok
    found = [(error.line, error.message) for error in report.all_errors()]
    assert any(fragment in message for _line, message in found), found
    if line is not None:
        assert found[0][0] == line
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_json_reports_line_of_each_bad_record() -> None:
    document = (
        '{\n"organisations": [\n'
        '  {"key": "ok", "kind": "startup", "name": "Gut"},\n'
        '  {"key": "bad",\n   "kind": "spaceship",\n   "name": "Schlecht"}\n'
        "]\n}\n"
    )
    report = import_directory(document.encode())
    assert not report.committed
    assert [(error.line, error.column) for error in report.errors] == [(4, "kind")]
    assert "spaceship" in report.errors[0].message


# --- Validation -------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_bad_row_is_reported_with_line_and_reason() -> None:
    data = org_csv(
        GOOD_ROW,
        "a,spaceship,A,,,,,,,,,",  # unknown kind
        "b,startup,,,,,,,,,,",  # missing name
        "c,startup,C,,not a url,,,,,,,",  # bad URL
        "d,startup,D,,,not-an-email,,,,,,",  # bad e-mail
        "e,startup,E,,,,,91,10,,,",  # bad latitude
        "f,startup,F,,,,,50,,,,",  # latitude without longitude
        "g,startup,G,,,,,,,19x9,,",  # bad year
        "h,startup,H,,,,,,,,textgenerirung,",  # unknown term
        "i,startup,I,,,,,,,,,textgenerierung",  # term of the wrong vocabulary
        "hafen,startup,Doppelt,,,,,,,,,",  # duplicate key
        "Kein Schlüssel!,startup,X,,,,,,,,,",  # invalid key
    )
    report = import_directory(data, entity="organisations")
    assert not report.ok
    assert not report.committed
    by_line = {line: (column, message) for line, column, message in errors_of(report)}
    assert by_line[3][0] == "kind"
    assert "spaceship" in by_line[3][1]
    assert "Start-up" not in by_line[3][1] or "startup" in by_line[3][1]
    assert by_line[4] == ("name", "Pflichtfeld ist leer.")
    assert by_line[5][0] == "website"
    assert by_line[6][0] == "email"
    assert by_line[7][0] == "latitude"
    assert by_line[8][0] == "latitude"
    assert "zusammen" in by_line[8][1]
    assert by_line[9][0] == "founded_year"
    assert by_line[10][0] == "topics"
    assert "Meinten Sie: textgenerierung" in by_line[10][1]
    assert by_line[11][0] == "sectors"
    assert "textgenerierung" in by_line[11][1]
    assert by_line[12][0] == "key"
    assert "Zeile 2" in by_line[12][1]
    assert by_line[13][0] == "key"
    assert len(by_line) == 11
    assert not Organisation.objects.exists()  # all or nothing


@pytest.mark.django_db
def test_unknown_kind_suggests_close_value_and_labels_are_accepted() -> None:
    report = import_directory(org_csv("a,startupp,A,,,,,,,,,"), entity="organisations")
    assert "Meinten Sie »startup«" in report.errors[0].message
    report = import_directory(
        csv_bytes("key,kind,name", "a,Start-up,A", "b,KI-Unternehmen,B"), entity="organisations"
    )
    assert report.committed, errors_of(report)
    assert Organisation.objects.get(key="b").kind == "ai_company"


@pytest.mark.django_db
def test_term_names_are_accepted_as_well_as_slugs() -> None:
    report = import_directory(
        org_csv("a,startup,A,,,,,,,,Textgenerierung|UEBERSETZUNG,Musik"), entity="organisations"
    )
    assert report.committed, errors_of(report)
    org = Organisation.objects.get(key="a")
    assert sorted(org.topics.values_list("slug", flat=True)) == ["textgenerierung", "uebersetzung"]


@pytest.mark.django_db
def test_skip_invalid_imports_the_good_rows() -> None:
    data = org_csv(GOOD_ROW, "a,spaceship,A,,,,,,,,,", "b,startup,B,,,,,,,,,")
    report = import_directory(data, entity="organisations", skip_invalid=True)
    assert report.ok
    assert report.committed
    assert sorted(Organisation.objects.values_list("key", flat=True)) == ["b", "hafen"]
    result = report.results["organisations"]
    assert (result.created, result.updated, result.skipped) == (2, 0, 1)
    assert [error.line for error in report.errors] == [3]


@pytest.mark.django_db
def test_dry_run_counts_but_writes_nothing() -> None:
    Organisation.objects.create(key="hafen", kind="startup", name="Alt")
    report = import_directory(org_csv(GOOD_ROW, "b,startup,B,,,,,,,,,"), dry_run=True)
    assert report.ok
    assert not report.committed
    assert (report.created, report.updated) == (1, 1)
    assert Organisation.objects.get(key="hafen").name == "Alt"
    assert not Organisation.objects.filter(key="b").exists()


# --- Sanitising -------------------------------------------------------------------------


@pytest.mark.django_db
def test_html_and_script_are_removed() -> None:
    data = json.dumps(
        {
            "organisations": [
                {
                    "key": "x",
                    "kind": "startup",
                    "name": "<b>Müller</b> & Söhne<script>alert('name')</script>",
                    "short_description": "<img src=x onerror=alert(1)>Kurz",
                    "description": "**Fett** <script>alert('x')</script><em>ok</em>"
                    "<SCRIPT src='//evil'></SCRIPT>",
                }
            ]
        }
    ).encode()
    report = import_directory(data)
    assert report.committed, errors_of(report)
    org = Organisation.objects.get(key="x")
    assert org.name == "Müller & Söhne"
    assert org.short_description == "Kurz"
    assert "script" not in org.description.lower()
    assert "alert" not in org.description
    assert org.description.startswith("**Fett**")
    assert "<em>ok</em>" in org.description  # Markdown keeps HTML; rendering sanitises it


@pytest.mark.django_db
def test_rendered_description_from_import_is_safe(client: Any) -> None:
    data = json.dumps(
        {
            "organisations": [
                {
                    "key": "x",
                    "kind": "startup",
                    "name": "X",
                    "description": '<a href="javascript:alert(1)" onclick="alert(2)">klick</a>',
                }
            ]
        }
    ).encode()
    assert import_directory(data).committed
    page = client.get(
        reverse("ecosystem:organisation_detail", kwargs={"key": "x"})
    ).content.decode()
    assert "javascript:" not in page
    assert "onclick" not in page


@pytest.mark.django_db
def test_too_long_values_are_errors_not_database_failures() -> None:
    report = import_directory(org_csv(f"a,startup,{'N' * 201},,,,,,,,,"))
    assert report.errors[0].column == "name"
    assert "zu lang" in report.errors[0].message


# --- Updates ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_reimport_updates_by_key_instead_of_duplicating() -> None:
    assert import_directory(org_csv(GOOD_ROW)).committed
    changed = GOOD_ROW.replace("Hafenmedien", "Hafenmedien Neu").replace(
        "textgenerierung|uebersetzung", "chatbots-assistenten"
    )
    report = import_directory(org_csv(changed))
    assert report.committed, errors_of(report)
    assert (report.created, report.updated) == (0, 1)
    assert Organisation.objects.count() == 1
    org = Organisation.objects.get(key="hafen")
    assert org.name == "Hafenmedien Neu"
    assert list(org.topics.values_list("slug", flat=True)) == ["chatbots-assistenten"]
    assert list(org.sectors.values_list("slug", flat=True)) == ["musik"]


@pytest.mark.django_db
def test_absent_columns_keep_their_values() -> None:
    assert import_directory(org_csv(GOOD_ROW)).committed
    report = import_directory(csv_bytes("key,city", "hafen,Lübeck"), entity="organisations")
    assert report.committed, errors_of(report)
    org = Organisation.objects.get(key="hafen")
    assert (org.city, org.name, org.website) == ("Lübeck", "Hafenmedien", "https://hafen.example")
    assert org.topics.count() == 2
    # A new key with the same partial columns lacks required fields.
    report = import_directory(csv_bytes("key,city", "neu,Kiel"), entity="organisations")
    assert not report.ok
    assert {error.column for error in report.errors} == {"kind", "name"}


@pytest.mark.django_db
def test_verified_flag_sets_and_clears_timestamp() -> None:
    assert import_directory(csv_bytes("key,kind,name,verified", "a,startup,A,ja")).committed
    org = Organisation.objects.get(key="a")
    assert org.verified
    assert org.verified_at is not None
    assert import_directory(csv_bytes("key,verified", "a,nein"), entity="organisations").committed
    org.refresh_from_db()
    assert not org.verified
    assert org.verified_at is None


# --- People, offers, needs --------------------------------------------------------------


def _full_document() -> dict[str, Any]:
    return {
        "organisations": [
            {"key": "hafen", "kind": "media_house", "name": "Hafenmedien"},
            {"key": "isar", "kind": "startup", "name": "Isar KI"},
        ],
        "people": [
            {
                "key": "anna",
                "name": "Anna Berg",
                "role_title": "CTO",
                "email": "anna@example.org",
                "expertise": ["textgenerierung", "musik"],
                "languages": ["de", "en"],
                "visibility": "members",
                "field_visibility": {"email": "hidden"},
                "memberships": [
                    {"organisation": "hafen", "role": "admin", "title": "Leitung Digitales"},
                    "isar",
                ],
            }
        ],
        "offers": [
            {
                "key": "hafen-untertitel",
                "organisation": "hafen",
                "kind": "service",
                "title": "Untertitel",
                "contact": "anna",
                "topics": ["spracherkennung-untertitelung"],
                "data_residency": "eu_cloud",
                "expires_on": "31.12.2030",
            }
        ],
        "needs": [
            {
                "key": "isar-pilot",
                "organisation": "isar",
                "kind": "pilot_customer",
                "title": "Pilot",
            }
        ],
    }


@pytest.mark.django_db
def test_json_document_with_all_entities() -> None:
    report = import_directory(json.dumps(_full_document()).encode(), filename="alles.json")
    assert report.committed, errors_of(report)
    anna = Person.objects.get(key="anna")
    assert anna.visibility == "members"
    assert anna.field_visibility == {"email": "hidden"}
    assert anna.languages == ["de", "en"]
    memberships = {
        m.organisation.key: (m.role, m.title)
        for m in Membership.objects.filter(person=anna).select_related("organisation")
    }
    assert memberships == {"hafen": ("admin", "Leitung Digitales"), "isar": ("member", "")}
    offer = Offer.objects.get(key="hafen-untertitel")
    assert offer.contact == anna
    assert offer.organisation.key == "hafen"
    assert str(offer.expires_on) == "2030-12-31"
    assert Need.objects.get(key="isar-pilot").organisation.key == "isar"


@pytest.mark.django_db
def test_people_csv_with_memberships() -> None:
    Organisation.objects.create(key="hafen", kind="startup", name="Hafen")
    data = csv_bytes(
        "key,name,role_title,expertise,languages,field_visibility,memberships",
        "anna,Anna,CTO,textgenerierung,de|en,email=hidden|phone=members,"
        "hafen:admin:Leitung: Digitales",
    )
    report = import_directory(data, filename="people.csv")
    assert report.committed, errors_of(report)
    membership = Membership.objects.get(person__key="anna")
    assert (membership.role, membership.title) == ("admin", "Leitung: Digitales")
    # Re-import without a role keeps the role; a membership no longer listed goes.
    Organisation.objects.create(key="isar", kind="startup", name="Isar")
    data = csv_bytes("key,memberships", "anna,hafen|isar::Beirat")
    assert import_directory(data, entity="people").committed
    roles = dict(
        Membership.objects.filter(person__key="anna").values_list("organisation__key", "role")
    )
    assert roles == {"hafen": "admin", "isar": "member"}
    assert import_directory(csv_bytes("key,memberships", "anna,isar"), entity="people").committed
    assert list(
        Membership.objects.filter(person__key="anna").values_list("organisation__key", flat=True)
    ) == ["isar"]


@pytest.mark.django_db
def test_unknown_and_broken_references_are_reported() -> None:
    document = _full_document()
    document["organisations"][0]["kind"] = "spaceship"  # hafen is broken
    document["offers"][0]["contact"] = "nobody"
    document["needs"][0]["organisation"] = "unknown-org"
    report = import_directory(json.dumps(document).encode())
    assert not report.committed
    messages = [str(error) for error in report.errors]
    assert any("people" in m and "»hafen« ist in dieser Datei fehlerhaft" in m for m in messages)
    assert any("offers" in m and "»hafen« ist in dieser Datei fehlerhaft" in m for m in messages)
    assert any("needs" in m and "Unbekannte Organisation »unknown-org«" in m for m in messages)
    assert not Organisation.objects.exists()
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_skip_invalid_also_skips_rows_that_depend_on_skipped_ones() -> None:
    document = _full_document()
    document["organisations"][0]["kind"] = "spaceship"
    report = import_directory(json.dumps(document).encode(), skip_invalid=True)
    assert report.committed
    assert list(Organisation.objects.values_list("key", flat=True)) == ["isar"]
    assert not Person.objects.exists()  # anna is a member of the broken "hafen"
    assert not Offer.objects.exists()
    assert Need.objects.filter(key="isar-pilot").exists()


@pytest.mark.django_db
def test_import_announces_written_rows_after_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    received: list[tuple[Any, list[int]]] = []

    def listener(sender: Any, pks: list[int], **kwargs: Any) -> None:
        received.append((sender, pks))

    directory_imported.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert import_directory(org_csv(GOOD_ROW)).committed
            assert received == []  # not before the commit
    finally:
        directory_imported.disconnect(listener)
    assert received == [(Organisation, [Organisation.objects.get(key="hafen").pk])]


# --- Command line -----------------------------------------------------------------------


@pytest.mark.django_db
def test_command_imports_and_reports(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "organisations.csv"
    path.write_bytes(org_csv(GOOD_ROW))
    call_command("import_directory", str(path), "--no-progress")
    assert Organisation.objects.filter(key="hafen").exists()
    assert "1 neu" in capsys.readouterr().out


@pytest.mark.django_db
def test_command_fails_without_writing(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "organisations.csv"
    path.write_bytes(org_csv(GOOD_ROW, "a,spaceship,A,,,,,,,,,"))
    with pytest.raises(CommandError, match="nichts gespeichert"):
        call_command("import_directory", str(path), "--no-progress")
    assert "Zeile 3" in capsys.readouterr().err
    assert not Organisation.objects.exists()
    call_command("import_directory", str(path), "--no-progress", "--skip-invalid")
    assert list(Organisation.objects.values_list("key", flat=True)) == ["hafen"]


@pytest.mark.django_db
def test_command_dry_run(tmp_path: Path) -> None:
    path = tmp_path / "orgs.json"
    path.write_text(json.dumps({"organisations": [{"key": "a", "kind": "startup", "name": "A"}]}))
    call_command("import_directory", str(path), "--dry-run", "--no-progress")
    assert not Organisation.objects.exists()


def _lotse(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lotse.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def _count_organisations(database_url: str) -> int:
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM ecosystem_organisation").fetchone()[0])
    import psycopg

    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT COUNT(*) FROM ecosystem_organisation").fetchone()
        return int(row[0]) if row else 0


@pytest.fixture
def cli_database(tmp_path: Path, settings: Any) -> Iterator[str]:
    """A database of its own for the subprocess, on the engine under test (a
    database file on SQLite, a fresh database on the PostgreSQL server), so the
    test needs no committed data in the test database."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        yield f"sqlite:///{tmp_path / 'cli.sqlite3'}"
        return
    import psycopg

    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    server = f"postgres://{db['USER']}@{host}:{port}"
    name = f"lotse_cli_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_lotse_cli_exit_codes(tmp_path: Path, cli_database: str) -> None:
    """``lotse import`` in a real process: 0 on success, non-zero and nothing written
    on failure; on a migrated database of its own."""
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT / "src"),
        LOTSE_DATA_DIR=str(tmp_path),
        DATABASE_URL=cli_database,
    )
    migrated = _lotse("migrate", "-v", "0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    bad = tmp_path / "organisations.csv"
    bad.write_bytes(org_csv(GOOD_ROW, "a,spaceship,A,,,,,,,,,"))
    result = _lotse("import", str(bad), "--no-progress", env=env)
    assert result.returncode != 0
    assert "Zeile 3" in result.stderr
    assert "nichts gespeichert" in result.stderr
    assert _count_organisations(cli_database) == 0
    good = tmp_path / "good.csv"
    good.write_bytes(org_csv(GOOD_ROW))
    result = _lotse("import", str(good), "--entity", "organisations", "--no-progress", env=env)
    assert result.returncode == 0, result.stderr
    assert _count_organisations(cli_database) == 1
    missing = _lotse("import", str(tmp_path / "nope.csv"), env=env)
    assert missing.returncode != 0
    assert "nicht gefunden" in missing.stderr
    exported = _lotse("export", "--format", "csv", "--entity", "organisations", env=env)
    assert exported.returncode == 0
    assert exported.stdout.splitlines()[1].startswith("hafen,media_house,Hafenmedien,")
