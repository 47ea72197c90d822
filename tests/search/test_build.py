"""The bulk rebuild writes exactly what the incremental update (signals) writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lotse.ecosystem.domain.listings import create_listing
from lotse.ecosystem.domain.organisations import create_organisation
from lotse.ecosystem.domain.people import add_membership, create_person
from lotse.ecosystem.models import Need, Offer, Term
from lotse.search.documents import embed_text
from lotse.search.index import embed_missing, rebuild
from lotse.search.models import SearchDocument

pytestmark = pytest.mark.django_db

FIELDS = (
    "key", "title", "body", "title_tokens", "body_tokens", "title_words", "members_only",
    "embedding",
)


def snapshot() -> dict[tuple[str, int], tuple[Any, ...]]:
    return {
        (row[0], row[1]): tuple(bytes(v) if isinstance(v, memoryview) else v for v in row[2:])
        for row in SearchDocument.objects.values_list("entity_type", "entity_pk", *FIELDS)
    }


@pytest.fixture
def directory(committed: Callable[..., Any]) -> None:
    topic = Term.objects.get(slug="verifikation-faktencheck")
    other = Term.objects.filter(vocabulary=topic.vocabulary).exclude(pk=topic.pk).first()
    with committed():
        studio = create_organisation(
            name="Hafenpixel Studio", kind="startup", key="hafenpixel", city="Kiel",
            region="Schleswig-Holstein", topics=[topic, other],
            short_description="Bildgenerierung für Verlage.",
            description="Wir bauen Werkzeuge.\nFür Redaktionen.",
        )
        archive = create_organisation(
            name="Archivhaus", kind="agency", key="archivhaus", short_description=""
        )
        for i, visibility in enumerate(("public", "members", "hidden")):
            person = create_person(
                name=f"Person {i}", key=f"person-{i}", role_title="Datenjournalistin",
                bio="Schreibt über Daten.", city="Kiel", expertise=[other, topic],
                visibility=visibility,
            )
            add_membership(person, studio)
            add_membership(person, archive)
        create_person(
            name="Verdeckt", key="verdeckt", role_title="Geheim", bio="Privat",
            expertise=[topic], field_visibility={"role_title": "members", "bio": "hidden"},
        )
        create_person(name="Leer", key="leer")
        create_listing(
            Offer, organisation=studio, title="Faktencheck als Dienst", kind="service",
            key="offer-check", topics=[topic], description="Prüfen.\nSchnell.",
        )
        create_listing(
            Need, organisation=archive, title="Wir suchen Hilfe", kind="talent", key="need-hilfe",
            status="draft",
        )
        create_listing(Need, organisation=archive, title="Entwurf gesucht", kind="talent",
                       key="need-entwurf")


@pytest.mark.parametrize("processes", [1, 2])
def test_rebuild_writes_what_the_update_wrote(directory: None, processes: int) -> None:
    by_update = snapshot()
    assert {row[0] for row in by_update.values()} >= {"hafenpixel", "person-0", "person-1"}
    assert "person-2" not in {row[0] for row in by_update.values()}  # hidden
    assert "need-hilfe" not in {row[0] for row in by_update.values()}  # draft
    counts = rebuild(processes=processes)
    assert counts == {"organisation": 2, "person": 4, "offer": 1, "need": 1}
    assert snapshot() == by_update


def test_keyword_only_then_semantic_gives_the_same_vectors(directory: None) -> None:
    by_update = snapshot()
    rebuild(semantic=False)
    assert not SearchDocument.objects.exclude(embedding=None).exists()
    assert embed_missing() == len(by_update)
    assert snapshot() == by_update


def test_vector_texts_leave_names_out(directory: None) -> None:
    row = SearchDocument.objects.get(entity_type="person", key="person-0")
    text = embed_text("person", row.title, row.body)
    assert text.startswith("Datenjournalistin: ")
    assert "Person 0" not in text
    # same role and expertise, same text: encoded once per build
    twin = SearchDocument.objects.get(entity_type="person", key="person-1")
    assert embed_text("person", twin.title, twin.body) == text
    # fields that are not public do not reach the index
    hidden = SearchDocument.objects.get(entity_type="person", key="verdeckt")
    assert "Geheim" not in hidden.body
    assert "Privat" not in hidden.body
    studio = SearchDocument.objects.get(entity_type="organisation", key="hafenpixel")
    assert embed_text("organisation", studio.title, studio.body) == "Bildgenerierung für Verlage."
    offer = SearchDocument.objects.get(entity_type="offer", key="offer-check")
    assert embed_text("offer", offer.title, offer.body).startswith("Faktencheck als Dienst. ")


@pytest.mark.django_db(transaction=True)
def test_full_build_leaves_fresh_statistics() -> None:
    """After replacing the table: planner statistics (and on PostgreSQL a VACUUM,
    which may only run outside a transaction)."""
    from django.db import connection

    create_organisation(name="Statistik GmbH", kind="agency", short_description="Archiv")
    rebuild(semantic=False, processes=1)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT last_vacuum IS NOT NULL, last_analyze IS NOT NULL "
                "FROM pg_stat_user_tables WHERE relname = 'search_searchdocument'"
            )
            assert cursor.fetchone() == (True, True)
        else:
            cursor.execute(
                "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'search_searchdocument'"
            )
            assert cursor.fetchone()[0] > 0
