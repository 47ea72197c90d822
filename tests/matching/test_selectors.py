"""Matchmaking against a real database: candidates, filters, reasons, people, funding."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lotse.accounts.models import User
from lotse.ecosystem.domain.listings import create_listing, update_listing
from lotse.ecosystem.domain.organisations import create_organisation
from lotse.ecosystem.models import Need, Person
from lotse.matching import domain, selectors
from lotse.matching.models import IntroductionRequest, PersonSuggestionCount
from lotse.matching.selectors import ListingFilters

from .conftest import Network, terms

pytestmark = pytest.mark.django_db


def keys(matches: list[Any]) -> list[str]:
    return [m.key for m in matches]


def test_need_to_offers_ranked_with_reasons(network: Network) -> None:
    matches = selectors.match_need(network.need)
    assert keys(matches)[0] == network.offer_onprem.key
    best = matches[0]
    assert "Gemeinsame Themen: Barrierefreiheit, Spracherkennung und Untertitelung" in best.reasons
    assert "Gleiche Branche: Pressemarkt" in best.reasons
    assert "Datenhaltung „On-Premise (eigene Server)“ gefordert und erfüllt" in best.reasons
    assert "Gemeinsame Sprache: Deutsch" in best.reasons
    assert "„KI-Produkt“ passt zum Bedarf „Lösung“" in best.reasons
    cloud = next(m for m in matches if m.key == network.offer_cloud.key)
    assert any("nicht zugesagt" in c for c in cloud.caveats)
    assert "Keine gemeinsame Sprache angegeben" in cloud.caveats
    assert best.score > cloud.score
    # Scores are ordered and within [0, 1]; an offer with no shared term is not a candidate.
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert all(0 <= m.score <= 1 for m in matches)
    assert network.offer_unrelated.key not in keys(matches)


def test_user_filters(network: Network) -> None:
    only_consulting = selectors.match_need(
        network.need, ListingFilters.from_params({"kind": ["consulting"]}, entity="offer")
    )
    assert keys(only_consulting) == [network.offer_consulting.key]
    on_prem = selectors.match_need(
        network.need, ListingFilters.from_params({"residency": "on_premise"}, entity="offer")
    )
    assert keys(on_prem) == [network.offer_onprem.key]
    english = selectors.match_need(
        network.need, ListingFilters.from_params({"language": "en"}, entity="offer")
    )
    assert set(keys(english)) == {network.offer_onprem.key, network.offer_cloud.key}
    hamburg = selectors.match_need(
        network.need, ListingFilters.from_params({"region": "Hamburg"}, entity="offer")
    )
    # Hamburg's own studio, plus the offer that works nationwide.
    assert set(keys(hamburg)) == {network.offer_consulting.key, network.offer_onprem.key}
    strict = selectors.match_need(
        network.need, ListingFilters.from_params({"min_score": "80"}, entity="offer", percent=True)
    )
    assert keys(strict) == [network.offer_onprem.key]


def test_bad_filter_input_is_ignored() -> None:
    filters = ListingFilters.from_params(
        {
            "kind": ["'; DROP TABLE x", "product"],
            "residency": "mars",
            "language": "1' OR",
            "min_score": "viel",
            "limit": "10000",
            "region": "x" * 500,
        },
        entity="offer",
    )
    assert filters.kinds == ("product",)
    assert ListingFilters.from_params({"min_score": "0.5"}, entity="offer").min_score == 0.5
    assert ListingFilters.from_params({"min_score": "1"}, entity="offer").min_score == 1.0
    one_percent = ListingFilters.from_params({"min_score": "1"}, entity="offer", percent=True)
    assert one_percent.min_score == 0.01
    assert filters.residency == ""
    assert filters.language == ""
    assert filters.min_score == 0.0
    assert filters.limit == selectors.MAX_LIMIT
    assert len(filters.region) == 100


def test_unpublished_and_own_offers_are_not_suggested(network: Network) -> None:
    update_listing(network.offer_onprem, status="draft")
    own = create_listing(
        type(network.offer_onprem),
        organisation=network.hafen,
        title="Eigenes Angebot",
        kind="product",
        topics=terms("spracherkennung-untertitelung"),
    )
    result = keys(selectors.match_need(network.need))
    assert network.offer_onprem.key not in result
    assert own.key not in result


def test_offer_to_needs(network: Network) -> None:
    matches = selectors.match_offer(network.offer_onprem)
    assert keys(matches) == [network.need.key]
    assert "Datenhaltung „On-Premise (eigene Server)“ gefordert und erfüllt" in matches[0].reasons


def test_candidate_generation_uses_the_term_index(network: Network) -> None:
    """Candidates come from the through tables filtered by the need's terms."""
    with CaptureQueriesContext(connection) as queries:
        selectors.match_need(network.need)
    through = [q["sql"] for q in queries if "ecosystem_offer_topics" in q["sql"]]
    assert through
    assert "term_id" in through[0]
    assert len(queries) < 15


