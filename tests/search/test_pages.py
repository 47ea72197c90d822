"""The engine in the directory, the autocomplete fragment, the global search page, jobs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse

from lotse.ecosystem.domain.listings import create_listing
from lotse.ecosystem.domain.organisations import create_organisation
from lotse.ecosystem.domain.people import create_person
from lotse.ecosystem.models import Offer, Organisation
from lotse.search import tasks
from lotse.search.index import embed_missing, rebuild, vectors
from lotse.search.models import SearchDocument
from lotse.search.selectors import filter_queryset, search

pytestmark = pytest.mark.django_db


class ConstantEmbedder:
    """Every text is equally similar: semantic search finds everything, keyword nothing."""

    name = "constant"
    dimension = 4

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.tile(np.array([[0.5, 0.5, 0.5, 0.5]], dtype=np.float32), (len(texts), 1))


@pytest.fixture
def network(committed: Callable[..., Any]) -> dict[str, Any]:
    with committed():
        orgs = {
            "subtitles": create_organisation(
                name="Nordlicht Untertitel GmbH",
                kind="ai_company",
                key="nordlicht",
                city="Hamburg",
                short_description="Wir entwickeln Untertitelungssoftware für Sender.",
            ),
            "mentions": create_organisation(
                name="Hafenkante Verlag",
                kind="media_house",
                key="hafenkante",
                short_description="Verlag, der Untertitel für Hörbücher sucht.",
            ),
            "other": create_organisation(
                name="Theater am Hafen", kind="cultural_organisation", key="theater"
            ),
        }
        for index in range(8):
            create_organisation(name=f"Füllfirma {index}", kind="agency", key=f"fill-{index}")
        offer = create_listing(
            Offer,
            organisation=orgs["subtitles"],
            title="Untertitel-Service",
            kind="service",
            key="offer-untertitel",
            description="Automatische Untertitel in Deutsch und Englisch.",
        )
        expired = create_listing(
            Offer,
            organisation=orgs["other"],
            title="Alte Untertitel-Aktion",
            kind="service",
            key="offer-alt",
        )
        create_person(name="Mira Untertitel", key="mira", visibility="members")
    Offer.objects.filter(pk=expired.pk).update(expires_on=dt.date(2000, 1, 1))
    return {**orgs, "offer": offer}


# --- the directory seam --------------------------------------------------------------
def test_directory_narrows_and_ranks_by_relevance(client: Client, network: dict[str, Any]) -> None:
    response = client.get(reverse("ecosystem:organisation_list"), {"q": "Untertitelungssoftware"})
    names = [o.name for o in response.context["page"].object_list]
    assert names[0] == "Nordlicht Untertitel GmbH"
    assert "Füllfirma 0" not in names
    assert response.context["directory"].sort == "relevance"
    assert response.context["sorts"][0] == "relevance"
    content = response.content.decode()
    assert '<option value="relevance"' in content
    # The snippet shows why it matched, with the matched word marked.
    assert "<mark>Untertitelungssoftware</mark>" in content


def test_directory_other_sorts_still_apply_with_a_query(
    client: Client, network: dict[str, Any]
) -> None:
    response = client.get(
        reverse("ecosystem:organisation_list"), {"q": "Untertitel", "sort": "name"}
    )
    names = [o.name for o in response.context["page"].object_list]
    assert names == sorted(names)
    assert {"Hafenkante Verlag", "Nordlicht Untertitel GmbH"} <= set(names)


def test_directory_without_query_has_no_relevance_sort(
    client: Client, network: dict[str, Any]
) -> None:
    response = client.get(reverse("ecosystem:organisation_list"), {"sort": "relevance"})
    assert response.status_code == 200
    assert "relevance" not in response.context["sorts"]
    assert response.context["directory"].sort == "name"


def test_filter_queryset_keeps_the_querysets_own_rules(network: dict[str, Any]) -> None:
    base = Organisation.objects.exclude(key="nordlicht")
    found = list(filter_queryset(base, "Untertitel", entity="organisation"))
    assert [o.key for o in found] == ["hafenkante"]
    assert found[0].search_rank >= 0  # type: ignore[attr-defined]


def test_filter_queryset_hands_over_its_ids_only_when_they_are_the_result(
    network: dict[str, Any],
) -> None:
    """The facets reuse the ids of a search over the whole table; a queryset with
    rules of its own (or a further filter) must not pass on ids it does not match."""
    whole = filter_queryset(Organisation.objects.all(), "Untertitel", entity="organisation")
    handed = set(getattr(whole, "matched_ids"))  # noqa: B009 - set by filter_queryset
    assert handed == set(whole.values_list("pk", flat=True))
    wanted = Organisation.objects.filter(key__in=["hafenkante", "nordlicht"])
    assert handed == set(wanted.values_list("pk", flat=True))
    narrowed = filter_queryset(
        Organisation.objects.exclude(key="nordlicht"), "Untertitel", entity="organisation"
    )
    assert not hasattr(narrowed, "matched_ids")
    assert not hasattr(whole.filter(verified=True), "matched_ids")


def test_keyword_matches_of_one_type_only(network: dict[str, Any]) -> None:
    """The type condition inside the full-text match (migration 0008) keeps the
    other types' documents out, in the directory's match and in the title pass."""
    from django.db import connection

    from lotse.search import analysis, index

    parsed = analysis.get_analyzer().parse("Untertitel")
    sql, params = index.keyword_match_sql(
        parsed, entity="organisation", members=True, standalone=True
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pks = sorted(row[0] for row in cursor.fetchall())
    organisations = Organisation.objects.filter(key__in=["hafenkante", "nordlicht"])
    assert pks == sorted(organisations.values_list("pk", flat=True))

    def title_matches(entity: str) -> set[str]:
        ids = index._capped_matches(parsed, "AND", {entity}, True, title_only=True)
        docs = SearchDocument.objects.filter(id__in=ids)
        assert set(docs.values_list("entity_type", flat=True)) <= {entity}
        return set(docs.values_list("key", flat=True))

    assert title_matches("organisation") == {"nordlicht"}
    assert title_matches("person") == {"mira"}
    assert "offer-untertitel" in title_matches("offer")
    assert title_matches("need") == set()


def test_filter_queryset_falls_back_to_icontains_before_the_first_build() -> None:
    create_organisation(name="Ohne Index GmbH", kind="agency", key="ohne")  # never committed
    assert not SearchDocument.objects.exists()
    found = filter_queryset(Organisation.objects.all(), "index", entity="organisation")
    assert [o.key for o in found] == ["ohne"]


def test_directory_listing_snippets_and_visibility(
    client: Client, network: dict[str, Any]
) -> None:
    response = client.get(reverse("ecosystem:offer_list"), {"q": "Untertitel"})
    keys = [o.key for o in response.context["page"].object_list]
    assert keys == ["offer-untertitel"]  # the expired offer stays hidden
    assert "<mark>" in response.content.decode()


def test_directory_search_costs_a_bounded_number_of_queries(
    client: Client,
    network: dict[str, Any],
    committed: Callable[..., Any],
    django_assert_max_num_queries: Any,
) -> None:
    url = reverse("ecosystem:organisation_list")
    client.get(url, {"q": "Untertitel"})
    with django_assert_max_num_queries(30) as few:
        client.get(url, {"q": "Untertitel"})
    baseline = len(few.captured_queries)
    with committed():
        for index in range(15):
            create_organisation(
                name=f"Untertitel Nummer {index}", kind="agency", key=f"mehr-{index}"
            )
    client.get(url, {"q": "Untertitel"})  # the analyser and vectors load what is new, once
    with django_assert_max_num_queries(baseline):
        response = client.get(url, {"q": "Untertitel"})
    assert response.context["page"].paginator.count == 17


# --- autocomplete ----------------------------------------------------------------------
def test_suggestions_fragment_is_an_accessible_listbox(
    client: Client, network: dict[str, Any]
) -> None:
    response = client.get(
        reverse("search:suggestions"), {"q": "Nordl", "listbox": "home-q-suggestions"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert '<ul id="home-q-suggestions" class="suggestions" role="listbox"' in content
    assert 'role="option"' in content
    assert 'href="/verzeichnis/organisationen/nordlicht/"' in content
    assert "<html" not in content


def test_suggestions_by_type_and_odd_input(client: Client, network: dict[str, Any]) -> None:
    url = reverse("search:suggestions")
    content = client.get(url, {"q": "Untert", "type": "offer"}).content.decode()
    assert "/angebote/offer-untertitel/" in content
    assert "nordlicht" not in content
    for odd in ["", "   ", '"', "a" * 5000, "' OR 1=1 --", "🙂", "\x00"]:
        response = client.get(url, {"q": odd, "listbox": '"><script>'})
        assert response.status_code == 200
        assert "<script>" not in response.content.decode()
    empty = client.get(url, {"q": "zzzz"}).content.decode()
    assert "hidden" in empty
    assert 'role="option"' not in empty


def test_search_boxes_carry_the_combobox(client: Client, network: dict[str, Any]) -> None:
    for url in (reverse("core:home"), reverse("ecosystem:organisation_list")):
        content = client.get(url).content.decode()
        assert 'role="combobox"' in content
        assert f'hx-get="{reverse("search:suggestions")}"' in content
        assert "lotse/js/search.js" in content
        assert "<script>" not in content  # no inline script (CSP)


# --- the global search page -------------------------------------------------------------
def test_search_page_across_types_with_filter(client: Client, network: dict[str, Any]) -> None:
    url = reverse("search:search")
    response = client.get(url, {"q": "Untertitel"})
    assert response.status_code == 200
    types = {hit.type for hit in response.context["result"].hits}
    assert {"organisation", "offer"} <= types
    content = response.content.decode()
    assert "<mark>" in content
    only_offers = client.get(url, {"q": "Untertitel", "type": "offer"}).context["result"]
    assert {hit.type for hit in only_offers.hits} == {"offer"}
    assert [hit.key for hit in only_offers.hits] == ["offer-untertitel"]  # expired one hidden


def test_search_page_members_only_people_need_a_login(
    client: Client, network: dict[str, Any], make_user: Callable[..., Any]
) -> None:
    url = reverse("search:search")
    anonymous = client.get(url, {"q": "Mira"}).context["result"]
    assert "mira" not in [hit.key for hit in anonymous.hits]
    client.force_login(make_user())
    member = client.get(url, {"q": "Mira"}).context["result"]
    assert "mira" in [hit.key for hit in member.hits]


def test_search_page_messages(client: Client, network: dict[str, Any]) -> None:
    url = reverse("search:search")
    first = client.get(url)
    assert first.status_code == 200
    assert first.context["result"] is None
    nothing = client.get(url, {"q": "Quantenchromodynamik"})
    assert "Keine Treffer" in nothing.content.decode()
    for odd in ['"', "NEAR(", "a" * 10_000, "🙂🎬", "' OR 1=1 --", "КИ 人工智能"]:
        assert client.get(url, {"q": odd, "page": "x", "type": "bogus"}).status_code == 200


def test_search_page_says_when_there_is_no_good_answer(
    client: Client, settings: Any, committed: Callable[..., Any]
) -> None:
    settings.LOTSE_EMBEDDER = "tests.search.test_pages.ConstantEmbedder"
    vectors.invalidate()
    with committed():
        create_organisation(name="Theater am Hafen", kind="cultural_organisation", key="t")
    response = client.get(reverse("search:search"), {"q": "Quantenchromodynamik"})
    result = response.context["result"]
    assert result.hits
    assert result.exact == 0
    assert "data-no-good-answer" in response.content.decode()


# --- jobs and index stages ---------------------------------------------------------------
def test_index_updates_go_through_the_task_queue(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()  # type: ignore[attr-defined]
    with django_capture_on_commit_callbacks(execute=True):
        organisation = create_organisation(name="Warteschlange AG", kind="agency", key="queue")
    assert not SearchDocument.objects.exists()  # nothing indexed in the request
    results = default_task_backend.results  # type: ignore[attr-defined]
    assert [r.task.name for r in results] == ["update_search_index"]
    assert results[0].args == [[["organisation", organisation.pk]]]
    tasks.update_search_index.call(*results[0].args)
    assert search("Warteschlange").hits[0].key == "queue"


def test_keyword_stage_first_then_resumable_semantic_pass(network: dict[str, Any]) -> None:
    counts = rebuild(semantic=False)
    assert counts["organisation"] == 11
    assert not SearchDocument.objects.exclude(embedding=None).exists()
    assert search("Untertitelungssoftware", mode="keyword").hits[0].key == "nordlicht"
    assert embed_missing(limit=5) == 5
    missing = SearchDocument.objects.filter(embedding=None).count()
    assert missing == SearchDocument.objects.count() - 5
    embed_missing()
    assert not SearchDocument.objects.filter(embedding=None).exists()
    vectors.invalidate()
    assert search("Untertitelungssoftware", mode="semantic").hits
