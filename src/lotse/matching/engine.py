"""The scoring core of matchmaking: pure functions over small feature records.

No database access happens here (see ``selectors.py`` for loading candidates), so
every rule is easy to test and to explain.  Each score is a weighted mean of
*components* in [0, 1]; a component that does not apply (e.g. the need states no
data residency) is left out and the remaining weights are renormalised.  Every
component that contributes comes with a plain-language German reason.

Fairness: the ranking only ever uses the features named in :data:`FEATURES`,
computed from the database fields listed in :data:`FIELDS_USED`.  Neither holds
gender, age, origin or any other protected attribute (the directory stores none),
and ``tests/matching/test_engine.py`` pins both allow-lists.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

# --- The allow-lists -------------------------------------------------------------

#: Every feature any ranking in Lotse may use.
FEATURES: tuple[str, ...] = (
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

#: The database fields read to compute the features, per model.
FIELDS_USED: dict[str, tuple[str, ...]] = {
    "listing": (
        "id",
        "key",
        "title",
        "kind",
        "organisation_id",
        "organisation__name",
        "organisation__kind",
        "organisation__region",
        "regional_scope",
        "languages",
        "data_residency",
        "topics",
        "sectors",
    ),
    "person": ("id", "key", "name", "user_id", "city", "languages", "expertise"),
    "organisation": ("id", "key", "name", "kind", "region", "topics", "sectors"),
    "funding_profile": (
        "id",
        "organisation_id",
        "role",
        "stages",
        "amount_sought_eur",
        "ticket_min_eur",
        "ticket_max_eur",
        "sectors",
        "regions",
    ),
    "search_document": ("entity_type", "entity_pk", "embedding"),
    "introduction_request": ("recipient_id", "status"),
}

LISTING_WEIGHTS: dict[str, float] = {
    "topics": 0.35,
    "sectors": 0.15,
    "semantic": 0.15,
    "residency": 0.10,
    "region": 0.10,
    "language": 0.05,
    "kind_fit": 0.10,
}
PERSON_WEIGHTS: dict[str, float] = {
    "topics": 0.55,
    "sectors": 0.15,
    "region": 0.15,
    "language": 0.15,
}
FUNDING_WEIGHTS: dict[str, float] = {
    "stage": 0.35,
    "ticket": 0.25,
    "sectors": 0.25,
    "region": 0.15,
}

WIDE_SCOPES = frozenset({"national", "dach", "eu", "international"})
DEFAULT_LANGUAGES = frozenset({"de"})

# Which offer kinds answer which need kind ("Expertise gesucht" → Beratung, ...).
KIND_FIT: dict[str, frozenset[str]] = {
    "solution": frozenset({"product", "service"}),
    "partner": frozenset({"service", "research", "consulting"}),
    "expert": frozenset({"consulting", "training", "service"}),
    "talent": frozenset({"training", "research"}),
    "funding": frozenset({"funding"}),
}

STAGE_ORDER = ("pre_seed", "seed", "series_a", "series_b_plus")


# --- Feature records ------------------------------------------------------------------


@dataclass(frozen=True)
class ListingFeatures:
    pk: int
    key: str
    title: str
    kind: str
    organisation_id: int
    organisation_name: str
    organisation_kind: str
    region: str
    scope: str
    residency: str
    languages: frozenset[str]
    topics: frozenset[int]
    sectors: frozenset[int]


@dataclass(frozen=True)
class PersonFeatures:
    pk: int
    key: str
    name: str
    has_account: bool
    region: str  # region of the first organisation, else the city
    languages: frozenset[str]
    offers: frozenset[int]  # expertise and the topics of their organisations and offers
    interests: frozenset[int]  # topics of their organisations' needs, else their expertise
    sectors: frozenset[int]
    organisation_ids: frozenset[int] = frozenset()
    pending_requests: int = 0


@dataclass(frozen=True)
class FundingFeatures:
    pk: int
    organisation_id: int
    organisation_key: str
    organisation_name: str
    role: str
    stages: frozenset[str]
    amount_sought: int | None
    ticket_min: int | None
    ticket_max: int | None
    sectors: frozenset[int]  # investor: of interest; start-up: its organisation's sectors
    regions: frozenset[str]  # investor: of interest; start-up: its organisation's region


@dataclass
class Match:
    """One ranked suggestion with its score, its parts and the reasons."""

    kind: str  # "offer", "need", "person", "investor", "startup"
    pk: int
    key: str
    title: str
    score: float
    components: dict[str, float]
    reasons: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    organisation_id: int | None = None
    organisation_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    def as_json(self) -> dict[str, Any]:
        return {
            "type": self.kind,
            "key": self.key,
            "title": self.title,
            "score": round(self.score, 4),
            "organisation": self.organisation_name,
            "components": {name: round(value, 4) for name, value in self.components.items()},
            "reasons": list(self.reasons),
            "caveats": list(self.caveats),
        }


# --- Small helpers ------------------------------------------------------------------------


def weighted_mean(components: Mapping[str, float | None], weights: Mapping[str, float]) -> float:
    total = 0.0
    weight_sum = 0.0
    for name, value in components.items():
        if value is None:
            continue
        weight = weights[name]
        total += weight * value
        weight_sum += weight
    return total / weight_sum if weight_sum else 0.0


def coverage(wanted: frozenset[int], given: frozenset[int], idf: Mapping[int, float]) -> float:
    """Share of ``wanted`` (IDF-weighted) that ``given`` covers."""
    if not wanted:
        return 0.0
    total = sum(idf.get(t, 1.0) for t in wanted)
    hit = sum(idf.get(t, 1.0) for t in wanted & given)
    return hit / total if total else 0.0


def topic_fit(wanted: frozenset[int], given: frozenset[int], idf: Mapping[int, float]) -> float:
    """Mostly how much of the wanted topics is covered, a little how focused the answer is."""
    if not wanted or not given:
        return 0.0
    return 0.75 * coverage(wanted, given, idf) + 0.25 * coverage(given, wanted, idf)


def languages_of(values: Iterable[Any]) -> frozenset[str]:
    codes = frozenset(str(v).strip().lower()[:2] for v in values or () if str(v).strip())
    return codes or DEFAULT_LANGUAGES


def language_name(code: str) -> str:
    """The language's name in the active language (Django's own list), else the code."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def language_names(codes: Iterable[str]) -> str:
    return ", ".join(language_name(code) for code in sorted(codes))


