"""Reads for matchmaking: candidate generation, feature loading, inbox, alliance figures.

Candidate generation works on the indexed many-to-many through tables of the
directory (``term_id`` → listing/person), so a need with a few topics touches only
the rows of those topics, never the whole table.  The best ``CANDIDATE_LIMIT``
candidates by IDF-weighted term overlap are then loaded and scored in Python
(``engine.py``).  When the search app has embedded the entities, the semantic
similarity of the descriptions joins the score of the best ``SEMANTIC_POOL``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from lotse.ecosystem import access
from lotse.ecosystem.models import (
    DataResidency,
    ListingStatus,
    Membership,
    Need,
    NeedKind,
    Offer,
    OfferKind,
    Organisation,
    OrganisationKind,
    Person,
    Term,
)
from lotse.matching import engine
from lotse.matching.engine import FundingFeatures, ListingFeatures, Match, PersonFeatures
from lotse.matching.models import (
    Alliance,
    Block,
    FundingProfile,
    FundingRole,
    FundingStage,
    IntroductionRequest,
    IntroductionStatus,
    OrganisationExposure,
    PersonSuggestionCount,
)

CANDIDATE_LIMIT = 300
PERSON_CANDIDATE_LIMIT = 300
SEMANTIC_POOL = 300
SEMANTIC_CANDIDATES_BELOW = 50  # fewer term candidates than this: add vector neighbours
SEMANTIC_NEIGHBOURS = 100
FALLBACK_LIMIT = 200
DEFAULT_LIMIT = 10
MAX_LIMIT = 100


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def daily_request_limit() -> int:
    return _setting("LOTSE_INTRODUCTIONS_PER_DAY", 10)


def daily_suggestion_cap() -> int:
    return _setting("LOTSE_PERSON_SUGGESTIONS_PER_DAY", 100)


def pending_soft_limit() -> int:
    return _setting("LOTSE_PENDING_SOFT_LIMIT", 5)


# --- Filters -------------------------------------------------------------------------


@dataclass(frozen=True)
class ListingFilters:
    kinds: tuple[str, ...] = ()
    residency: str = ""  # "on_premise" or "eu_cloud": the listing must guarantee it
    region: str = ""
    language: str = ""
    min_score: float = 0.0
    limit: int = DEFAULT_LIMIT

    @classmethod
    def from_params(
        cls, params: Mapping[str, Any], *, entity: str, percent: bool = False
    ) -> ListingFilters:
        """Tolerant parsing of user input: unknown values are dropped, never an error.

        ``min_score`` is a fraction (0–1), or a percentage (0–100) with ``percent=True``
        as on the suggestion pages.
        """
        valid = OfferKind.values if entity == "offer" else NeedKind.values

        def getlist(name: str) -> list[str]:
            if hasattr(params, "getlist"):
                return [str(v) for v in params.getlist(name)]
            value = params.get(name)
            if value is None:
                return []
            return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]

        kinds = tuple(k for k in getlist("kind") if k in valid)
        residency = str(params.get("residency") or "")
        if residency not in (DataResidency.ON_PREMISE, DataResidency.EU_CLOUD):
            residency = ""
        language = str(params.get("language") or "").strip().lower()[:2]
        if not language.isalpha():
            language = ""
        region = " ".join(str(params.get("region") or "").split())[:100]
        try:
            min_score = float(str(params.get("min_score") or 0).replace(",", "."))
        except ValueError:
            min_score = 0.0
        if percent:
            min_score /= 100
        min_score = min(max(min_score, 0.0), 1.0) if min_score == min_score else 0.0
        try:
            limit = int(str(params.get("limit") or DEFAULT_LIMIT))
        except ValueError:
            limit = DEFAULT_LIMIT
        limit = min(max(limit, 1), MAX_LIMIT)
        return cls(kinds, residency, region, language, min_score, limit)


def _live_listings(model: type[Offer] | type[Need], prefix: str = "") -> Q:
    today = timezone.localdate()
    return Q(**{f"{prefix}status": ListingStatus.PUBLISHED}) & (
        Q(**{f"{prefix}expires_on__isnull": True}) | Q(**{f"{prefix}expires_on__gte": today})
    )


def _listing_conditions(
    model: type[Offer] | type[Need],
    filters: ListingFilters,
    *,
    exclude_organisation: int,
    prefix: str = "",
) -> Q:
    """The hard conditions on suggested listings, as a Q usable across a join.

    A join (``offer__status=…`` on the through table) lets the database check each
    candidate row by primary key; an ``IN (subquery)`` would materialise every
    published listing first.
    """
    condition = _live_listings(model, prefix) & ~Q(
        **{f"{prefix}organisation_id": exclude_organisation}
    )
    if filters.kinds:
        condition &= Q(**{f"{prefix}kind__in": filters.kinds})
    if filters.residency == DataResidency.ON_PREMISE:
        condition &= Q(**{f"{prefix}data_residency": DataResidency.ON_PREMISE})
    elif filters.residency == DataResidency.EU_CLOUD:
        condition &= Q(
            **{f"{prefix}data_residency__in": [DataResidency.ON_PREMISE, DataResidency.EU_CLOUD]}
        )
    if filters.region:
        condition &= Q(**{f"{prefix}organisation__region__iexact": filters.region}) | Q(
            **{f"{prefix}regional_scope__in": sorted(engine.WIDE_SCOPES)}
        )
    return condition


# --- Loading features ---------------------------------------------------------------------


def _ints(ids: Iterable[int]) -> str:
    """A literal list of integers for ``IN (…)``: cast, so nothing else gets in."""
    return ",".join(str(int(i)) for i in ids)


def _pairs(through: Any, owner: str, owner_ids: Iterable[int]) -> dict[int, set[int]]:
    """(owner id → term ids) of a many-to-many through table, read with plain SQL.

    Hundreds of ids in an ORM ``__in`` lookup cost more Python time than the query;
    the ids are integers cast with ``int()``, so the literal list is safe.
    """
    result: dict[int, set[int]] = defaultdict(set)
    ids = list(owner_ids)
    if not ids:
        return result
    qn = connection.ops.quote_name
    table = qn(through._meta.db_table)
    owner_column = qn(through._meta.get_field(owner).column)
    term_column = qn(through._meta.get_field("term").column)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 5000):
            cursor.execute(
                f"SELECT {owner_column}, {term_column} FROM {table} "  # noqa: S608
                f"WHERE {owner_column} IN ({_ints(ids[start : start + 5000])})"
            )
            for owner_id, term_id in cursor.fetchall():
                result[owner_id].add(term_id)
    return result


def _json_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return list(value) if isinstance(value, list | tuple) else []


def load_listing_features(
    model: type[Offer] | type[Need], ids: Sequence[int]
) -> dict[int, ListingFeatures]:
    if not ids:
        return {}
    owner = model._meta.model_name or ""
    topics = _pairs(model.topics.through, owner, ids)
    sectors = _pairs(model.sectors.through, owner, ids)
    qn = connection.ops.quote_name
    listing, organisation = qn(model._meta.db_table), qn(Organisation._meta.db_table)
    columns = ", ".join(
        f"l.{qn(name)}"
        for name in (
            "id",
            "key",
            "title",
            "kind",
            "organisation_id",
            "regional_scope",
            "languages",
            "data_residency",
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, o.{qn('name')}, o.{qn('kind')}, o.{qn('region')} "  # noqa: S608
            f"FROM {listing} l JOIN {organisation} o ON o.{qn('id')} = l.{qn('organisation_id')} "
            f"WHERE l.{qn('id')} IN ({_ints(ids)})"
        )
        rows = cursor.fetchall()
    features: dict[int, ListingFeatures] = {}
    for pk, key, title, kind, org_id, scope, langs, res, org_name, org_kind, region in rows:
        features[pk] = ListingFeatures(
            pk=pk,
            key=key,
            title=title,
            kind=kind,
            organisation_id=org_id,
            organisation_name=org_name,
            organisation_kind=org_kind,
            region=region or "",
            scope=scope,
            residency=res,
            languages=engine.languages_of(_json_list(langs)),
            topics=frozenset(topics.get(pk, ())),
            sectors=frozenset(sectors.get(pk, ())),
        )
    return features


def term_names(ids: Iterable[int]) -> dict[int, str]:
    return dict(Term.objects.filter(pk__in=set(ids)).values_list("id", "name"))


def _embeddings(entity_type: str, pks: Sequence[int]) -> dict[int, np.ndarray]:
    """Stored sentence embeddings of the search index (empty when unavailable)."""
    if not pks or not apps.is_installed("lotse.search"):
        return {}
    try:
        from lotse.search.models import SearchDocument

        rows = SearchDocument.objects.filter(
            entity_type=entity_type, entity_pk__in=list(pks), embedding__isnull=False
        ).values_list("entity_pk", "embedding")
        vectors = {}
        for pk, blob in rows:
            if blob:
                vectors[pk] = np.frombuffer(bytes(blob), dtype=np.float32)
        return vectors
    except (DatabaseError, ImportError, LookupError):
        return {}


def _semantic_neighbours(source_type: str, source_pk: int, target_type: str) -> list[int]:
    """Primary keys of the listings whose stored embedding is nearest to the source's.

    Uses the search app's in-memory vector index when it exists; empty otherwise.
    """
    source = _embeddings(source_type, [source_pk]).get(source_pk)
    if source is None:
        return []
    try:
        from lotse.search.index import vectors
        from lotse.search.models import SearchDocument

        ranking = vectors.ranking(
            source, types={target_type}, members=False, limit=SEMANTIC_NEIGHBOURS, min_score=0.2
        )
        doc_ids = [doc_id for doc_id, _score in ranking]
        by_doc = dict(SearchDocument.objects.filter(pk__in=doc_ids).values_list("id", "entity_pk"))
    except (DatabaseError, ImportError, AttributeError, LookupError):
        return []
    return [int(by_doc[doc_id]) for doc_id in doc_ids if doc_id in by_doc]


def _similarities(
    source_type: str, source_pk: int, target_type: str, target_pks: Sequence[int]
) -> dict[int, float]:
    source = _embeddings(source_type, [source_pk]).get(source_pk)
    if source is None:
        return {}
    targets = _embeddings(target_type, target_pks)
    same = [pk for pk, vector in targets.items() if vector.shape == source.shape]
    if not same:
        return {}
    matrix = np.vstack([targets[pk] for pk in same])
    scores = matrix @ source
    return {pk: float(score) for pk, score in zip(same, scores, strict=True)}


# --- Offers and needs ---------------------------------------------------------------------


def _listing_count(model: type[Offer] | type[Need]) -> int:
    key = f"lotse:matching:count:{model._meta.model_name}"
    count = cache.get(key)
    if count is None:
        count = model.objects.count()
        cache.set(key, count, 600)
    return int(count)


def _fetch_pairs(queryset: QuerySet[Any]) -> np.ndarray:
    """Rows of two integer columns straight from the cursor (no model machinery)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return np.asarray(rows, dtype=np.int64).reshape(-1, 2)


