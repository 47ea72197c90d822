"""The search API the directory calls.

``search(query, types=..., limit=..., offset=..., mode=...)`` returns ranked
hits with an HTML-safe snippet; ``autocomplete(prefix)`` suggests titles.
Neither ever raises on user input: every query is reduced to plain tokens.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from array import array
from collections import Counter, OrderedDict
from collections.abc import Collection
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, cast

from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.db.models import IntegerField, Max, Model, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from lotse.core.sql import id_list, pg_array_literal

from . import analysis
from .documents import (
    ENTITY_TYPES,
    FACET_LOOKUPS,
    FACET_RECORD_SEPARATOR,
    facet_needle,
    facet_tokens,
)
from .embeddings import get_embedder
from .index import (
    GENERATION_KEY,
    bump_generation,
    keyword_match_sql,
    keyword_ranking,
    prefix_titles,
    vectors,
)
from .models import SearchDocument
from .text import MAX_QUERY_CHARS, ParsedQuery, fold, highlight, words

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=Model)
Mode = Literal["hybrid", "keyword", "semantic"]
MODES = ("hybrid", "keyword", "semantic")
RRF_K = 60
CANDIDATES = 100
MAX_LIMIT = 100
MAX_OFFSET = 1000
# Cosine below which a purely semantic neighbour is no answer at all.
MIN_SEMANTIC_SCORE = 0.30


@dataclass
class Hit:
    type: str
    key: str
    title: str
    score: float
    snippet: SafeString
    matched: str  # "keyword", "semantic" or "both": why this is a hit
    pk: int = 0
    url: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "type": self.type,
            "key": self.key,
            "title": self.title,
            "score": round(self.score, 6),
            "matched": self.matched,
        }


@dataclass
class SearchResult:
    query: str
    mode: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    message: str = ""
    corrections: dict[str, list[str]] = field(default_factory=dict)
    exact: int = 0  # hits that contain the query's words (the rest are only similar)


def _fuse(rankings: list[list[tuple[int, float]]]) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: sum of 1 / (k + rank) over the rankings."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, (doc_id, _) in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


@functools.cache
def _semantic_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="lotse-vectors")


def _semantic_ranking(
    query: str, data: Any, *, types: set[str] | None, members: bool, depth: int
) -> list[tuple[int, float]]:
    text = " ".join(words(query[:MAX_QUERY_CHARS]))
    vector = get_embedder().encode([text])[0]
    return vectors.ranking(
        vector,
        types=types,
        members=members,
        limit=depth,
        min_score=MIN_SEMANTIC_SCORE,
        data=data,
    )


def _rank(
    parsed: ParsedQuery,
    query: str,
    *,
    mode: str,
    types: set[str] | None,
    members: bool,
    depth: int,
) -> tuple[list[tuple[int, float]], list[tuple[int, float]], list[tuple[int, float]]]:
    """(fused ranking, keyword ranking, semantic ranking) of document ids.

    The vector half (query embedding and matrix product, numpy, which releases
    the GIL) runs in a helper thread while this thread waits for the keyword
    SQL, so in hybrid mode the two halves overlap instead of adding up (p95 at
    577,000 documents: SQLite 48 -> 32 ms, PostgreSQL 51 -> 30 ms for the two
    halves).  That needs single-threaded BLAS (``lotse.search.apps``), else
    numpy's own threads and the SQL compete for the two cores.  The matrix
    snapshot is taken here: the helper thread touches no database connection."""
    rankings: list[list[tuple[int, float]]] = []
    keyword: list[tuple[int, float]] = []
    semantic: list[tuple[int, float]] = []
    # No vectors yet (keyword-only index): do not embed the query for nothing.
    data = vectors.current() if mode in ("hybrid", "semantic") else None
    pending: Future[list[tuple[int, float]]] | None = None
    if data is not None:
        pending = _semantic_pool().submit(
            _semantic_ranking, query, data, types=types, members=members, depth=depth
        )
    try:
        if mode in ("hybrid", "keyword"):
            keyword, complete = keyword_ranking(
                parsed, types=types, members=members, limit=depth
            )
            rankings.append(keyword)
            if mode == "hybrid" and len(parsed.clauses) > 1:
                # Documents that match every concept of the query get a second vote.
                rankings.append(keyword[:complete])
    finally:
        if pending is not None:
            semantic = pending.result()
    if pending is not None:
        rankings.append(semantic)
    fused = _fuse(rankings) if mode == "hybrid" else rankings[0]
    return fused, keyword, semantic


def search(
    query: str,
    *,
    types: set[str] | None = None,
    limit: int = 20,
    offset: int = 0,
    mode: str = "hybrid",
    members: bool = False,
) -> SearchResult:
    """Ranked hits for ``query``.  ``members=True`` includes members-only profiles."""
    from django.utils.translation import gettext as _

    mode = mode if mode in MODES else "hybrid"
    result = SearchResult(query=query if isinstance(query, str) else "", mode=mode)
    try:
        limit = max(1, min(int(limit), MAX_LIMIT))
        offset = max(0, min(int(offset), MAX_OFFSET))
    except (TypeError, ValueError):
        limit, offset = 20, 0
    if types is not None:
        types = {t for t in types if t in ENTITY_TYPES}
    if len(result.query) > MAX_QUERY_CHARS:
        result.message = _("Die Suchanfrage war sehr lang; nur ihr Anfang wurde berücksichtigt.")
    analysis.refresh_vocabulary()
    parsed = analysis.get_analyzer().parse(result.query)
    result.corrections = parsed.corrections
    if parsed.is_empty:
        if not result.message:
            result.message = _("Bitte geben Sie einen Suchbegriff ein.")
        return result
    want = offset + limit
    fused, keyword, semantic = _rank(
        parsed, result.query, mode=mode, types=types, members=members,
        depth=max(CANDIDATES, want),
    )
    window = fused[: want + 20]
    rows = SearchDocument.objects.in_bulk([doc_id for doc_id, _ in window])
    alive = [(doc_id, score) for doc_id, score in window if doc_id in rows]
    result.total = len(fused) - (len(window) - len(alive))
    keyword_ids = {doc_id for doc_id, _ in keyword}
    result.exact = len(keyword_ids)
    semantic_ids = {doc_id for doc_id, _ in semantic}
    matched_tokens = parsed.tokens()
    analyzer = analysis.get_analyzer()
    for doc_id, score in alive[offset:want]:
        row = rows[doc_id]
        in_kw, in_sem = doc_id in keyword_ids, doc_id in semantic_ids
        result.hits.append(
            Hit(
                type=row.entity_type,
                key=row.key,
                title=row.title,
                score=score,
                snippet=mark_safe(  # noqa: S308 - highlight() escapes everything itself
                    highlight(row.body or row.title, matched_tokens, analyzer.cached_word_tokens)
                ),
                matched="both" if in_kw and in_sem else ("keyword" if in_kw else "semantic"),
                pk=row.entity_pk,
            )
        )
    if not result.hits and not result.message:
        result.message = _("Keine Treffer. Versuchen Sie andere oder allgemeinere Begriffe.")
    return result


def autocomplete(
    prefix: str, limit: int = 8, *, types: set[str] | None = None
) -> list[dict[str, str]]:
    """Title suggestions for the search box: [{"type", "key", "title", "label"}]."""
    if not isinstance(prefix, str):
        return []
    limit = max(1, min(int(limit), 20))
    prefix_words = list(words(fold(prefix[:200])))[-4:]
    if not prefix_words:
        return []
    rows = prefix_titles(prefix_words, limit=limit, types=types)
    return [
        {"type": t, "key": k, "title": title, "label": str(escape(title))}
        for _, t, k, title in rows
    ]


# --- the directory's search seam ---------------------------------------------------
DIRECTORY_DEPTH = 500
"""At most this many entries of one type answer a directory query (best first)."""


def ranked_entity_pks(
    query: str, *, entity: str, limit: int = DIRECTORY_DEPTH, members: bool = True
) -> list[int]:
    """Primary keys of ``entity`` rows matching ``query``, most relevant first."""
    if entity not in ENTITY_TYPES or not isinstance(query, str):
        return []
    analysis.refresh_vocabulary()
    parsed = analysis.get_analyzer().parse(query)
    if parsed.is_empty:
        return []
    fused, _, _ = _rank(
        parsed, query, mode="hybrid", types={entity}, members=members, depth=limit
    )
    doc_ids = [doc_id for doc_id, _ in fused[:limit]]
    pk_of = dict(
        SearchDocument.objects.filter(id__in=id_list(doc_ids)).values_list("id", "entity_pk")
    )
    return [int(pk_of[doc_id]) for doc_id in doc_ids if doc_id in pk_of]


def index_covers(entity: str) -> bool:
    """Whether the index holds documents of this type (False before the first build)."""
    return SearchDocument.objects.filter(entity_type=entity).exists()


MATERIALISE = 50_000
"""Keyword matches up to this many are fetched once and passed on as ids."""


@dataclass(frozen=True)
class MatchedFacets:
    """The facet values of exactly the entries a directory query matched, read
    from the index together with the match (``SearchDocument.facets``)."""

    lookups: frozenset[str]
    """The facets carried (``documents.FACET_LOOKUPS``): a lookup missing from
    an entry's values means the entry has no value for it."""
    texts: dict[int, str]
    """Entity pk → its stored ``facets`` text."""

    def having(self, lookup: str, values: Collection[object]) -> set[int]:
        """The entries with any of ``values`` for ``lookup``."""
        needles = [facet_needle(lookup, value) for value in values]
        if len(needles) == 1:
            needle = needles[0]
            return {pk for pk, text in self.texts.items() if needle in text}
        return {pk for pk, text in self.texts.items() if any(n in text for n in needles)}

    def tally(self, pks: Collection[int]) -> Counter[str]:
        """How many of the entries ``pks`` (all matched) carry each ``lookup=value``."""
        if len(pks) == len(self.texts):
            return self._whole_tally
        return Counter(facet_tokens(map(self.texts.__getitem__, pks)))

    @functools.cached_property
    def _whole_tally(self) -> Counter[str]:
        # Every match's counts: the same for each request that refines this
        # query (the match is remembered), so counted once.
        return Counter(facet_tokens(self.texts.values()))