def term_list(ids: Iterable[int], names: Mapping[int, str], limit: int = 4) -> str:
    labels = sorted(names.get(i, "") for i in ids)
    labels = [label for label in labels if label]
    text = ", ".join(labels[:limit])
    if len(labels) > limit:
        text += " " + _("und %(count)d weitere") % {"count": len(labels) - limit}
    return text


def idf_weights(document_frequency: Mapping[int, int], total: int) -> dict[int, float]:
    """Rare shared topics say more than common ones."""
    return {
        term: math.log(1.0 + (total + 1) / (count + 1))
        for term, count in document_frequency.items()
    }


def semantic_component(similarity: float | None) -> float | None:
    if similarity is None:
        return None
    return max(0.0, min(1.0, (similarity - 0.15) / 0.6))


# --- Offers and needs -----------------------------------------------------------------------


def residency_fit(required: str, offered: str) -> float | None:
    if required in ("", "any"):
        return None
    if required == "on_premise":
        return 1.0 if offered == "on_premise" else 0.0
    if required == "eu_cloud":
        if offered in ("eu_cloud", "on_premise"):
            return 1.0
        return 0.3 if offered == "any" else 0.0
    return None


def region_fit(a_region: str, a_scope: str, b_region: str, b_scope: str) -> float:
    if a_region and b_region and a_region.casefold() == b_region.casefold():
        return 1.0
    if a_scope in WIDE_SCOPES and b_scope in WIDE_SCOPES:
        return 0.8
    if not a_region or not b_region:
        return 0.5
    if a_scope in WIDE_SCOPES or b_scope in WIDE_SCOPES:
        return 0.5
    return 0.1


def score_listing_pair(
    need: ListingFeatures,
    offer: ListingFeatures,
    *,
    idf: Mapping[int, float],
    similarity: float | None = None,
) -> dict[str, float]:
    """The components of how well ``offer`` answers ``need`` (same for both directions)."""
    fit_kinds = KIND_FIT.get(need.kind)
    components: dict[str, float | None] = {
        "topics": topic_fit(need.topics, offer.topics, idf),
        "sectors": coverage(need.sectors, offer.sectors, idf) if need.sectors else None,
        "semantic": semantic_component(similarity),
        "residency": residency_fit(need.residency, offer.residency),
        "region": region_fit(need.region, need.scope, offer.region, offer.scope),
        "language": 1.0 if need.languages & offer.languages else 0.0,
        "kind_fit": None if fit_kinds is None else (1.0 if offer.kind in fit_kinds else 0.3),
    }
    return {name: value for name, value in components.items() if value is not None}


