"""The index follows the directory on commit; search, snippets, autocomplete, commands."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from lotse.ecosystem.domain.listings import create_listing, update_listing
from lotse.ecosystem.domain.organisations import create_organisation, update_organisation
from lotse.ecosystem.domain.people import create_person
from lotse.ecosystem.models import Need, Offer, Organisation, Term
from lotse.search import analysis
from lotse.search.models import SearchDocument, Synonym
from lotse.search.selectors import autocomplete, search

pytestmark = pytest.mark.django_db


def keys(query: str, **kwargs: Any) -> list[str]:
    return [hit.key for hit in search(query, **kwargs).hits]


@pytest.fixture
def network(committed: Callable[..., Any]) -> dict[str, Any]:
    with committed():
        subtitles = create_organisation(
            name="Nordlicht Untertitel GmbH",
            kind="ai_company",
            key="nordlicht",
            city="Hamburg",
            short_description="Wir entwickeln Untertitelungssoftware für Sender und Verlage.",
        )
        privacy = create_organisation(
            name="Rechtsrat Medien",
            kind="agency",
            key="rechtsrat",
            short_description="Beratung zur Datenschutzgrundverordnung für Redaktionen.",
        )
        theatre = create_organisation(
            name="Theater am Hafen",
            kind="cultural_organisation",
            key="theater",
            short_description="Bühne für zeitgenössisches Theater.",
        )
        offer = create_listing(
            Offer,
            organisation=subtitles,
            title="KI-Untertitel für Videos",
            kind="product",
            key="offer-untertitel",
            description="Automatische Untertitel in Deutsch und Englisch.",
        )
        need = create_listing(
            Need,
            organisation=theatre,
            title="Wir suchen künstliche Intelligenz für unser Archiv",
            kind="solution",
            key="need-archiv",
        )
    return {"subtitles": subtitles, "privacy": privacy, "theatre": theatre, "offer": offer,
            "need": need}


def test_entities_are_indexed_on_commit(network: dict[str, Any]) -> None:
    assert SearchDocument.objects.count() == 5
    assert keys("Untertitelungssoftware")[0] == "nordlicht"


def test_nothing_is_indexed_before_commit(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        create_organisation(name="Ungeduldig AG", kind="agency", key="ungeduldig")
    assert SearchDocument.objects.count() == 0
    assert callbacks  # the update waits for the commit


def test_update_and_delete_follow(network: dict[str, Any], committed: Callable[..., Any]) -> None:
    theatre: Organisation = network["theatre"]
    assert "theater" not in keys("Spracherkennung")
    with committed():
        update_organisation(theatre, short_description="Jetzt mit Spracherkennung im Foyer.")
    assert "theater" in keys("Spracherkennung")
    with committed():
        update_listing(network["offer"], status="draft")
    assert "offer-untertitel" not in keys("Videos")
    with committed():
        network["need"].delete()
    assert "need-archiv" not in keys("Archiv")
    assert not SearchDocument.objects.filter(key="need-archiv").exists()


def test_taxonomy_terms_are_indexed(committed: Callable[..., Any]) -> None:
    with committed():
        create_organisation(
            name="Faktenwerk",
            kind="startup",
            key="faktenwerk",
            topics=[Term.objects.get(slug="verifikation-faktencheck")],
        )
    assert keys("fact-checking") == ["faktenwerk"]
    assert keys("Faktencheck") == ["faktenwerk"]


def test_compounds_apart_and_together(network: dict[str, Any]) -> None:
    assert keys("Untertitel Software")[0] == "nordlicht"
    assert keys("Datenschutz Grundverordnung")[0] == "rechtsrat"
    assert keys("Datenschutzgrundverordnung")[0] == "rechtsrat"


def test_compound_falls_back_to_its_parts_like_words_written_apart(
    network: dict[str, Any],
) -> None:
    # Nothing contains "Untertitelungstool" or both "Untertitel" and "Tool", so
    # the any-concept fallback applies: the parts find the subtitle entries,
    # exactly as the words written apart do.
    together = keys("Untertitelungstool", mode="keyword")
    apart = keys("Untertitelung Tool", mode="keyword")
    assert {"nordlicht", "offer-untertitel"} <= set(together)
    assert set(together) == set(apart)


def test_synonyms_across_languages(network: dict[str, Any]) -> None:
    assert "offer-untertitel" in keys("subtitles", mode="keyword")
    assert "need-archiv" in keys("AI", mode="keyword")
    assert "offer-untertitel" in keys("künstliche Intelligenz", mode="keyword")  # "KI-Untertitel"


def test_manager_synonyms_apply_without_reindex(
    network: dict[str, Any], committed: Callable[..., Any]
) -> None:
    assert keys("Schauspielhaus", mode="keyword") == []
    with committed():
        Synonym.objects.create(phrases="Schauspielhaus | Theater")
    assert keys("Schauspielhaus", mode="keyword")[0] == "theater"


def test_typos_are_tolerated(network: dict[str, Any]) -> None:
    result = search("Untertitlungssoftwre", mode="keyword")
    assert result.hits
    assert result.hits[0].key == "nordlicht"
    assert keys("Datenschuts", mode="keyword")[0] == "rechtsrat"


def test_snippet_highlights_and_escapes(committed: Callable[..., Any]) -> None:
    with committed():
        create_organisation(
            name="Skript <Kollektiv>",
            kind="agency",
            key="skript",
            short_description="<script>alert(1)</script> Untertitel & Übersetzung",
        )
    hit = search("Übersetzung")
    assert hit.hits[0].key == "skript"
    snippet = hit.hits[0].snippet
    assert "<script>" not in snippet
    assert "&lt;script&gt;" in snippet
    assert "<mark>Übersetzung</mark>" in snippet


def test_snippet_leaves_out_markdown(committed: Callable[..., Any], client: Any) -> None:
    """Descriptions are Markdown; a snippet shows their text, not the markup."""
    with committed():
        create_organisation(
            name="Hafenarchiv",
            kind="agency",
            key="hafenarchiv",
            description="## Angebot\n\nWir **digitalisieren** "
            "[Filmarchive](https://example.org/filme) und _erschließen_ sie:\n\n"
            "- Untertitelung\n- `OCR`",
        )
    snippet = search("digitalisieren").hits[0].snippet
    assert "<mark>digitalisieren</mark>" in snippet
    assert "Angebot Wir" in " ".join(snippet.split())
    for markup in ("**", "##", "](", "example.org", "_erschließen_", "`", "- "):
        assert markup not in snippet, markup
    # The directory's rows show the same snippet.
    page = client.get("/verzeichnis/organisationen/", {"q": "Untertitelung"}).content.decode()
    shown = page.split('class="search-snippet">', 1)[1].split("</p>", 1)[0]
    assert "<mark>Untertitelung</mark>" in shown
    assert "OCR" in shown
    assert "**" not in shown
    assert "`" not in shown


def test_types_limit_offset_and_modes(network: dict[str, Any]) -> None:
    assert {h.type for h in search("Untertitel", types={"offer"}).hits} == {"offer"}
    everything = keys("Untertitel", limit=10)
    assert keys("Untertitel", limit=1, offset=1) == everything[1:2]
    for mode in ("keyword", "semantic", "hybrid"):
        assert search("Untertitel", mode=mode).hits, mode


def test_semantic_type_filter_after_incremental_updates(
    network: dict[str, Any], committed: Callable[..., Any]
) -> None:
    """The vector matrix is grouped by type and only the wanted types are scored;
    entries added after it was loaded (appended rows) are found and filtered too."""
    assert search("Untertitel", mode="semantic").hits  # loads the matrix
    with committed():
        create_organisation(
            name="Untertitel Studio Nord",
            kind="agency",
            key="studio-nord",
            short_description="Untertitel und Untertitelungssoftware.",
        )
        create_listing(
            Offer,
            organisation=network["privacy"],
            title="Untertitel Service",
            kind="service",
            key="offer-service",
            description="Untertitel für Sender.",
        )
    for types in ({"organisation"}, {"offer"}, {"organisation", "offer"}, {"need", "offer"}):
        hits = search("Untertitel", mode="semantic", types=types).hits
        assert hits, types
        assert {hit.type for hit in hits} <= types, types
    assert "studio-nord" in keys("Untertitel", mode="semantic", types={"organisation"})
    assert "offer-service" in keys("Untertitel", mode="semantic", types={"offer"})
    assert search("Untertitel", mode="semantic", types={"person"}).hits == []


def test_capped_matches_add_title_matches(
    network: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond the candidate cap a title-only pass (its own index on PostgreSQL) adds the
    entries named after the query, scored like the rest."""
    from lotse.search import index

    parsed = analysis.get_analyzer().parse("Untertitel")
    titles = index._capped_matches(parsed, "AND", None, False, title_only=True)
    named = SearchDocument.objects.filter(id__in=titles).values_list("key", flat=True)
    assert set(named) == {"nordlicht", "offer-untertitel"}  # not the descriptions' matches
    assert all(score > 0 for score in titles.values())
    monkeypatch.setattr(index, "CANDIDATE_CAP", 1)  # every query now reaches the cap
    found = keys("Untertitel", mode="keyword")
    assert found
    assert found[0] in {"nordlicht", "offer-untertitel"}