def _candidates_by_terms(
    model: type[Offer] | type[Need],
    conditions: Q,
    topics: frozenset[int],
    sectors: frozenset[int],
) -> tuple[list[int], dict[int, float], int]:
    """IDs of the best candidates by IDF-weighted term overlap, the IDF, the pool size.

    Per relation one query reads the (listing, term) rows of the wanted terms from
    the index on ``term_id`` alone; numpy sums the IDF weights per listing and ranks
    them.  The hard conditions (published, not expired, not the own organisation, the
    user's filters) are then checked by primary key for the best ranked ids, chunk by
    chunk, until ``CANDIDATE_LIMIT`` pass.
    """
    owner = model._meta.model_name or ""
    owner_id = f"{owner}_id"
    parts: list[tuple[np.ndarray, float]] = []
    for name, terms, weight in (("topics", topics, 1.0), ("sectors", sectors, 0.5)):
        if not terms:
            continue
        through = getattr(model, name).through
        pairs = _fetch_pairs(
            through.objects.filter(term_id__in=sorted(terms)).values_list(owner_id, "term_id")
        )
        if len(pairs):
            parts.append((pairs, weight))
    if not parts:
        return [], {}, 0
    document_frequency: dict[int, int] = {}
    for pairs, _weight in parts:
        found, counts = np.unique(pairs[:, 1], return_counts=True)
        for term_id, count in zip(found.tolist(), counts.tolist(), strict=True):
            document_frequency[term_id] = document_frequency.get(term_id, 0) + count
    owners, inverse = np.unique(np.concatenate([p[:, 0] for p, _ in parts]), return_inverse=True)
    idf = engine.idf_weights(document_frequency, max(_listing_count(model), len(owners)))
    lookup_size = max(document_frequency) + 1
    scores = np.zeros(len(owners), dtype=np.float64)
    offset = 0
    for pairs, weight in parts:
        term_weight = np.zeros(lookup_size, dtype=np.float64)
        for term_id in set(pairs[:, 1].tolist()):
            term_weight[term_id] = idf[term_id] * weight
        np.add.at(scores, inverse[offset : offset + len(pairs)], term_weight[pairs[:, 1]])
        offset += len(pairs)
    # Best first; ties towards newer listings (higher ids), deterministically.
    ranked = owners[np.lexsort((-owners, -scores))]
    passing: list[int] = []
    chunk = 2 * CANDIDATE_LIMIT
    for start in range(0, len(ranked), chunk):
        ids = [int(i) for i in ranked[start : start + chunk]]
        allowed = set(model.objects.filter(conditions, pk__in=ids).values_list("id", flat=True))
        passing += [pk for pk in ids if pk in allowed]
        if len(passing) >= CANDIDATE_LIMIT:
            break
    return passing[:CANDIDATE_LIMIT], idf, len(owners)


