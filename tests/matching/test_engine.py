"""The pure scoring rules, fair re-ranking and the feature allow-list."""

from __future__ import annotations

from django.apps import apps

from lotse.matching import engine
from lotse.matching.engine import (
    ExposureState,
    FundingFeatures,
    ListingFeatures,
    Match,
    PersonFeatures,
)

PROTECTED = (
    "gender",
    "geschlecht",
    "sex",
    "age",
    "alter",
    "birth",
    "geburt",
    "religion",
    "konfession",
    "nationality",
    "nationalit",
    "ethnic",
    "herkunft",
    "race",
    "disabilit",
    "behinderung",
    "orientation",
    "family",
    "familienstand",
    "pregnan",
    "photo",
    "foto",
)


def test_the_protected_word_check_can_fail() -> None:
    parts = ["person", "", "gender"]
    assert any(p.startswith(word) for p in parts if p for word in PROTECTED)


def listing(pk: int, **kw: object) -> ListingFeatures:
    base: dict[str, object] = {
        "pk": pk,
        "key": f"l{pk}",
        "title": f"L{pk}",
        "kind": "product",
        "organisation_id": pk,
        "organisation_name": f"O{pk}",
        "organisation_kind": "ai_company",
        "region": "Hamburg",
        "scope": "regional",
        "residency": "any",
        "languages": frozenset({"de"}),
        "topics": frozenset(),
        "sectors": frozenset(),
    }
    base.update(kw)
    return ListingFeatures(**base)  # type: ignore[arg-type]


def test_the_feature_allow_list_is_fixed() -> None:
    assert engine.FEATURES == (
        "topics",
        "sectors",
        "semantic",
        "residency",
        "region",
        "language",
        "kind_fit",
        "stage",
        "ticket",
        "capacity",
    )
    used = set(engine.LISTING_WEIGHTS) | set(engine.PERSON_WEIGHTS) | set(engine.FUNDING_WEIGHTS)
    assert used <= set(engine.FEATURES)


def test_no_protected_attribute_is_read_for_ranking() -> None:
    for fields in engine.FIELDS_USED.values():
        for name in fields:
            parts = [part for part in name.lower().split("_") if part]
            assert not any(p.startswith(word) for p in parts for word in PROTECTED), name
    # The fields read from people are exactly these, nothing about who they are.
    assert engine.FIELDS_USED["person"] == (
        "id",
        "key",
        "name",
        "user_id",
        "city",
        "languages",
        "expertise",
    )


def test_directory_models_hold_no_protected_attribute() -> None:
    """If someone adds such a field, this fails and reminds them to keep it out of ranking."""
    for model in apps.get_app_config("ecosystem").get_models():
        for field in model._meta.get_fields():
            assert not any(word == field.name.lower() for word in PROTECTED), (model, field.name)


def test_scoring_components_are_in_the_allow_list() -> None:
    need = listing(
        1, kind="solution", topics=frozenset({1, 2}), sectors=frozenset({9}), residency="on_premise"
    )
    offer = listing(2, topics=frozenset({1}), sectors=frozenset({9}), residency="on_premise")
    components = engine.score_listing_pair(need, offer, idf={}, similarity=0.6)
    assert set(components) <= set(engine.FEATURES)
    person = PersonFeatures(
        1, "a", "A", True, "Hamburg", frozenset({"de"}), frozenset({1}), frozenset({2}), frozenset()
    )
    other = PersonFeatures(
        2, "b", "B", True, "Hamburg", frozenset({"de"}), frozenset({2}), frozenset({1}), frozenset()
    )
    _score, parts = engine.score_person_pair(person, other, idf={})
    assert set(parts) - {"forward", "backward"} <= set(engine.FEATURES)