def _matched_facets(
    entity: str, stored: dict[int, str | None], pks: set[int]
) -> MatchedFacets | None:
    """Facet texts for every pk in ``pks`` (``stored`` holds those the match
    returned; the rest, semantic hits, are read in one query), or None while
    any of them has none yet (an index from before migration 0009)."""
    missing = pks.difference(stored)
    if missing:
        stored = dict(stored)
        stored.update(
            SearchDocument.objects.filter(
                entity_type=entity, entity_pk__in=id_list(missing)
            ).values_list("entity_pk", "facets")
        )
        if len(stored) != len(pks):
            stored = {pk: stored.get(pk) for pk in pks}
    if None in stored.values():
        return None
    return MatchedFacets(frozenset(FACET_LOOKUPS[entity]), cast(dict[int, str], stored))


@dataclass(frozen=True)
class _DirectoryMatch:
    """What one directory query found (kept a while by :func:`_recall_match`)."""

    pks: list[int]
    """The best DIRECTORY_DEPTH entries, best first (semantic hits included)."""
    exact: frozenset[int] | None
    """Every keyword match and ``pks``; None: more than MATERIALISE keyword matches."""
    facets: MatchedFacets | None
    """The facet values of ``exact`` (types that carry them, index from 0009 on)."""


def _match(query: str, entity: str) -> _DirectoryMatch:
    pks = ranked_entity_pks(query, entity=entity)
    parsed = analysis.get_analyzer().parse(query)
    if parsed.is_empty:
        return _DirectoryMatch(pks, None, None)
    # Every keyword match belongs to the result (facets must see all of them);
    # the ranked best few, semantic ones included, come first.
    carried = entity in FACET_LOOKUPS
    fetch, fetch_params = keyword_match_sql(
        parsed, entity=entity, members=True, standalone=True, facets=carried
    )
    with connection.cursor() as cursor:
        cursor.execute(fetch + " LIMIT %s", [*fetch_params, MATERIALISE + 1])
        rows = cursor.fetchall()
    if len(rows) > MATERIALISE:
        return _DirectoryMatch(pks, None, None)
    if not carried:
        return _DirectoryMatch(pks, frozenset(row[0] for row in rows).union(pks), None)
    stored: dict[int, str | None] = dict(rows)  # (entity_pk, facets) rows: built in C
    exact = frozenset(stored).union(pks)
    return _DirectoryMatch(pks, exact, _matched_facets(entity, stored, set(exact)))