def test_hidden_and_members_only_people(committed: Callable[..., Any]) -> None:
    with committed():
        create_person(name="Hanna Verborgen", key="hanna", visibility="hidden")
        create_person(name="Mia Mitglied", key="mia", visibility="members")
        create_person(
            name="Paul Public",
            key="paul",
            bio="Geheimes Steckenpferd Origami",
            field_visibility={"bio": "members"},
        )
    assert keys("Hanna") == []
    assert keys("Mia") == []
    assert keys("Mia", members=True) == ["mia"]
    assert keys("Paul") == ["paul"]
    assert keys("Origami") == []


def test_autocomplete(network: dict[str, Any]) -> None:
    titles = [s["title"] for s in autocomplete("Nordl")]
    assert titles == ["Nordlicht Untertitel GmbH"]
    assert [s["key"] for s in autocomplete("theater ha")] == ["theater"]
    assert autocomplete("") == []
    assert autocomplete('"*) OR (') == []


@pytest.mark.parametrize(
    "query",
    [
        "",
        "x" * 10_000,
        "Untertitel " * 1500,
        '"Untertitel',
        "Untertitel* OR NEAR(a b) NOT -x ^y",
        "title_tokens: {body_tokens} : foo",
        "'; DROP TABLE search_searchdocument; --",
        "1 OR 1=1; SELECT * FROM auth_user",
        "🤖🎬🎞️",
        "Привет KI 日本語 العربية Untertitel",
        "\x00\x01\ufffd",
    ],
)
def test_bad_queries_never_raise(network: dict[str, Any], query: str) -> None:
    for mode in ("hybrid", "keyword", "semantic"):
        result = search(query, mode=mode)
        assert isinstance(result.hits, list)
        if not result.hits:
            assert result.message
    assert SearchDocument.objects.count() == 5