def _kind_labels() -> dict[str, str]:
    labels = {f"offer:{value}": str(label) for value, label in OfferKind.choices}
    labels |= {f"need:{value}": str(label) for value, label in NeedKind.choices}
    return labels


def _match_listing(
    source: ListingFeatures,
    source_model: type[Offer] | type[Need],
    target_model: type[Offer] | type[Need],
    filters: ListingFilters,
) -> list[Match]:
    conditions = _listing_conditions(
        target_model, filters, exclude_organisation=source.organisation_id
    )
    ids, idf, _pool = _candidates_by_terms(target_model, conditions, source.topics, source.sectors)
    source_type = "need" if source_model is Need else "offer"
    target_type = "offer" if source_model is Need else "need"
    if len(ids) < SEMANTIC_CANDIDATES_BELOW:
        # Few or no shared terms: ask the search index for similar descriptions.
        similar = [pk for pk in _semantic_neighbours(source_type, source.pk, target_type) if pk]
        known = set(ids)
        fresh = [pk for pk in similar if pk not in known]
        if fresh:
            allowed = set(
                target_model.objects.filter(conditions, pk__in=fresh).values_list("id", flat=True)
            )
            ids += [pk for pk in fresh if pk in allowed]
    if not ids:
        # Nothing shares a term: fall back to the newest listings that pass the filters.
        base = target_model.objects.filter(conditions)
        ids = list(base.order_by("-created_at").values_list("id", flat=True)[:FALLBACK_LIMIT])
    targets = load_listing_features(target_model, ids)
    if filters.language:
        targets = {pk: t for pk, t in targets.items() if filters.language in t.languages}
    source_is_need = source_model is Need
    scored: list[tuple[float, dict[str, float], ListingFeatures]] = []
    for target in targets.values():
        need, offer = (source, target) if source_is_need else (target, source)
        components = engine.score_listing_pair(need, offer, idf=idf)
        scored.append(
            (engine.weighted_mean(components, engine.LISTING_WEIGHTS), components, target)
        )
    scored.sort(key=lambda item: (-item[0], item[2].pk))
    pool = scored[:SEMANTIC_POOL]
    similarity = _similarities(source_type, source.pk, target_type, [t.pk for _, _, t in pool])
    if similarity:
        rescored = []
        for _score, components, target in pool:
            need, offer = (source, target) if source_is_need else (target, source)
            components = engine.score_listing_pair(
                need, offer, idf=idf, similarity=similarity.get(target.pk)
            )
            rescored.append(
                (engine.weighted_mean(components, engine.LISTING_WEIGHTS), components, target)
            )
        pool = sorted(rescored, key=lambda item: (-item[0], item[2].pk))
    return [
        Match(
            kind=target_type,
            pk=target.pk,
            key=target.key,
            title=target.title,
            score=score,
            components=components,
            organisation_id=target.organisation_id,
            organisation_name=target.organisation_name,
            extra={"features": target},
        )
        for score, components, target in pool
        if score >= filters.min_score
    ]