MATCH_CACHE_SIZE = 8
MATCH_CACHE_MAX = 20_000
MATCH_CACHE_SECONDS = 30.0
_match_cache: OrderedDict[tuple[Any, ...], tuple[float, _DirectoryMatch]] = OrderedDict()
_match_lock = threading.Lock()


def clear_match_cache() -> None:
    """Forget every remembered match, in this process and (by a new index
    generation) in the shared cache."""
    with _match_lock:
        _match_cache.clear()
    bump_generation()


def _pack(match: _DirectoryMatch) -> tuple[bytes, bytes | None, str | None]:
    """A compact, quickly restored form for the shared cache: ids as 8-byte
    integers, the facet texts as one string (no object per entry to pickle)."""
    ranked = array("q", match.pks).tobytes()
    if match.exact is None:
        return ranked, None, None
    ids = array("q", sorted(match.exact))
    texts = None
    if match.facets is not None:
        texts = FACET_RECORD_SEPARATOR.join(map(match.facets.texts.__getitem__, ids))
    return ranked, ids.tobytes(), texts


def _unpack(entity: str, packed: tuple[bytes, bytes | None, str | None]) -> _DirectoryMatch:
    ranked, ids_bytes, texts = packed
    pks = array("q", ranked).tolist()
    if ids_bytes is None:
        return _DirectoryMatch(pks, None, None)
    ids = array("q", ids_bytes).tolist()
    facets = None
    if texts is not None:
        records = dict(zip(ids, texts.split(FACET_RECORD_SEPARATOR), strict=True))
        facets = MatchedFacets(frozenset(FACET_LOOKUPS[entity]), records)
    return _DirectoryMatch(pks, frozenset(ids), facets)