def test_search_command_prints_json(network: dict[str, Any]) -> None:
    out = StringIO()
    call_command("search", "Untertitelungssoftware", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["hits"][0]["key"] == "nordlicht"
    assert set(payload["hits"][0]) >= {"type", "key", "title", "score"}


def test_reindex_command_rebuilds(network: dict[str, Any]) -> None:
    SearchDocument.objects.all().delete()
    assert keys("Untertitel") == []
    out = StringIO()
    call_command("reindex", "--no-progress", stdout=out, stderr=StringIO())
    assert "organisation: 3" in out.getvalue()
    assert keys("Untertitelungssoftware")[0] == "nordlicht"


def test_imported_entries_are_searchable(committed: Callable[..., Any]) -> None:
    """Bulk imports bypass save signals; the import's own signal indexes them."""
    from lotse.ecosystem.domain.imports import import_directory
    from lotse.search.selectors import search

    data = (
        "key,kind,name,short_description\n"
        "werftklang,startup,Werftklang Audio,Automatische Untertitelung für Podcasts\n"
    ).encode()
    with committed():
        report = import_directory(data, filename="orgs.csv", entity="organisations")
    assert report.ok
    hits = search("Untertitelung Podcast").hits
    assert [hit.key for hit in hits] == ["werftklang"]