def explain_listing_matches(source: ListingFeatures, matches: Sequence[Match]) -> None:
    """Fill in the reasons of the matches that will be shown."""
    names = term_names(set(source.topics) | set(source.sectors))
    residency_labels = {value: str(label) for value, label in DataResidency.choices}
    kinds = _kind_labels()
    for match in matches:
        target: ListingFeatures = match.extra["features"]
        need, offer = (source, target) if match.kind == "offer" else (target, source)
        match.reasons, match.caveats = engine.listing_reasons(
            need,
            offer,
            match.components,
            term_names=names,
            residency_labels=residency_labels,
            kind_labels=kinds,
        )


def listing_features(model: type[Offer] | type[Need], listing: Offer | Need) -> ListingFeatures:
    return load_listing_features(model, [listing.pk])[listing.pk]


def listing_pool(
    listing: Offer | Need, filters: ListingFilters | None = None
) -> tuple[ListingFeatures, list[Match]]:
    """The scored candidate pool for an offer or a need (without reasons)."""
    filters = filters or ListingFilters()
    model: type[Offer] | type[Need] = Need if isinstance(listing, Need) else Offer
    target: type[Offer] | type[Need] = Offer if model is Need else Need
    source = listing_features(model, listing)
    return source, _match_listing(source, model, target, filters)


def match_need(need: Need, filters: ListingFilters | None = None) -> list[Match]:
    """Offers for a need, best first, with reasons."""
    filters = filters or ListingFilters()
    source, matches = listing_pool(need, filters)
    shown = matches[: filters.limit]
    explain_listing_matches(source, shown)
    return shown


def match_offer(offer: Offer, filters: ListingFilters | None = None) -> list[Match]:
    """Needs an offer answers, best first, with reasons."""
    filters = filters or ListingFilters()
    source, matches = listing_pool(offer, filters)
    shown = matches[: filters.limit]
    explain_listing_matches(source, shown)
    return shown


# --- People ↔ people ----------------------------------------------------------------------


def _rows(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())


def _live_topics_of_organisations(
    model: type[Offer] | type[Need], org_ids: Sequence[int]
) -> dict[int, set[int]]:
    """(organisation → topics of its published, unexpired offers or needs)."""
    result: dict[int, set[int]] = defaultdict(set)
    if not org_ids:
        return result
    qn = connection.ops.quote_name
    through: Any = model.topics.through
    owner = qn(through._meta.get_field(model._meta.model_name or "").column)
    sql = (
        f"SELECT l.{qn('organisation_id')}, t.{qn('term_id')} "  # noqa: S608
        f"FROM {qn(through._meta.db_table)} t JOIN {qn(model._meta.db_table)} l "
        f"ON l.{qn('id')} = t.{owner} "
        f"WHERE l.{qn('organisation_id')} IN ({_ints(org_ids)}) AND l.{qn('status')} = %s "
        f"AND (l.{qn('expires_on')} IS NULL OR l.{qn('expires_on')} >= %s)"
    )
    for org_id, term_id in _rows(sql, [ListingStatus.PUBLISHED.value, timezone.localdate()]):
        result[org_id].add(term_id)
    return result