def _cache_is_shared() -> bool:
    """Whether the default cache reaches other processes (Redis in production).

    The embedded default, a cache in this process's memory, would only hold a
    second, pickled copy of what ``_match_cache`` holds (~1 MB for 6,600
    matches, up to the cache's 300 entries) and cost ~2 ms per new search."""
    return not isinstance(caches["default"], (LocMemCache, DummyCache))


def _recall_match(query: str, entity: str) -> _DirectoryMatch:
    """:func:`_match`, remembered for the last few queries: in this process and
    in the shared cache (Redis in production, so the next request of a search
    finds it whichever worker process answers).

    Refining a search (a facet, the next page, another sort) asks the same
    query again; the match and its facet values (at full scale 6,600
    organisations for "Archiv": the ranking and the match are about half of
    the page's time) are then reused.  Keyed by the index's newest revision
    (every write), the index generation (every write and removal, via the
    cache) and the analyser's version (synonyms, terms); at most
    MATCH_CACHE_SECONDS old, so a removal that another process made without
    a shared cache counts at most that long.  Results with more than
    MATCH_CACHE_MAX entries are not kept (memory)."""
    revision = SearchDocument.objects.aggregate(m=Max("revision"))["m"] or 0
    versions = cache.get_many([GENERATION_KEY, analysis.VERSION_KEY])
    version = versions.get(analysis.VERSION_KEY)
    if version is None:  # a new cache: set now, not by the analyser during the match
        version = analysis.current_version()
    key = (entity, query, revision, versions.get(GENERATION_KEY), version)
    shared_key = "search:match:" + hashlib.sha256(repr(key).encode()).hexdigest()
    now = time.monotonic()
    with _match_lock:
        kept = _match_cache.get(key)
        if kept is not None and now - kept[0] < MATCH_CACHE_SECONDS:
            _match_cache.move_to_end(key)
            return kept[1]
    shared = _cache_is_shared()
    packed = cache.get(shared_key) if shared else None
    if packed is not None:
        match = _unpack(entity, packed)
    else:
        match = _match(query, entity)
        if match.exact is not None and len(match.exact) > MATCH_CACHE_MAX:
            return match
        if shared:
            cache.set(shared_key, _pack(match), MATCH_CACHE_SECONDS)
    with _match_lock:
        _match_cache[key] = (now, match)
        _match_cache.move_to_end(key)
        while len(_match_cache) > MATCH_CACHE_SIZE:
            _match_cache.popitem(last=False)
    return match


