"""Facet values carried by the search index (``SearchDocument.facets``).

A directory query counts its matches' facets from the values the match
returned; these tests hold that path to the same page as counting in SQL, and
the values to the directory's own data as it changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lotse.ecosystem import selectors as directory_selectors
from lotse.ecosystem.domain.listings import create_listing
from lotse.ecosystem.domain.organisations import create_organisation, update_organisation
from lotse.ecosystem.domain.people import create_person
from lotse.ecosystem.models import Offer, Organisation, Term
from lotse.search import selectors as search_selectors
from lotse.search.documents import FACET_SEPARATOR
from lotse.search.models import SearchDocument
from lotse.search.selectors import clear_match_cache, filter_queryset

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(committed: Callable[..., Any], term: Callable[[str], Term]) -> dict[str, Any]:
    subtitles, personal = term("spracherkennung-untertitelung"), term("empfehlung-personalisierung")
    film, press = term("film"), term("presse")
    with committed():
        orgs = {
            "werk": create_organisation(
                name="Untertitel-Werk GmbH",
                kind="ai_company",
                key="werk",
                region="Hamburg",
                short_description="Automatische Untertitel für Sender und Archive.",
                topics=[subtitles],
                sectors=[film],
            ),
            "verlag": create_organisation(
                name="Nordpresse Verlag",
                kind="media_house",
                key="verlag",
                region="Schleswig-Holstein",
                short_description="Verlag mit Untertitel-Archiv und Personalisierung.",
                topics=[personal, subtitles],
                sectors=[press],
            ),
            "studio": create_organisation(
                name="Bildwerk Studio",
                kind="production_studio",
                key="studio",
                short_description="Studio, das Untertitel für Kurzfilme braucht.",
                topics=[personal],
            ),
        }
        for index in range(6):
            create_organisation(
                name=f"Untertitel-Agentur {index}",
                kind="agency",
                key=f"agentur-{index}",
                region="Hamburg" if index % 2 else "Bayern",
                topics=[subtitles] if index % 3 else [],
            )
        create_organisation(name="Ganz Anders e. V.", kind="network", key="anders")
        offer = create_listing(
            Offer,
            organisation=orgs["werk"],
            title="Untertitel-Service",
            kind="service",
            key="service",
            topics=[subtitles],
            data_residency="eu_cloud",
        )
        create_person(name="Mira Untertitel", key="mira", expertise=[subtitles])
    return {**orgs, "offer": offer, "subtitles": subtitles, "personal": personal}


def _tokens(entity_type: str, key: str) -> set[str]:
    facets = SearchDocument.objects.get(entity_type=entity_type, key=key).facets
    assert facets is not None
    assert facets.startswith(FACET_SEPARATOR)
    assert facets.endswith(FACET_SEPARATOR)
    return set(facets.strip(FACET_SEPARATOR).split(FACET_SEPARATOR))


def test_documents_carry_their_facet_values(network: dict[str, Any]) -> None:
    assert _tokens("organisation", "verlag") == {
        "kind=media_house",
        "region=Schleswig-Holstein",
        "topics__slug=empfehlung-personalisierung",
        "topics__slug=spracherkennung-untertitelung",
        "sectors__slug=presse",
    }
    # No region, no sector: no token for them (not an empty one).
    assert _tokens("organisation", "studio") == {
        "kind=production_studio",
        "topics__slug=empfehlung-personalisierung",
    }
    assert _tokens("offer", "service") >= {
        "kind=service",
        "data_residency=eu_cloud",
        "topics__slug=spracherkennung-untertitelung",
    }
    # People carry none: their directory counts through visibility rules.
    assert SearchDocument.objects.get(entity_type="person", key="mira").facets is None


def test_facet_values_follow_the_directory(
    network: dict[str, Any], committed: Callable[..., Any]
) -> None:
    with committed():
        update_organisation(network["werk"], topics=[network["personal"]], region="Bremen")
    tokens = _tokens("organisation", "werk")
    assert "topics__slug=empfehlung-personalisierung" in tokens
    assert "topics__slug=spracherkennung-untertitelung" not in tokens
    assert "region=Bremen" in tokens
    # A term's new slug reaches every document that carries it.
    with committed():
        term = network["personal"]
        term.slug = "personalisierung-neu"
        term.save()
    assert "topics__slug=personalisierung-neu" in _tokens("organisation", "studio")


def test_filter_queryset_hands_over_the_matches_facet_values(network: dict[str, Any]) -> None:
    whole = filter_queryset(Organisation.objects.all(), "Untertitel", entity="organisation")
    carried = getattr(whole, "matched_facets")  # noqa: B009 - set by filter_queryset
    matched = set(whole.values_list("pk", flat=True))
    assert set(carried.texts) == matched
    assert "topics__slug" in carried.lookups
    assert "offers__data_residency" not in carried.lookups  # another entity's value
    werk, verlag = network["werk"], network["verlag"]
    assert carried.having("kind", ["ai_company", "media_house"]) == {werk.pk, verlag.pk}
    # A value is matched whole, not as the start of a longer one.
    assert carried.having("topics__slug", ["spracherkennung"]) == set()
    tally = carried.tally([werk.pk, verlag.pk])
    assert tally["topics__slug=spracherkennung-untertitelung"] == 2
    assert tally["region=Hamburg"] == 1
    narrowed = whole.filter(verified=True)
    assert not hasattr(narrowed, "matched_facets")


PARAMS = [
    {"q": "Untertitel"},
    {"q": "Untertitel", "topic": "spracherkennung-untertitelung"},
    {"q": "Untertitel", "topic": "spracherkennung-untertitelung", "region": "Hamburg"},
    {"q": "Untertitel", "kind": "agency", "sector": "film"},
    {"q": "Untertitel", "kind": ["agency", "media_house"], "residency": "eu_cloud"},
    {"q": "Untertitel", "topic": "gibt-es-nicht"},
]


def _page(client: Client, params: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    response = client.get(reverse("ecosystem:organisation_list"), params)
    assert response.status_code == 200
    names = [o.name for o in response.context["page"].object_list]
    facets = response.context["directory"].facets
    return names, {f.param: {o.value: (o.count, o.selected) for o in f.options} for f in facets}


@pytest.mark.parametrize("params", PARAMS)
def test_carried_values_count_like_sql(
    client: Client,
    network: dict[str, Any],
    params: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same page whether the facets are counted from the carried values or in SQL;
    and with carried values, SQL counts only the facet they do not carry."""
    counted_in_sql: list[str] = []
    count_among = directory_selectors._count_facet_among

    def spy(model: Any, spec: Any, ids: Any) -> dict[str, int]:
        counted_in_sql.append(spec.param)
        return count_among(model, spec, ids)

    monkeypatch.setattr(directory_selectors, "_count_facet_among", spy)
    carried = _page(client, params)
    assert set(counted_in_sql) <= {"residency"}

    monkeypatch.setattr(search_selectors, "_matched_facets", lambda *args: None)
    clear_match_cache()
    counted_in_sql.clear()
    in_sql = _page(client, params)
    assert {"kind", "topic"} <= set(counted_in_sql)
    assert carried == in_sql