def _person_features(person_ids: Sequence[int]) -> dict[int, PersonFeatures]:
    if not person_ids:
        return {}
    ids = list(person_ids)
    qn = connection.ops.quote_name
    expertise = _pairs(Person.expertise.through, "person", ids)
    memberships: dict[int, set[int]] = defaultdict(set)
    for person_id, org_id in _rows(
        f"SELECT {qn('person_id')}, {qn('organisation_id')} "  # noqa: S608
        f"FROM {qn(Membership._meta.db_table)} WHERE {qn('person_id')} IN ({_ints(ids)})"
    ):
        memberships[person_id].add(org_id)
    org_ids = sorted({o for orgs in memberships.values() for o in orgs})
    org_topics = _pairs(Organisation.topics.through, "organisation", org_ids)
    org_sectors = _pairs(Organisation.sectors.through, "organisation", org_ids)
    org_region: dict[int, str] = {}
    if org_ids:
        org_region = dict(
            _rows(
                f"SELECT {qn('id')}, {qn('region')} "  # noqa: S608
                f"FROM {qn(Organisation._meta.db_table)} WHERE {qn('id')} IN ({_ints(org_ids)})"
            )
        )
    need_topics = _live_topics_of_organisations(Need, org_ids)
    offer_topics = _live_topics_of_organisations(Offer, org_ids)
    pending: dict[int, int] = defaultdict(int)
    for (recipient_id,) in _rows(
        f"SELECT {qn('recipient_id')} "  # noqa: S608
        f"FROM {qn(IntroductionRequest._meta.db_table)} "
        f"WHERE {qn('recipient_id')} IN ({_ints(ids)}) AND {qn('status')} = %s",
        [IntroductionStatus.PENDING.value],
    ):
        pending[recipient_id] += 1
    result: dict[int, PersonFeatures] = {}
    columns = ", ".join(qn(c) for c in ("id", "key", "name", "user_id", "city", "languages"))
    for pk, key, name, user_id, city, languages in _rows(
        f"SELECT {columns} FROM {qn(Person._meta.db_table)} "  # noqa: S608
        f"WHERE {qn('id')} IN ({_ints(ids)})"
    ):
        orgs = memberships.get(pk, set())
        own = set(expertise.get(pk, ()))
        offers = set(own)
        interests: set[int] = set()
        sectors: set[int] = set()
        for org in orgs:
            offers |= org_topics.get(org, set()) | offer_topics.get(org, set())
            interests |= need_topics.get(org, set())
            sectors |= org_sectors.get(org, set())
        region = next((org_region[o] for o in sorted(orgs) if org_region.get(o)), "") or city
        result[pk] = PersonFeatures(
            pk=pk,
            key=key,
            name=name,
            has_account=user_id is not None,
            region=region or "",
            languages=engine.languages_of(_json_list(languages)),
            offers=frozenset(offers),
            interests=frozenset(interests or own or offers),
            sectors=frozenset(sectors),
            organisation_ids=frozenset(orgs),
            pending_requests=pending.get(pk, 0),
        )
    return result


def _person_count() -> int:
    count = cache.get("lotse:matching:count:person")
    if count is None:
        count = Person.objects.count()
        cache.set("lotse:matching:count:person", count, 600)
    return int(count)


def _expertise_frequency(terms: Sequence[int]) -> dict[int, int]:
    """How many people have each term as expertise (cached for ten minutes)."""
    keys = {term: f"lotse:matching:expertise-df:{term}" for term in terms}
    cached = cache.get_many(list(keys.values()))
    frequency = {term: cached[key] for term, key in keys.items() if key in cached}
    missing = [term for term in terms if term not in frequency]
    if missing:
        fresh = {
            row["term_id"]: row["n"]
            for row in Person.expertise.through.objects.filter(term_id__in=missing)
            .values("term_id")
            .annotate(n=Count("person_id"))
        }
        for term in missing:
            frequency[term] = fresh.get(term, 0)
        cache.set_many({keys[term]: frequency[term] for term in missing}, 600)
    return frequency