def filter_queryset(queryset: QuerySet[M], query: str, *, entity: str) -> QuerySet[M]:
    """Narrow ``queryset`` to the entries matching ``query``, annotated ``search_rank``.

    ``search_rank`` (0 = best) lets the directory sort by relevance.  The
    queryset keeps its own visibility rules; the index only proposes
    candidates.  Before the index was ever built the plain ``icontains``
    search answers, so a fresh installation still finds something.
    """
    if not index_covers(entity):
        return _icontains(queryset, query, entity=entity)
    match = _recall_match(query, entity)
    pks = match.pks
    if match.exact is not None:
        # Evaluated once: counts, facets and the page read these ids
        # instead of matching the full text again.
        condition = Q(pk__in=id_list(match.exact))
    else:  # more keyword matches than MATERIALISE, or no words to match
        parsed = analysis.get_analyzer().parse(query)
        if parsed.is_empty:
            return queryset.none().annotate(search_rank=Value(0, output_field=IntegerField()))
        sql, params = keyword_match_sql(parsed, entity=entity, members=True)
        condition = Q(pk__in=RawSQL(sql, params))  # noqa: S611 - values bound
        # Only ranked entries outside the keyword matches (semantic or
        # partial hits) need their own condition.
        extra = _outside_matches(pks, sql, params)
        if extra:
            condition |= Q(pk__in=extra)
    result = queryset.filter(condition).annotate(search_rank=_position_in(queryset, pks))
    if match.exact is not None and not queryset.query.where:
        # The unfiltered table narrowed by these ids: the result *is* the ids.
        # Facet counting reads them (and, where the index carries them, their
        # facet values) instead of fetching them again; any further filter
        # makes a clone, which carries neither.
        result.matched_ids = match.exact
        if match.facets is not None:
            result.matched_facets = match.facets
    return result


def _outside_matches(pks: list[int], sql: str, params: list[Any]) -> list[int]:
    """The ranked ids that are not among the keyword matches (one query)."""
    if not pks:
        return []
    placeholders = ",".join(["%s"] * len(pks))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m.entity_pk FROM ({sql}) m WHERE m.entity_pk IN ({placeholders})",  # noqa: S608
            [*params, *pks],
        )
        inside = {int(row[0]) for row in cursor.fetchall()}
    return [pk for pk in pks if pk not in inside]