def test_counts_from_carried_values(client: Client, network: dict[str, Any]) -> None:
    names, counts = _page(client, {"q": "Untertitel", "topic": "spracherkennung-untertitelung"})
    # werk, verlag and agencies 1, 2, 4, 5 have the topic; the studio has not.
    assert len(names) == 6
    assert "Bildwerk Studio" not in names
    assert counts["topic"]["spracherkennung-untertitelung"] == (6, True)
    assert counts["topic"]["empfehlung-personalisierung"] == (2, False)  # verlag, studio
    assert counts["kind"] == {
        "agency": (4, False), "ai_company": (1, False), "media_house": (1, False)
    }
    assert counts["region"] == {
        "Hamburg": (3, False), "Bayern": (2, False), "Schleswig-Holstein": (1, False)
    }
    assert counts["residency"] == {"eu_cloud": (1, False)}


def test_an_index_without_facet_values_counts_in_sql(
    client: Client, network: dict[str, Any]
) -> None:
    """An index built before the values existed (NULL) is never read as "no values"."""
    params = {"q": "Untertitel", "topic": "spracherkennung-untertitelung"}
    before = _page(client, params)
    SearchDocument.objects.filter(key="werk").update(facets=None)
    clear_match_cache()  # as after the migration: processes start afresh
    whole = filter_queryset(Organisation.objects.all(), "Untertitel", entity="organisation")
    assert hasattr(whole, "matched_ids")
    assert not hasattr(whole, "matched_facets")
    assert _page(client, params) == before
