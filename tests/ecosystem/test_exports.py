"""Export: same format as import, round trip into an empty directory, visibility."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from lotse.ecosystem.domain.exports import export_csv, export_json, export_records
from lotse.ecosystem.domain.imports import import_directory
from lotse.ecosystem.importing.schema import COLUMNS, ENTITIES
from lotse.ecosystem.models import (
    ListingStatus,
    Membership,
    Need,
    Offer,
    Organisation,
    Person,
    Term,
)


@pytest.fixture
def directory(db: None) -> None:
    topic = Term.objects.get(slug="textgenerierung")
    other = Term.objects.get(slug="uebersetzung")
    sector = Term.objects.get(slug="musik")
    hafen = Organisation.objects.create(
        key="hafen",
        kind="media_house",
        name="Hafen & Söhne",
        short_description='Kurz, mit "Anführungszeichen"; und Semikolon',
        description="# Titel\n\nZeile 1\nZeile 2, mit Komma",
        website="https://hafen.example",
        email="info@hafen.example",
        street="Elbchaussee 1",
        postcode="22763",
        city="Hamburg",
        region="Hamburg",
        latitude=53.5456789,
        longitude=9.9312345,
        size_band="10-49",
        founded_year=1998,
        verified=True,
        verified_at=timezone.now(),
        last_confirmed=dt.date(2024, 5, 1),
        is_fictional=True,
        source_note="Seed 003",
        created_at=timezone.make_aware(dt.datetime(2023, 1, 2, 3, 4, 5)),
    )
    hafen.topics.set([topic, other])
    hafen.sectors.set([sector])
    isar = Organisation.objects.create(key="isar", kind="startup", name="Isar KI", country="AT")
    anna = Person.objects.create(
        key="anna",
        name="Anna Berg",
        role_title="CTO",
        bio="Über *mich*",
        email="anna@example.org",
        phone="+49 40 123",
        city="Hamburg",
        languages=["de", "en"],
        visibility="public",
        field_visibility={"email": "hidden", "role_title": "members"},
    )
    anna.expertise.set([topic, sector])
    Membership.objects.create(
        person=anna, organisation=hafen, role="admin", title="Leitung: Digital"
    )
    Membership.objects.create(person=anna, organisation=isar)
    Person.objects.create(key="geheim", name="Geheim", visibility="hidden")
    offer = Offer.objects.create(
        key="hafen-untertitel",
        organisation=hafen,
        contact=anna,
        kind="service",
        title="Untertitel",
        description="Mehrzeilig\nText",
        regional_scope="national",
        languages=["de"],
        data_residency="eu_cloud",
        expires_on=dt.date(2031, 1, 31),
    )
    offer.topics.set([topic])
    offer.sectors.set([sector])
    Offer.objects.create(
        key="isar-entwurf",
        organisation=isar,
        kind="product",
        title="Entwurf",
        status=ListingStatus.DRAFT,
    )
    Need.objects.create(key="isar-pilot", organisation=isar, kind="pilot_customer", title="Pilot")


def _snapshot() -> dict[str, list[dict[str, Any]]]:
    return {entity: list(export_records(entity)) for entity in ENTITIES}


def _empty_directory() -> None:
    for model in (Offer, Need, Membership, Person, Organisation):
        model.objects.all().delete()


@pytest.mark.usefixtures("directory")
def test_json_round_trip_into_empty_directory() -> None:
    before = _snapshot()
    document = export_json()
    _empty_directory()
    assert not Organisation.objects.exists()
    report = import_directory(document.encode(), filename="export.json")
    assert report.committed, [str(e) for e in report.all_errors()]
    assert _snapshot() == before
    assert report.created == 2 + 2 + 2 + 1


@pytest.mark.usefixtures("directory")
def test_csv_round_trip_into_empty_directory() -> None:
    before = _snapshot()
    files = {entity: export_csv(entity) for entity in ENTITIES}
    _empty_directory()
    for entity in ENTITIES:
        report = import_directory(files[entity].encode(), filename=f"{entity}.csv")
        assert report.committed, [str(e) for e in report.all_errors()]
    assert _snapshot() == before
    # Importing the same export again changes nothing and duplicates nothing.
    report = import_directory(files["organisations"].encode(), filename="organisations.csv")
    assert (report.created, report.updated) == (0, 2)
    assert _snapshot() == before


@pytest.mark.usefixtures("directory")
def test_csv_columns_match_the_documented_format() -> None:
    text = export_csv("organisations")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [column.name for column in COLUMNS["organisations"]]
    hafen = dict(zip(rows[0], rows[1], strict=True))
    assert hafen["topics"] == "textgenerierung|uebersetzung"
    assert hafen["verified"] == "true"
    people = dict(zip(*list(csv.reader(io.StringIO(export_csv("people"))))[:2], strict=True))
    assert people["memberships"] == "hafen:admin:Leitung: Digital|isar:member"
    assert people["field_visibility"] == "email=hidden|role_title=members"


@pytest.mark.usefixtures("directory")
def test_export_for_managers_has_everything(manager: Any) -> None:
    data = json.loads(export_json(user=manager))
    assert {p["key"] for p in data["people"]} == {"anna", "geheim"}
    assert {o["key"] for o in data["offers"]} == {"hafen-untertitel", "isar-entwurf"}
    anna = next(p for p in data["people"] if p["key"] == "anna")
    assert anna["email"] == "anna@example.org"


@pytest.mark.usefixtures("directory")
def test_export_for_others_shows_only_what_they_may_see(make_user: Any) -> None:
    for user in (None, make_user()):
        if user is None:
            from django.contrib.auth.models import AnonymousUser

            user = AnonymousUser()
        data = json.loads(export_json(user=user))
        assert {p["key"] for p in data["people"]} == {"anna"}
        assert {o["key"] for o in data["offers"]} == {"hafen-untertitel"}
        anna = data["people"][0]
        assert anna["email"] == ""  # hidden field
        assert anna["phone"] == ""  # hidden by default
        assert anna["field_visibility"] == {}
        if user.is_authenticated:
            assert anna["role_title"] == "CTO"
        else:
            assert anna["role_title"] == ""


@pytest.mark.usefixtures("directory")
def test_export_command_writes_files(tmp_path: Path) -> None:
    call_command("export_directory", "--format", "csv", "-o", str(tmp_path / "csv"))
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == [
        "needs.csv",
        "offers.csv",
        "organisations.csv",
        "people.csv",
    ]
    call_command("export_directory", "--format", "json", "-o", str(tmp_path / "all.json"))
    document = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    assert document["format"] == "lotse-directory"
    assert len(document["organisations"]) == 2
    _empty_directory()
    call_command("import_directory", str(tmp_path / "all.json"), "--no-progress")
    assert Organisation.objects.count() == 2
    assert Membership.objects.count() == 2