def listing_reasons(
    need: ListingFeatures,
    offer: ListingFeatures,
    components: Mapping[str, float],
    *,
    term_names: Mapping[int, str],
    residency_labels: Mapping[str, str],
    kind_labels: Mapping[str, str],
) -> tuple[list[str], list[str]]:
    reasons: list[str] = []
    caveats: list[str] = []
    shared_topics = need.topics & offer.topics
    if shared_topics:
        reasons.append(
            _("Gemeinsame Themen: %(terms)s") % {"terms": term_list(shared_topics, term_names)}
        )
    shared_sectors = need.sectors & offer.sectors
    if shared_sectors:
        reasons.append(
            _("Gleiche Branche: %(terms)s") % {"terms": term_list(shared_sectors, term_names)}
        )
    if components.get("semantic", 0.0) >= 0.5:
        reasons.append(_("Die Beschreibungen ähneln sich inhaltlich."))
    if "residency" in components:
        label = residency_labels.get(need.residency, need.residency)
        if components["residency"] >= 1.0:
            reasons.append(_("Datenhaltung „%(value)s“ gefordert und erfüllt") % {"value": label})
        else:
            caveats.append(
                _("Datenhaltung „%(value)s“ gefordert, aber nicht zugesagt") % {"value": label}
            )
    region = components.get("region", 0.0)
    if region >= 1.0:
        reasons.append(_("Gleiche Region: %(region)s") % {"region": offer.region})
    elif region >= 0.8:
        reasons.append(_("Beide Seiten sind überregional tätig."))
    elif region <= 0.1:
        caveats.append(_("Unterschiedliche Regionen, beide Seiten nur regional tätig"))
    shared_languages = need.languages & offer.languages
    if shared_languages:
        reasons.append(
            _("Gemeinsame Sprache: %(languages)s") % {"languages": language_names(shared_languages)}
        )
    else:
        caveats.append(_("Keine gemeinsame Sprache angegeben"))
    if components.get("kind_fit", 0.0) >= 1.0:
        reasons.append(
            _("„%(offer)s“ passt zum Bedarf „%(need)s“")
            % {
                "offer": kind_labels.get(f"offer:{offer.kind}", offer.kind),
                "need": kind_labels.get(f"need:{need.kind}", need.kind),
            }
        )
    return reasons, caveats


# --- People ↔ people ---------------------------------------------------------------------------


def directional_person_score(
    seeker: PersonFeatures, candidate: PersonFeatures, *, idf: Mapping[int, float]
) -> dict[str, float]:
    """How well ``candidate`` serves ``seeker``'s interests."""
    return {
        "topics": topic_fit(seeker.interests, candidate.offers, idf),
        "sectors": (coverage(seeker.sectors, candidate.sectors, idf) if seeker.sectors else 0.0),
        "region": 1.0
        if seeker.region and seeker.region.casefold() == candidate.region.casefold()
        else 0.4,
        "language": 1.0 if seeker.languages & candidate.languages else 0.0,
    }


def harmonic_mean(a: float, b: float) -> float:
    return 0.0 if a <= 0 or b <= 0 else 2 * a * b / (a + b)


def capacity_factor(pending_requests: int, *, soft_limit: int) -> float:
    """Down-weight people who already have many unanswered requests."""
    if pending_requests <= 0:
        return 1.0
    return 1.0 / (1.0 + pending_requests / max(1, soft_limit))


def score_person_pair(
    me: PersonFeatures,
    other: PersonFeatures,
    *,
    idf: Mapping[int, float],
    pending_soft_limit: int = 5,
) -> tuple[float, dict[str, float]]:
    forward = weighted_mean(directional_person_score(me, other, idf=idf), PERSON_WEIGHTS)
    backward = weighted_mean(directional_person_score(other, me, idf=idf), PERSON_WEIGHTS)
    capacity = capacity_factor(other.pending_requests, soft_limit=pending_soft_limit)
    components = {
        "topics": topic_fit(me.interests, other.offers, idf),
        "sectors": coverage(me.sectors, other.sectors, idf) if me.sectors else 0.0,
        "region": 1.0 if me.region and me.region.casefold() == other.region.casefold() else 0.0,
        "language": 1.0 if me.languages & other.languages else 0.0,
        "capacity": capacity,
    }
    return harmonic_mean(forward, backward) * capacity, components | {
        "forward": forward,
        "backward": backward,
    }