def _position_in(queryset: QuerySet[Any], pks: list[int]) -> RawSQL:
    """An SQL expression: the row's position in ``pks`` (cheap even for 500 ids,
    unlike a CASE with one WHEN per id, which Django takes ~0.2 s to build)."""
    column = f'{connection.ops.quote_name(queryset.model._meta.db_table)}."id"'
    last = 2**31 - 1  # entries outside the ranked list come after it
    if connection.vendor == "postgresql":
        # One text literal, bound once for every query the page runs (count, keys, rows).
        return RawSQL(  # noqa: S611 - values bound
            f"coalesce(array_position(%s::bigint[], {column}), {last})",
            (pg_array_literal(pks),),
        )
    joined = "," + ",".join(str(int(pk)) for pk in pks) + ","
    return RawSQL(  # noqa: S611 - values bound
        f"coalesce(nullif(instr(%s, ',' || {column} || ','), 0), {last})", (joined,)
    )


def _icontains(queryset: QuerySet[M], query: str, *, entity: str) -> QuerySet[M]:
    from lotse.ecosystem.selectors import SEARCH_FIELDS

    condition = Q()
    for term in query.split()[:8]:
        term_condition = Q()
        for field_name in SEARCH_FIELDS.get(entity, ()):
            term_condition |= Q(**{f"{field_name}__icontains": term})
        condition &= term_condition
    return queryset.filter(condition).annotate(
        search_rank=Value(0, output_field=IntegerField())
    )


def snippets_for(entity: str, pks: list[int], query: str) -> dict[int, SafeString]:
    """Highlighted snippets (why it matched) for some entries of one type; one query."""
    if not pks or entity not in ENTITY_TYPES:
        return {}
    parsed = analysis.get_analyzer().parse(query if isinstance(query, str) else "")
    if parsed.is_empty:
        return {}
    matched = parsed.tokens()
    analyzer = analysis.get_analyzer()
    rows = SearchDocument.objects.filter(entity_type=entity, entity_pk__in=pks).values_list(
        "entity_pk", "title", "body"
    )
    out: dict[int, SafeString] = {}
    for pk, title, body in rows:
        snippet = highlight(body or title, matched, analyzer.cached_word_tokens)
        if "<mark>" in snippet:
            out[int(pk)] = mark_safe(snippet)  # noqa: S308 - highlight() escapes everything
    return out


# --- pages ---------------------------------------------------------------------------
URL_NAMES = {
    "organisation": "ecosystem:organisation_detail",
    "person": "ecosystem:person_detail",
    "offer": "ecosystem:offer_detail",
    "need": "ecosystem:need_detail",
}


def clean_query(query: object) -> str:
    """Trim a user query (the analyser bounds it further); never raises."""
    if not isinstance(query, str):
        return ""
    return " ".join(query.replace("\x00", " ").split())[:MAX_QUERY_CHARS + 1]


def url_of(entity_type: str, key: str) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(URL_NAMES[entity_type], kwargs={"key": key})
    except (KeyError, NoReverseMatch):
        return ""


def visible_search(user: Any, query: str, **options: Any) -> SearchResult:
    """:func:`search` for one visitor: members-only profiles for members, and every hit
    re-checked against the directory's visibility rules (e.g. expired offers)."""
    from lotse.ecosystem import access
    from lotse.ecosystem.models import Need, Offer, Organisation, Person

    result = search(query, members=access.is_member(user), **options)
    by_type: dict[str, set[int]] = {}
    for hit in result.hits:
        by_type.setdefault(hit.type, set()).add(hit.pk)
    visible: dict[str, set[int]] = {}
    for entity_type, pks in by_type.items():
        qs: QuerySet[Any]
        if entity_type == "person":
            qs = access.visible_people(user, Person.objects.filter(pk__in=pks))
        elif entity_type in ("offer", "need"):
            model = Offer if entity_type == "offer" else Need
            qs = access.visible_listings(user, model.objects.filter(pk__in=pks))
        else:
            qs = Organisation.objects.filter(pk__in=pks)
        visible[entity_type] = set(qs.values_list("pk", flat=True))
    kept = [hit for hit in result.hits if hit.pk in visible.get(hit.type, set())]
    result.total -= len(result.hits) - len(kept)
    result.hits = kept
    for hit in kept:
        hit.url = url_of(hit.type, hit.key)
    return result