def _person_candidates(me: PersonFeatures, visible: Q) -> tuple[list[int], dict[int, float]]:
    """Candidate people by IDF-weighted overlap, a bounded number of rows per term.

    Two sources, both reciprocal halves: people whose expertise covers what I seek,
    and members of organisations with open needs for what I bring.
    """
    seek = list(me.interests)
    bring = list(me.offers)
    terms = sorted(set(seek) | set(bring))
    if not terms:
        return [], {}
    through = Person.expertise.through
    idf = engine.idf_weights(_expertise_frequency(terms), max(1, _person_count()))
    scores: dict[int, float] = defaultdict(float)
    half = max(1, PERSON_CANDIDATE_LIMIT // 2)
    # Rare terms first: they single out the people who really fit.
    for term_id in sorted(seek, key=lambda t: -idf.get(t, 1.0))[:4]:
        for person_id in (
            through.objects.filter(visible, term_id=term_id)
            .order_by("-id")
            .values_list("person_id", flat=True)[:half]
        ):
            scores[person_id] += idf.get(term_id, 1.0)
    if bring:
        rare = sorted(bring, key=lambda t: -idf.get(t, 1.0))[:3]
        org_ids = list(
            Need.topics.through.objects.filter(_live_listings(Need, "need__"), term_id__in=rare)
            .values_list("need__organisation_id", flat=True)
            .distinct()[:half]
        )
        for person_id in Membership.objects.filter(
            visible, organisation_id__in=org_ids
        ).values_list("person_id", flat=True)[:half]:
            scores[person_id] += 1.0
    best = sorted(scores, key=lambda pk: (-scores[pk], -pk))[:PERSON_CANDIDATE_LIMIT]
    return best, idf


def _visible_people_condition(user: Any, *, prefix: str) -> Q:
    """``access.visible_people`` as a Q across a join (tests check they agree)."""
    if access.is_manager(user):
        return Q()
    levels = ["public", "members"] if access.is_member(user) else ["public"]
    condition = Q(**{f"{prefix}visibility__in": levels})
    if access.is_member(user):
        condition |= Q(**{f"{prefix}user_id": user.pk})
    return condition


def suggested_today(person_ids: Iterable[int], day: dt.date | None = None) -> dict[int, int]:
    day = day or timezone.localdate()
    return dict(
        PersonSuggestionCount.objects.filter(day=day, person_id__in=list(person_ids)).values_list(
            "person_id", "count"
        )
    )


def match_person(
    user: Any, person: Person, *, limit: int = DEFAULT_LIMIT, min_score: float = 0.0
) -> list[Match]:
    """Reciprocal contact suggestions for ``person`` among the people ``user`` may see.

    Both directions count (harmonic mean), people with many unanswered requests are
    down-weighted, and people already suggested ``LOTSE_PERSON_SUGGESTIONS_PER_DAY``
    times today are left out, so the most popular people are not flooded.
    """
    me = _person_features([person.pk]).get(person.pk)
    if me is None:
        return []
    visible = _visible_people_condition(user, prefix="person__") & ~Q(person_id=person.pk)
    if person.user_id:
        blocked_pairs = Block.objects.filter(
            Q(blocker_id=person.user_id) | Q(blocked_id=person.user_id)
        ).values_list("blocker_id", "blocked_id")
        excluded_users = {u for pair in blocked_pairs for u in pair} - {person.user_id}
        if excluded_users:
            visible &= ~Q(person__user_id__in=excluded_users)
    ids, idf = _person_candidates(me, visible)
    cap = daily_suggestion_cap()
    counts = suggested_today(ids)
    ids = [pk for pk in ids if counts.get(pk, 0) < cap]
    others = _person_features(ids)
    soft = pending_soft_limit()
    scored = []
    for other in others.values():
        if other.organisation_ids and other.organisation_ids & me.organisation_ids:
            continue  # colleagues know each other already
        score, components = engine.score_person_pair(me, other, idf=idf, pending_soft_limit=soft)
        if score > 0 and score >= min_score:
            scored.append((score, components, other))
    scored.sort(key=lambda item: (-item[0], item[2].pk))
    names = term_names(set(me.interests) | set(me.offers) | set(me.sectors))
    matches = []
    for score, components, other in scored[:limit]:
        reasons, caveats = engine.person_reasons(me, other, components, term_names=names)
        matches.append(
            Match(
                kind="person",
                pk=other.pk,
                key=other.key,
                title=other.name,
                score=score,
                components={k: v for k, v in components.items() if k in engine.FEATURES},
                reasons=reasons,
                caveats=caveats,
                extra={
                    "has_account": other.has_account,
                    "forward": components["forward"],
                    "backward": components["backward"],
                },
            )
        )
    return matches


def score_people_among(person: Person, candidate_ids: Sequence[int]) -> dict[int, Match]:
    """Reciprocal scores of ``person`` with a given pool (e.g. a conference's attendees).

    The same engine as :func:`match_person`, but the caller chooses the candidates
    (they opted in to meet), so no visibility filter or daily cap applies here.
    """
    me = _person_features([person.pk]).get(person.pk)
    ids = [pk for pk in candidate_ids if pk != person.pk]
    if me is None or not ids:
        return {}
    terms = sorted(set(me.interests) | set(me.offers))
    idf = engine.idf_weights(_expertise_frequency(terms), max(1, _person_count()))
    others = _person_features(ids)
    names = term_names(set(me.interests) | set(me.offers) | set(me.sectors))
    result: dict[int, Match] = {}
    for other in others.values():
        score, components = engine.score_person_pair(
            me, other, idf=idf, pending_soft_limit=pending_soft_limit()
        )
        reasons, caveats = engine.person_reasons(me, other, components, term_names=names)
        result[other.pk] = Match(
            kind="person",
            pk=other.pk,
            key=other.key,
            title=other.name,
            score=score,
            components={k: v for k, v in components.items() if k in engine.FEATURES},
            reasons=reasons,
            caveats=caveats,
            extra={},
        )
    return result


# --- Start-ups ↔ investors ------------------------------------------------------------------


def _funding_features(profiles: Sequence[FundingProfile]) -> dict[int, FundingFeatures]:
    ids = [p.pk for p in profiles]
    interest = _pairs(FundingProfile.sectors.through, "fundingprofile", ids)
    org_ids = [p.organisation_id for p in profiles]
    org_sectors = _pairs(Organisation.sectors.through, "organisation", org_ids)
    features = {}
    for profile in profiles:
        org = profile.organisation
        if profile.role == FundingRole.INVESTOR:
            sectors = frozenset(interest.get(profile.pk, ()))
            regions = frozenset(str(r) for r in profile.regions or [] if str(r).strip())
        else:
            sectors = frozenset(org_sectors.get(org.pk, ())) | frozenset(
                interest.get(profile.pk, ())
            )
            regions = frozenset({org.region} if org.region else set())
        features[profile.pk] = FundingFeatures(
            pk=profile.pk,
            organisation_id=org.pk,
            organisation_key=org.key,
            organisation_name=org.name,
            role=profile.role,
            stages=frozenset(str(s) for s in profile.stages or []),
            amount_sought=profile.amount_sought_eur,
            ticket_min=profile.ticket_min_eur,
            ticket_max=profile.ticket_max_eur,
            sectors=sectors,
            regions=regions,
        )
    return features


def match_funding(
    organisation: Organisation, *, limit: int = DEFAULT_LIMIT, min_score: float = 0.0
) -> list[Match]:
    """Investors for a start-up or start-ups for an investor, by stage, ticket, sector, region."""
    profile = (
        FundingProfile.objects.select_related("organisation")
        .filter(organisation=organisation)
        .first()
    )
    if profile is None:
        return []
    other_role = (
        FundingRole.STARTUP if profile.role == FundingRole.INVESTOR else FundingRole.INVESTOR
    )
    others = list(
        FundingProfile.objects.select_related("organisation")
        .filter(role=other_role, active=True)
        .exclude(organisation=organisation)
    )
    features = _funding_features([profile, *others])
    me = features[profile.pk]
    all_sectors = {t for f in features.values() for t in f.sectors}
    idf = dict.fromkeys(all_sectors, 1.0)
    stage_labels = {value: str(label) for value, label in FundingStage.choices}
    names = term_names(all_sectors)
    scored = []
    for other in others:
        them = features[other.pk]
        startup, investor = (me, them) if profile.role == FundingRole.STARTUP else (them, me)
        components = engine.score_funding_pair(startup, investor, idf=idf)
        score = engine.weighted_mean(components, engine.FUNDING_WEIGHTS)
        if score >= min_score:
            scored.append((score, components, startup, investor, them))
    scored.sort(key=lambda item: (-item[0], item[4].pk))
    matches = []
    for score, components, startup, investor, them in scored[:limit]:
        reasons, caveats = engine.funding_reasons(
            startup, investor, components, term_names=names, stage_labels=stage_labels
        )
        matches.append(
            Match(
                kind=them.role,
                pk=them.organisation_id,
                key=them.organisation_key,
                title=them.organisation_name,
                score=score,
                components=components,
                reasons=reasons,
                caveats=caveats,
                organisation_id=them.organisation_id,
                organisation_name=them.organisation_name,
            )
        )
    return matches


# --- Fair exposure ------------------------------------------------------------------------


def exposure_state(organisation_ids: Iterable[int]) -> dict[int, engine.ExposureState]:
    return {
        org_id: engine.ExposureState(exposure=exposure, merit=merit)
        for org_id, exposure, merit in OrganisationExposure.objects.filter(
            organisation_id__in=list(organisation_ids)
        ).values_list("organisation_id", "exposure", "merit")
    }


# --- Introductions ------------------------------------------------------------------------


def person_of(user: Any) -> Person | None:
    if not access.is_member(user):
        return None
    return Person.objects.filter(user=user).first()


def inbox(user: Any) -> QuerySet[IntroductionRequest]:
    return (
        IntroductionRequest.objects.filter(recipient__user=user)
        .select_related("sender_person", "recipient", "organisation")
        .order_by("-created_at")
    )


def outbox(user: Any) -> QuerySet[IntroductionRequest]:
    return (
        IntroductionRequest.objects.filter(sender=user)
        .select_related("sender_person", "recipient", "organisation")
        .order_by("-created_at")
    )


def can_view_request(user: Any, request: IntroductionRequest) -> bool:
    if not access.is_member(user):
        return False
    return request.sender_id == user.pk or request.recipient.user_id == user.pk


def can_decide_request(user: Any, request: IntroductionRequest) -> bool:
    return (
        access.is_member(user)
        and request.status == IntroductionStatus.PENDING
        and request.recipient.user_id == user.pk
    )


def can_mark_alliance(user: Any, request: IntroductionRequest) -> bool:
    return (
        can_view_request(user, request)
        and request.status == IntroductionStatus.ACCEPTED
        and not Alliance.objects.filter(introduction=request).exists()
    )


def contact_details(user: Any, request: IntroductionRequest) -> dict[str, str] | None:
    """E-mail addresses of both sides, only to the two of them and only after acceptance."""
    if request.status != IntroductionStatus.ACCEPTED or not can_view_request(user, request):
        return None
    return {
        "sender_name": request.sender_person.name,
        "sender_email": request.sender_person.email or request.sender.email,
        "recipient_name": request.recipient.name,
        "recipient_email": request.recipient.email
        or (request.recipient.user.email if request.recipient.user else ""),
    }


def requests_sent_since(user: Any, since: dt.datetime) -> int:
    return IntroductionRequest.objects.filter(sender=user, created_at__gte=since).count()


def is_blocked(sender: Any, recipient_user_id: int) -> bool:
    return Block.objects.filter(blocker_id=recipient_user_id, blocked_id=sender.pk).exists()


def organisation_contact(organisation: Organisation) -> Person | None:
    """Who receives requests addressed to an organisation: its profile admins first."""
    memberships = (
        Membership.objects.filter(organisation=organisation, person__user__isnull=False)
        .select_related("person")
        .order_by("-role", "pk")
    )
    admin = next((m.person for m in memberships if m.role == "admin"), None)
    return admin or next((m.person for m in memberships), None)


# --- Alliances ------------------------------------------------------------------------------


@dataclass
class AllianceFigures:
    total: int
    kinds: list[tuple[str, str]]  # (value, label) of the organisation kinds involved
    matrix: list[list[int]]  # symmetric counts, same order as ``kinds``
    by_collaboration: list[tuple[str, int]] = field(default_factory=list)
    pairs: list[tuple[str, str, int]] = field(default_factory=list)  # label a, label b, count

    @property
    def rows(self) -> list[tuple[str, list[int]]]:
        return [(label, self.matrix[i]) for i, (_value, label) in enumerate(self.kinds)]


def alliance_figures(*, kinds: Sequence[str] = (), regions: Sequence[str] = ()) -> AllianceFigures:
    """How many alliances the network fostered and between which kinds of organisations.

    ``kinds``/``regions`` narrow to alliances where at least one side is of such a kind
    or from such a region (the overview page's filters).
    """
    from lotse.matching.models import CollaborationKind

    labels = dict(OrganisationKind.choices)
    unknown = "unknown"
    counts: dict[tuple[str, str], int] = defaultdict(int)
    total = 0
    by_kind: dict[str, int] = defaultdict(int)
    alliances = Alliance.objects.all()
    if kinds:
        alliances = alliances.filter(Q(kind_a__in=kinds) | Q(kind_b__in=kinds))
    if regions:
        alliances = alliances.filter(
            Q(organisation_a__region__in=regions) | Q(organisation_b__region__in=regions)
        )
    for kind_a, kind_b, collaboration in alliances.values_list("kind_a", "kind_b", "kind"):
        total += 1
        a, b = sorted((kind_a or unknown, kind_b or unknown))
        counts[(a, b)] += 1
        by_kind[collaboration] += 1
    involved = sorted(
        {k for pair in counts for k in pair},
        key=lambda k: list(labels).index(k) if k in labels else len(labels),
    )

    def label(value: str) -> str:
        return str(labels.get(value, gettext("ohne Organisation")))

    index = {kind: i for i, kind in enumerate(involved)}
    matrix = [[0] * len(involved) for _ in involved]
    for (a, b), count in counts.items():
        matrix[index[a]][index[b]] += count
        if a != b:
            matrix[index[b]][index[a]] += count
    collaboration_labels = dict(CollaborationKind.choices)
    return AllianceFigures(
        total=total,
        kinds=[(k, label(k)) for k in involved],
        matrix=matrix,
        by_collaboration=[
            (str(collaboration_labels.get(k, k)), n)
            for k, n in sorted(by_kind.items(), key=lambda item: -item[1])
        ],
        pairs=sorted(
            ((label(a), label(b), n) for (a, b), n in counts.items()),
            key=lambda item: (-item[2], item[0], item[1]),
        ),
    )


def overview_alliances(
    user: Any, *, kinds: Sequence[str] = (), regions: Sequence[str] = ()
) -> dict[str, Any]:
    """The overview page's hook (``lotse.ecosystem.overview.alliance_figures``)."""
    return {"figures": alliance_figures(kinds=kinds, regions=regions)}