def test_residency_required_and_met() -> None:
    assert engine.residency_fit("on_premise", "on_premise") == 1.0
    assert engine.residency_fit("on_premise", "eu_cloud") == 0.0
    assert engine.residency_fit("eu_cloud", "on_premise") == 1.0
    assert engine.residency_fit("eu_cloud", "any") == 0.3
    assert engine.residency_fit("any", "eu_cloud") is None  # not required: does not count


def test_region_fit() -> None:
    assert engine.region_fit("Hamburg", "local", "hamburg", "regional") == 1.0
    assert engine.region_fit("Hamburg", "national", "Bayern", "international") == 0.8
    assert engine.region_fit("Hamburg", "local", "Bayern", "regional") == 0.1


def test_topic_overlap_weights_rare_terms_more() -> None:
    idf = {1: 3.0, 2: 0.5}
    assert engine.coverage(frozenset({1, 2}), frozenset({1}), idf) > engine.coverage(
        frozenset({1, 2}), frozenset({2}), idf
    )
    assert engine.topic_fit(frozenset(), frozenset({1}), idf) == 0.0


def test_listing_score_prefers_the_offer_that_meets_the_residency() -> None:
    need = listing(1, kind="solution", topics=frozenset({1}), residency="on_premise")
    good = listing(2, topics=frozenset({1}), residency="on_premise")
    bad = listing(3, topics=frozenset({1}), residency="any")
    score = lambda o: engine.weighted_mean(  # noqa: E731
        engine.score_listing_pair(need, o, idf={}), engine.LISTING_WEIGHTS
    )
    assert score(good) > score(bad)
    reasons, caveats = engine.listing_reasons(
        need,
        good,
        engine.score_listing_pair(need, good, idf={}),
        term_names={1: "Übersetzung"},
        residency_labels={"on_premise": "On-Premise"},
        kind_labels={},
    )
    assert "Gemeinsame Themen: Übersetzung" in reasons
    assert "Datenhaltung „On-Premise“ gefordert und erfüllt" in reasons
    _reasons, caveats = engine.listing_reasons(
        need,
        bad,
        engine.score_listing_pair(need, bad, idf={}),
        term_names={},
        residency_labels={"on_premise": "On-Premise"},
        kind_labels={},
    )
    assert any("nicht zugesagt" in c for c in caveats)


def test_reciprocal_score_needs_both_sides() -> None:
    me = PersonFeatures(
        1,
        "a",
        "A",
        True,
        "Hamburg",
        frozenset({"de"}),
        offers=frozenset({10}),
        interests=frozenset({20}),
        sectors=frozenset(),
    )
    mutual = PersonFeatures(
        2,
        "b",
        "B",
        True,
        "Hamburg",
        frozenset({"de"}),
        offers=frozenset({20}),
        interests=frozenset({10}),
        sectors=frozenset(),
    )
    one_sided = PersonFeatures(
        3,
        "c",
        "C",
        True,
        "Hamburg",
        frozenset({"de"}),
        offers=frozenset({20}),
        interests=frozenset({99}),
        sectors=frozenset(),
    )
    mutual_score, parts = engine.score_person_pair(me, mutual, idf={})
    one_sided_score, one_parts = engine.score_person_pair(me, one_sided, idf={})
    assert parts["forward"] == one_parts["forward"]  # both offer what I seek
    assert mutual_score > one_sided_score  # but only one seeks what I offer
    assert engine.harmonic_mean(1.0, 0.0) == 0.0
    assert abs(engine.harmonic_mean(0.5, 0.5) - 0.5) < 1e-9


def test_many_pending_requests_lower_the_score() -> None:
    me = PersonFeatures(
        1, "a", "A", True, "HH", frozenset({"de"}), frozenset({1}), frozenset({2}), frozenset()
    )
    calm = PersonFeatures(
        2,
        "b",
        "B",
        True,
        "HH",
        frozenset({"de"}),
        frozenset({2}),
        frozenset({1}),
        frozenset(),
        pending_requests=0,
    )
    busy = PersonFeatures(
        3,
        "c",
        "C",
        True,
        "HH",
        frozenset({"de"}),
        frozenset({2}),
        frozenset({1}),
        frozenset(),
        pending_requests=10,
    )
    assert (
        engine.score_person_pair(me, calm, idf={})[0]
        > engine.score_person_pair(me, busy, idf={})[0]
    )
    assert engine.capacity_factor(5, soft_limit=5) == 0.5