def person_reasons(
    me: PersonFeatures,
    other: PersonFeatures,
    components: Mapping[str, float],
    *,
    term_names: Mapping[int, str],
) -> tuple[list[str], list[str]]:
    reasons: list[str] = []
    caveats: list[str] = []
    they_offer = me.interests & other.offers
    if they_offer:
        reasons.append(
            _("Bringt mit, was Sie suchen: %(terms)s")
            % {"terms": term_list(they_offer, term_names)}
        )
    i_offer = other.interests & me.offers
    if i_offer:
        reasons.append(
            _("Sucht, was Sie mitbringen: %(terms)s") % {"terms": term_list(i_offer, term_names)}
        )
    shared_sectors = me.sectors & other.sectors
    if shared_sectors:
        reasons.append(
            _("Gleiche Branche: %(terms)s") % {"terms": term_list(shared_sectors, term_names)}
        )
    if components.get("region", 0.0) >= 1.0:
        reasons.append(_("Gleiche Region: %(region)s") % {"region": other.region})
    shared_languages = me.languages & other.languages
    if shared_languages:
        reasons.append(
            _("Gemeinsame Sprache: %(languages)s") % {"languages": language_names(shared_languages)}
        )
    if components.get("capacity", 1.0) < 1.0:
        caveats.append(_("Hat gerade viele offene Anfragen – eine Antwort kann dauern."))
    if not other.has_account:
        caveats.append(
            _("Noch ohne Konto: Eine Vorstellung ist erst möglich, wenn die Person sich anmeldet.")
        )
    return reasons, caveats


# --- Start-ups ↔ investors -------------------------------------------------------------------


def stage_fit(startup_stages: frozenset[str], investor_stages: frozenset[str]) -> float | None:
    if not startup_stages or not investor_stages:
        return None
    if startup_stages & investor_stages:
        return 1.0
    positions = [STAGE_ORDER.index(s) for s in startup_stages if s in STAGE_ORDER]
    targets = [STAGE_ORDER.index(s) for s in investor_stages if s in STAGE_ORDER]
    if positions and targets and min(abs(p - t) for p in positions for t in targets) == 1:
        return 0.4
    return 0.0


def ticket_fit(amount: int | None, low: int | None, high: int | None) -> float | None:
    if not amount or (low is None and high is None):
        return None
    low = low or 0
    high = high or amount * 10
    if low <= amount <= high:
        return 1.0
    if low / 2 <= amount <= high * 2:
        return 0.5
    return 0.0


def score_funding_pair(
    startup: FundingFeatures, investor: FundingFeatures, *, idf: Mapping[int, float]
) -> dict[str, float]:
    components: dict[str, float | None] = {
        "stage": stage_fit(startup.stages, investor.stages),
        "ticket": ticket_fit(startup.amount_sought, investor.ticket_min, investor.ticket_max),
        "sectors": (
            coverage(startup.sectors, investor.sectors, idf)
            if investor.sectors and startup.sectors
            else (0.6 if not investor.sectors else 0.0)
        ),
        "region": (
            0.8
            if not investor.regions
            else (
                1.0
                if {r.casefold() for r in startup.regions}
                & {r.casefold() for r in investor.regions}
                else 0.0
            )
        ),
    }
    return {name: value for name, value in components.items() if value is not None}


def funding_reasons(
    startup: FundingFeatures,
    investor: FundingFeatures,
    components: Mapping[str, float],
    *,
    term_names: Mapping[int, str],
    stage_labels: Mapping[str, str],
) -> tuple[list[str], list[str]]:
    reasons: list[str] = []
    caveats: list[str] = []
    stage = components.get("stage")
    stages = ", ".join(stage_labels.get(s, s) for s in sorted(startup.stages))
    if stage is not None and stage >= 1.0:
        reasons.append(_("Phase passt: %(stage)s") % {"stage": stages})
    elif stage is not None and stage > 0:
        reasons.append(_("Phase liegt nahe am Investitionsfokus: %(stage)s") % {"stage": stages})
    elif stage is not None:
        caveats.append(
            _("Phase %(stage)s liegt außerhalb des Investitionsfokus") % {"stage": stages}
        )
    ticket = components.get("ticket")
    if ticket is not None and startup.amount_sought:
        amount = f"{startup.amount_sought:,}".replace(",", ".")
        if ticket >= 1.0:
            reasons.append(
                _("Gesuchter Betrag %(amount)s € liegt in der Ticketgröße") % {"amount": amount}
            )
        elif ticket > 0:
            reasons.append(
                _("Gesuchter Betrag %(amount)s € liegt nahe der Ticketgröße") % {"amount": amount}
            )
        else:
            caveats.append(
                _("Gesuchter Betrag %(amount)s € passt nicht zur Ticketgröße") % {"amount": amount}
            )
    shared = startup.sectors & investor.sectors
    if shared:
        reasons.append(_("Branchenfokus: %(terms)s") % {"terms": term_list(shared, term_names)})
    elif not investor.sectors:
        reasons.append(_("Investiert branchenoffen"))
    if components.get("region", 0.0) >= 1.0:
        region = ", ".join(sorted(startup.regions & investor.regions)) or ", ".join(
            sorted(startup.regions)
        )
        reasons.append(_("Region im Fokus: %(region)s") % {"region": region})
    elif not investor.regions:
        reasons.append(_("Investiert ohne regionale Einschränkung"))
    return reasons, caveats