def test_semantic_similarity_joins_when_the_index_has_vectors(
    network: Network, monkeypatch: Any
) -> None:
    vectors = {
        ("need", network.need.pk): [1.0, 0.0],
        ("offer", network.offer_cloud.pk): [1.0, 0.0],
        ("offer", network.offer_onprem.pk): [0.0, 1.0],
    }

    def fake(entity_type: str, pks: Any) -> dict[int, Any]:
        import numpy as np

        return {
            pk: np.asarray(vectors[(entity_type, pk)], dtype=np.float32)
            for pk in pks
            if (entity_type, pk) in vectors
        }

    monkeypatch.setattr(selectors, "_embeddings", fake)
    matches = {m.key: m for m in selectors.match_need(network.need)}
    assert matches[network.offer_cloud.key].components["semantic"] == 1.0
    assert matches[network.offer_onprem.key].components["semantic"] == 0.0
    assert "Die Beschreibungen ähneln sich inhaltlich." in matches[network.offer_cloud.key].reasons


def test_match_command_prints_json(network: Network) -> None:
    out = StringIO()
    call_command("match", need=network.need.key, json=True, stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["subject"] == {"type": "need", "key": network.need.key}
    first = payload["results"][0]
    assert first["key"] == network.offer_onprem.key
    assert first["type"] == "offer"
    assert 0 < first["score"] <= 1
    assert first["reasons"]
    out = StringIO()
    call_command("match", offer=network.offer_onprem.key, stdout=out)
    assert "Untertitel für Lokalvideos" in out.getvalue()
    with pytest.raises(CommandError, match="nicht gefunden"):
        call_command("match", need="gibt-es-nicht", json=True)


# --- People ----------------------------------------------------------------------------


@pytest.fixture
def trio(person_for: Callable[..., User], db: None) -> dict[str, Person]:
    """me: offers subtitles, needs marketing.  mutual: the reverse.  one_sided: offers
    marketing, needs music."""

    def org_with_need(name: str, need_slug: str) -> Any:
        org = create_organisation(name=name, kind="agency", region="Hamburg")
        create_listing(
            Need, organisation=org, title=f"{name} sucht", kind="expert", topics=terms(need_slug)
        )
        return org

    me = person_for(
        "me@example.org",
        org_with_need("Meine GmbH", "pr-social-media"),
        expertise=terms("spracherkennung-untertitelung"),
    )
    mutual = person_for(
        "mutual@example.org",
        org_with_need("Gegenseitig", "spracherkennung-untertitelung"),
        expertise=terms("pr-social-media"),
    )
    one_sided = person_for(
        "one@example.org",
        org_with_need("Einseitig", "audiogenerierung"),
        expertise=terms("pr-social-media"),
    )
    return {
        name: Person.objects.get(user=user)
        for name, user in {"me": me, "mutual": mutual, "one_sided": one_sided}.items()
    }


def test_people_reciprocal(trio: dict[str, Person]) -> None:
    user = trio["me"].user
    matches = selectors.match_person(user, trio["me"])
    assert keys(matches)[:2] == [trio["mutual"].key, trio["one_sided"].key]
    best = matches[0]
    assert "Bringt mit, was Sie suchen: Öffentlichkeitsarbeit und Social Media" in best.reasons
    assert "Sucht, was Sie mitbringen: Spracherkennung und Untertitelung" in best.reasons
    assert best.extra["backward"] > matches[1].extra["backward"]


def test_people_capacity_limits(trio: dict[str, Person], settings: Any) -> None:
    me, mutual = trio["me"], trio["mutual"]
    # Many unanswered requests push the popular person down.
    for n in range(12):
        sender = User.objects.create_user(email=f"fan{n}@example.org", password="x")
        sender_person = Person.objects.create(key=f"fan-{n}", name=f"Fan {n}", user=sender)
        IntroductionRequest.objects.create(
            sender=sender, sender_person=sender_person, recipient=mutual, message="Hallo " * 5
        )
    matches = selectors.match_person(me.user, me)
    assert keys(matches)[0] == trio["one_sided"].key
    assert any("viele offene Anfragen" in c for c in matches[1].caveats)
    # Once suggested often enough today, a person is left out for the rest of the day.
    settings.LOTSE_PERSON_SUGGESTIONS_PER_DAY = 2
    domain.record_person_suggestions([mutual.pk])
    domain.record_person_suggestions([mutual.pk])
    assert PersonSuggestionCount.objects.get(person=mutual).count == 2
    assert mutual.key not in keys(selectors.match_person(me.user, me))


def test_people_respect_visibility(trio: dict[str, Person]) -> None:
    mutual = trio["mutual"]
    mutual.visibility = "members"
    mutual.save()
    assert mutual.key not in keys(selectors.match_person(AnonymousUser(), trio["me"]))
    assert mutual.key in keys(selectors.match_person(trio["me"].user, trio["me"]))


# --- Funding ---------------------------------------------------------------------------


def test_startup_investor_matching(db: None) -> None:
    startup = create_organisation(
        name="Tonspur Start-up", kind="startup", region="Hamburg", sectors=terms("film")
    )
    fund = create_organisation(name="Elbe Seed Fonds", kind="investor", region="Hamburg")
    late = create_organisation(name="Growth Capital", kind="investor", region="Bayern")
    domain.save_funding_profile(startup, role="startup", stages=["seed"], amount_sought_eur=750_000)
    domain.save_funding_profile(
        fund,
        role="investor",
        stages=["pre_seed", "seed"],
        ticket_min_eur=200_000,
        ticket_max_eur=1_000_000,
        sectors=terms("film", "musik"),
        regions=["Hamburg"],
    )
    domain.save_funding_profile(
        late,
        role="investor",
        stages=["series_b_plus"],
        ticket_min_eur=10_000_000,
        ticket_max_eur=50_000_000,
        regions=["Bayern"],
    )
    matches = selectors.match_funding(startup)
    assert keys(matches) == [fund.key, late.key]
    assert "Phase passt: Seed" in matches[0].reasons
    assert "Gesuchter Betrag 750.000 € liegt in der Ticketgröße" in matches[0].reasons
    assert "Branchenfokus: Filmwirtschaft" in matches[0].reasons
    assert "Region im Fokus: Hamburg" in matches[0].reasons
    assert matches[1].score < 0.3
    # And the other way round: the fund sees the start-up.
    assert keys(selectors.match_funding(fund)) == [startup.key]


def test_funding_profile_validation(db: None) -> None:
    from django.core.exceptions import ValidationError

    org = create_organisation(name="X", kind="startup")
    with pytest.raises(ValidationError):
        domain.save_funding_profile(org, role="startup", stages=["seed", "series_a"])
    with pytest.raises(ValidationError):
        domain.save_funding_profile(org, role="investor", ticket_min_eur=5, ticket_max_eur=1)
    with pytest.raises(ValidationError):
        domain.save_funding_profile(org, role="startup", stages=["mond"])


def test_visibility_condition_agrees_with_access(trio: dict[str, Person], manager: User) -> None:
    from lotse.ecosystem import access
    from lotse.ecosystem.models import Membership

    hidden = trio["one_sided"]
    hidden.visibility = "hidden"
    hidden.save()
    members_only = trio["mutual"]
    members_only.visibility = "members"
    members_only.save()
    for user in (AnonymousUser(), trio["me"].user, hidden.user, manager):
        expected = set(access.visible_people(user).values_list("pk", flat=True))
        condition = selectors._visible_people_condition(user, prefix="person__")
        got = set(Membership.objects.filter(condition).values_list("person_id", flat=True)) | set(
            Person.expertise.through.objects.filter(condition).values_list("person_id", flat=True)
        )
        with_links = set(Membership.objects.values_list("person_id", flat=True)) | set(
            Person.expertise.through.objects.values_list("person_id", flat=True)
        )
        assert got == expected & with_links, user


def test_conditions_are_checked_chunk_by_chunk(network: Network, monkeypatch: Any) -> None:
    """With tiny chunks, the filter still finds the one passing offer further down."""
    monkeypatch.setattr(selectors, "CANDIDATE_LIMIT", 1)
    only_consulting = selectors.match_need(
        network.need, ListingFilters.from_params({"kind": ["consulting"]}, entity="offer")
    )
    assert keys(only_consulting) == [network.offer_consulting.key]
    assert len(selectors.match_need(network.need)) == 1


def test_rank_fairly_books_exposure_and_lifts_the_underexposed(
    network: Network, settings: Any
) -> None:
    from lotse.ecosystem.models import Offer
    from lotse.matching.models import OrganisationExposure

    # A twin of the best offer from another organisation: equally relevant.
    create_listing(
        Offer,
        organisation=network.cloud,
        title="Zwilling",
        kind="product",
        topics=terms("spracherkennung-untertitelung", "barrierefreiheit"),
        sectors=terms("presse", "rundfunk"),
        data_residency="on_premise",
        languages=["de", "en"],
        regional_scope="national",
    )
    _source, pool = selectors.listing_pool(network.need)
    first, second, weak = pool[0], pool[1], pool[-1]
    assert abs(first.score - second.score) < 1e-9
    assert weak.score < 0.6 * first.score
    shown = domain.rank_fairly(pool, k=1)
    assert [m.key for m in shown] == [first.key]
    booked = OrganisationExposure.objects.get(organisation_id=first.organisation_id)
    assert booked.exposure == 1.0
    assert booked.impressions == 1
    assert OrganisationExposure.objects.get(organisation_id=second.organisation_id).exposure == 0
    # The first organisation has now had more than its share: the twin moves up ...
    assert domain.rank_fairly(pool, k=1)[0].key == second.key
    # ... unless fairness is switched off.
    settings.LOTSE_FAIRNESS_STRENGTH = 0.0
    assert domain.rank_fairly(pool, k=1, record=False)[0].key == first.key
    # A weak match never overtakes a good one, however overexposed the good ones are.
    settings.LOTSE_FAIRNESS_STRENGTH = 1.0
    for match in pool:
        OrganisationExposure.objects.update_or_create(
            organisation_id=match.organisation_id,
            defaults={"exposure": 0.0 if match is weak else 1000.0, "merit": 0.0},
        )
    reranked = domain.rank_fairly(pool, k=len(pool), record=False)
    assert reranked[-1].key == weak.key


def test_semantic_similarity_from_the_real_search_index(network: Network, settings: Any) -> None:
    """The search app's stored embeddings feed the semantic component (hashing embedder)."""
    from lotse.search.index import update_entities

    settings.LOTSE_EMBEDDER = "lotse.search.embeddings.HashingEmbedder"
    items = [("need", network.need.pk)] + [
        ("offer", offer.pk)
        for offer in (network.offer_onprem, network.offer_cloud, network.offer_consulting)
    ]
    update_entities(items)
    matches = {m.key: m for m in selectors.match_need(network.need)}
    assert all("semantic" in m.components for m in matches.values())
    # "Untertitel…" shares words with the need's title; the consulting offer less so.
    onprem = matches[network.offer_onprem.key].components["semantic"]
    assert onprem > matches[network.offer_consulting.key].components["semantic"]


def test_needs_without_shared_terms_get_vector_neighbours(
    network: Network, settings: Any, monkeypatch: Any
) -> None:
    """A need that shares no topic finds offers through the search index's vectors."""
    from lotse.search.index import update_entities

    settings.LOTSE_EMBEDDER = "lotse.search.embeddings.HashingEmbedder"
    lonely = create_listing(
        Need,
        organisation=network.hafen,
        title="Musik Generierung für Podcasts",
        kind="solution",
        description="Musik-Generierung für unsere Podcasts",
    )
    update_entities(
        [("need", lonely.pk)]
        + [
            ("offer", o.pk)
            for o in (
                network.offer_onprem,
                network.offer_cloud,
                network.offer_consulting,
                network.offer_unrelated,
            )
        ]
    )
    monkeypatch.setattr(selectors, "FALLBACK_LIMIT", 0)  # no "newest listings" fallback
    matches = selectors.match_need(lonely)
    assert matches
    assert matches[0].key == network.offer_unrelated.key  # "Musik-Generierung"
    assert "semantic" in matches[0].components
    # Own organisation's and filtered-out offers stay out, also via the vectors.
    only_consulting = selectors.match_need(
        lonely, ListingFilters.from_params({"kind": ["consulting"]}, entity="offer")
    )
    assert network.offer_unrelated.key not in keys(only_consulting)