def test_funding_fit_on_stage_ticket_sector_region() -> None:
    startup = FundingFeatures(
        1,
        1,
        "s",
        "S",
        "startup",
        frozenset({"seed"}),
        500_000,
        None,
        None,
        frozenset({7}),
        frozenset({"Hamburg"}),
    )
    fitting = FundingFeatures(
        2,
        2,
        "i",
        "I",
        "investor",
        frozenset({"pre_seed", "seed"}),
        None,
        100_000,
        1_000_000,
        frozenset({7}),
        frozenset({"Hamburg"}),
    )
    later = FundingFeatures(
        3,
        3,
        "j",
        "J",
        "investor",
        frozenset({"series_b_plus"}),
        None,
        5_000_000,
        20_000_000,
        frozenset({8}),
        frozenset({"Bayern"}),
    )
    good = engine.score_funding_pair(startup, fitting, idf={})
    poor = engine.score_funding_pair(startup, later, idf={})
    assert good == {"stage": 1.0, "ticket": 1.0, "sectors": 1.0, "region": 1.0}
    assert poor["stage"] == 0.0
    assert poor["ticket"] == 0.0
    assert poor["region"] == 0.0
    assert engine.stage_fit(frozenset({"seed"}), frozenset({"series_a"})) == 0.4
    assert engine.ticket_fit(500_000, 600_000, 2_000_000) == 0.5
    reasons, _caveats = engine.funding_reasons(
        startup, fitting, good, term_names={7: "Presse"}, stage_labels={"seed": "Seed"}
    )
    assert "Phase passt: Seed" in reasons
    assert any("500.000" in r for r in reasons)


def _match(pk: int, score: float) -> Match:
    return Match("offer", pk, f"k{pk}", f"T{pk}", score, {}, organisation_id=pk)


def test_fair_rerank_lifts_underexposed_among_comparable_matches() -> None:
    matches = [_match(1, 0.80), _match(2, 0.78), _match(3, 0.30)]
    state = {1: ExposureState(exposure=50.0, merit=40.0), 2: ExposureState(0.0, 39.0)}
    shown = engine.fair_rerank(matches, state, k=2)
    assert [m.pk for m in shown] == [2, 1]
    # A weak match never jumps ahead, however little exposure it had.
    state_weak = {1: ExposureState(50.0, 40.0), 2: ExposureState(50.0, 39.0)}
    shown = engine.fair_rerank(matches, state_weak, k=3)
    assert shown[-1].pk == 3


def test_fair_rerank_without_history_keeps_relevance_order() -> None:
    matches = [_match(1, 0.9), _match(2, 0.5), _match(3, 0.4)]
    assert [m.pk for m in engine.fair_rerank(matches, {}, k=3)] == [1, 2, 3]


def test_exposure_updates_are_position_discounted() -> None:
    shown = [_match(1, 0.9), _match(2, 0.8)]
    updates = engine.exposure_updates(shown, [*shown, _match(3, 0.5)])
    assert updates[1].exposure == 1.0
    assert abs(updates[2].exposure - 1 / 1.584962500721156) < 1e-9
    assert updates[3].exposure == 0.0
    assert updates[3].merit == 0.5


def test_gini_and_ndcg() -> None:
    assert engine.gini([1, 1, 1, 1]) == 0.0
    assert abs(engine.gini([0, 0, 0, 4]) - 0.75) < 1e-9
    assert engine.ndcg([3, 2, 1], [3, 2, 1]) == 1.0
    assert engine.ndcg([1, 2, 3], [3, 2, 1]) < 1.0