# --- Fair exposure ------------------------------------------------------------------------------


def attention(rank: int) -> float:
    """Position-discounted attention of rank 1, 2, 3, ... (as in DCG)."""
    return 1.0 / math.log2(1 + rank)


@dataclass
class ExposureState:
    exposure: float = 0.0
    merit: float = 0.0


def fair_rerank(
    matches: Sequence[Match],
    state: Mapping[int, ExposureState],
    *,
    k: int = 10,
    strength: float = 0.15,
    quality_floor: float = 0.6,
) -> list[Match]:
    """Amortised-fairness re-ranking (equity of attention, Biega et al. 2018).

    Over many views each organisation should receive a share of the total
    position-discounted attention proportional to its share of accumulated merit
    (the relevance it had as a candidate).  An organisation below its share gets
    a boost of up to ``strength`` score points, one above its share a malus; only
    candidates scoring at least ``quality_floor`` × the best score are eligible,
    so fairness never pushes an irrelevant result up.  Returns the first ``k``.
    """
    if not matches:
        return []
    pool = list(matches)
    best = max(m.score for m in pool)
    view_attention = sum(attention(rank) for rank in range(1, min(k, len(pool)) + 1))
    org_ids = {m.organisation_id for m in pool if m.organisation_id is not None}
    total_merit = sum(state.get(o, ExposureState()).merit for o in org_ids)
    total_merit += sum(m.score for m in pool)
    total_exposure = sum(state.get(o, ExposureState()).exposure for o in org_ids) + view_attention

    def eligible(match: Match) -> bool:
        return match.score >= quality_floor * best

    def priority(match: Match) -> float:
        if match.organisation_id is None or not eligible(match):
            return match.score
        entry = state.get(match.organisation_id, ExposureState())
        share = (entry.merit + match.score) / total_merit if total_merit else 0.0
        deficit = (share * total_exposure - entry.exposure) / view_attention
        return match.score + strength * max(-1.0, min(1.0, deficit))

    # Eligible matches always stay ahead of the weak ones, whatever their malus.
    ranked = sorted(pool, key=lambda m: (not eligible(m), -priority(m), -m.score, m.pk))
    return ranked[:k]


def exposure_updates(
    shown: Sequence[Match], candidates: Sequence[Match]
) -> dict[int, ExposureState]:
    """What one view adds to each organisation's exposure and merit."""
    updates: dict[int, ExposureState] = {}
    for match in candidates:
        if match.organisation_id is not None:
            updates.setdefault(match.organisation_id, ExposureState()).merit += match.score
    for rank, match in enumerate(shown, start=1):
        if match.organisation_id is not None:
            updates.setdefault(match.organisation_id, ExposureState()).exposure += attention(rank)
    return updates


def gini(values: Sequence[float]) -> float:
    """Gini coefficient of non-negative values (0 = equal, 1 = all on one)."""
    data = sorted(max(0.0, v) for v in values)
    n = len(data)
    total = sum(data)
    if n == 0 or total == 0:
        return 0.0
    cumulative = sum((index + 1) * value for index, value in enumerate(data))
    return (2 * cumulative) / (n * total) - (n + 1) / n


def ndcg(ranked_gains: Sequence[float], ideal_gains: Sequence[float], k: int = 10) -> float:
    def dcg(gains: Sequence[float]) -> float:
        return sum(g * attention(i) for i, g in enumerate(gains[:k], start=1))

    ideal = dcg(sorted(ideal_gains, reverse=True))
    return dcg(ranked_gains) / ideal if ideal else 0.0
