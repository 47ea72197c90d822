"""The search API the directory calls.

``search(query, types=..., limit=..., offset=..., mode=...)`` returns ranked
hits with an HTML-safe snippet; ``autocomplete(prefix)`` suggests titles.
Neither ever raises on user input: every query is reduced to plain tokens.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import analysis
from .documents import ENTITY_TYPES
from .embeddings import get_embedder
from .index import keyword_ranking, prefix_titles, vectors
from .models import SearchDocument
from .text import MAX_QUERY_CHARS, fold, highlight, words

logger = logging.getLogger(__name__)

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


def _fuse(rankings: list[list[tuple[int, float]]]) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: sum of 1 / (k + rank) over the rankings."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, (doc_id, _) in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


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
    depth = max(CANDIDATES, want)
    rankings: list[list[tuple[int, float]]] = []
    keyword: list[tuple[int, float]] = []
    semantic: list[tuple[int, float]] = []
    if mode in ("hybrid", "keyword"):
        keyword, complete = keyword_ranking(parsed, types=types, members=members, limit=depth)
        rankings.append(keyword)
        if mode == "hybrid" and len(parsed.clauses) > 1:
            # Documents that match every concept of the query get a second vote.
            rankings.append(keyword[:complete])
    if mode in ("hybrid", "semantic"):
        text = " ".join(words(result.query))
        vector = get_embedder().encode([text])[0]
        semantic = vectors.ranking(
            vector, types=types, members=members, limit=depth, min_score=MIN_SEMANTIC_SCORE
        )
        rankings.append(semantic)
    if mode == "hybrid":
        fused = _fuse(rankings)
    else:
        fused = rankings[0]
    window = fused[: want + 20]
    rows = SearchDocument.objects.in_bulk([doc_id for doc_id, _ in window])
    alive = [(doc_id, score) for doc_id, score in window if doc_id in rows]
    result.total = len(fused) - (len(window) - len(alive))
    keyword_ids = {doc_id for doc_id, _ in keyword}
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
                    highlight(row.body or row.title, matched_tokens, analyzer.word_tokens)
                ),
                matched="both" if in_kw and in_sem else ("keyword" if in_kw else "semantic"),
                pk=row.entity_pk,
            )
        )
    if not result.hits and not result.message:
        result.message = _("Keine Treffer. Versuchen Sie andere oder allgemeinere Begriffe.")
    return result


def autocomplete(prefix: str, limit: int = 8) -> list[dict[str, str]]:
    """Title suggestions for the search box: [{"type", "key", "title", "label"}]."""
    if not isinstance(prefix, str):
        return []
    limit = max(1, min(int(limit), 20))
    prefix_words = [w for w in words(fold(prefix[:200]))][-4:]
    if not prefix_words:
        return []
    rows = prefix_titles(prefix_words, limit=limit)
    return [
        {"type": t, "key": k, "title": title, "label": str(escape(title))}
        for _, t, k, title in rows
    ]
