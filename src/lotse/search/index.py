"""Writing the search index and querying its two halves (keyword, vector).

Keyword half: SQLite FTS5 (``search_fts``) or PostgreSQL ``tsv`` (GIN), both
over the token text produced by :mod:`lotse.search.text`.
Vector half: :mod:`lotse.search.vectors` (in memory, exact for small indexes,
an inverted file above 50,000 vectors), re-exported here as ``vectors``.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, transaction

from . import analysis
from .documents import ENTITY_TYPES, TYPE_CODES, DocData, iter_documents
from .embeddings import get_embedder, to_bytes
from .models import SearchDocument, SearchTerm
from .text import Analyzer, ParsedQuery, words

BATCH = 500


def _revision() -> int:
    return time.time_ns()


# --- writing --------------------------------------------------------------------
def _rows(
    docs: Sequence[DocData], analyzer: Analyzer, revision: int, *, embed: bool = True
) -> list[SearchDocument]:
    vectors = (
        get_embedder().encode([embed_text(d.title, d.body) for d in docs])
        if docs and embed
        else None
    )
    rows = []
    for i, doc in enumerate(docs):
        rows.append(
            SearchDocument(
                entity_type=doc.entity_type,
                entity_pk=doc.entity_pk,
                key=doc.key[:120],
                title=doc.title[:300],
                body=doc.body,
                title_tokens=analyzer.document_text(doc.title),
                body_tokens=analyzer.document_text(doc.body),
                title_words=" ".join(words(doc.title)),
                embedding=to_bytes(vectors[i]) if vectors is not None else None,
                members_only=doc.members_only,
                revision=revision,
            )
        )
    return rows


def _add_vocabulary(rows: Iterable[SearchDocument], revision: int) -> None:
    terms: set[str] = set()
    for row in rows:
        terms.update(row.title_tokens.split())
        terms.update(row.body_tokens.split())
    terms = {t for t in terms if len(t) <= 100}
    if terms:
        existing = set(
            SearchTerm.objects.filter(term__in=list(terms)).values_list("term", flat=True)
        )
        fresh = [SearchTerm(term=t, df=1, revision=revision) for t in terms - existing]
        SearchTerm.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=1000)


@transaction.atomic
def update_entities(items: Iterable[tuple[str, int]]) -> int:
    """Re-index the given (entity type, pk) pairs; removes what may no longer be found."""
    by_type: dict[str, set[int]] = {}
    for entity_type, pk in items:
        if entity_type in TYPE_CODES:
            by_type.setdefault(entity_type, set()).add(int(pk))
    if not by_type:
        return 0
    analyzer = analysis.get_analyzer()
    revision = _revision()
    written = 0
    for entity_type, pks in by_type.items():
        docs = [doc for _, doc in iter_documents(entity_type, pks) if doc is not None]
        SearchDocument.objects.filter(entity_type=entity_type, entity_pk__in=pks).delete()
        rows = _rows(docs, analyzer, revision)
        SearchDocument.objects.bulk_create(rows, batch_size=BATCH)
        _add_vocabulary(rows, revision)
        written += len(rows)
    return written


def rebuild(
    *,
    types: Sequence[str] = ENTITY_TYPES,
    progress: Callable[[str, int], None] | None = None,
    semantic: bool = True,
) -> dict[str, int]:
    """Build the whole index anew.  Returns documents written per type.

    Stage 1 (keyword): analyse every entity and bulk-insert the documents with
    the full-text triggers/indexes suspended, then build the full-text index in
    one pass.  Stage 2 (``semantic=True``): :func:`embed_missing`.  With
    ``semantic=False`` keyword search is complete after stage 1 and the vectors
    follow with ``lotse reindex --semantic`` (resumable)."""
    analysis.reset()
    analyzer = analysis.build_analyzer(with_vocabulary=False)
    revision = _revision()
    df: Counter[str] = Counter()
    counts: dict[str, int] = {}
    with transaction.atomic():
        restore = _suspend_fulltext()
        SearchDocument.objects.filter(entity_type__in=list(types))._raw_delete(connection.alias)
        SearchTerm.objects.all()._raw_delete(connection.alias)
        for entity_type in types:
            counts[entity_type] = 0
            batch: list[DocData] = []

            def flush(batch: list[DocData], entity_type: str = entity_type) -> None:
                rows = _rows(batch, analyzer, revision, embed=False)
                for row in rows:
                    df.update(set(row.title_tokens.split()) | set(row.body_tokens.split()))
                SearchDocument.objects.bulk_create(rows, batch_size=BATCH)
                counts[entity_type] += len(rows)
                if progress:
                    progress(entity_type, len(rows))

            for _, doc in iter_documents(entity_type):
                if doc is None:
                    continue
                batch.append(doc)
                if len(batch) >= BATCH * 4:
                    flush(batch)
                    batch = []
            if batch:
                flush(batch)
        SearchTerm.objects.bulk_create(
            [SearchTerm(term=t, df=n, revision=revision) for t, n in df.items() if len(t) <= 100],
            batch_size=5000,
        )
        restore()
    analysis.reset()
    vectors.invalidate()
    if semantic:
        embed_missing(progress=(lambda n: progress("semantic", n)) if progress else None)
    return counts


def _suspend_fulltext() -> Callable[[], None]:
    """Drop the per-row full-text maintenance for a bulk load; returns the restorer.

    SQLite: the FTS5 triggers go, and ``'rebuild'`` indexes the whole content
    table in one pass afterwards.  PostgreSQL: the GIN indexes are dropped and
    created again afterwards (much faster than 600k single inserts)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'search_searchdocument'"
            )
            saved = cursor.fetchall()
            for name, _ in saved:
                cursor.execute(f'DROP TRIGGER "{name}"')

            def restore() -> None:
                with connection.cursor() as c:
                    c.execute("INSERT INTO search_fts(search_fts) VALUES('rebuild')")
                    for _, sql in saved:
                        c.execute(sql)
                    c.execute("INSERT INTO search_fts(search_fts) VALUES('optimize')")

            return restore
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_searchdocument' "
            "AND indexdef LIKE '%%USING gin%%'"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')

        def restore_pg() -> None:
            with connection.cursor() as c:
                c.execute("SET LOCAL maintenance_work_mem = '512MB'")
                for _, sql in indexes:
                    c.execute(sql)

        return restore_pg


EMBED_BATCH = 4096


def embed_text(title: str, body: str) -> str:
    """What the embedder sees: the title and the first line of the body, ~20 words."""
    first = (body or "").split("\n", 1)[0]
    return f"{title}. {first}"[:MAX_EMBED_TEXT]


MAX_EMBED_TEXT = 160


def embed_missing(
    *,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
    processes: int | None = None,
) -> int:
    """Embed documents without a vector, oldest first; each batch commits on its own,
    so an interrupted run resumes where it stopped.  Identical texts are embedded once.
    ``processes`` > 1 spreads the embedding over that many worker processes."""
    from .embeddings import encode_parallel

    done = 0
    last_id = 0
    while limit is None or done < limit:
        size = EMBED_BATCH if limit is None else min(EMBED_BATCH, limit - done)
        chunk = list(
            SearchDocument.objects.filter(embedding__isnull=True, id__gt=last_id)
            .order_by("id")
            .values_list("id", "title", "body")[:size]
        )
        if not chunk:
            break
        texts = [embed_text(title, body) for _, title, body in chunk]
        unique = list(dict.fromkeys(texts))
        matrix = encode_parallel(unique, processes=processes)
        position = {text: i for i, text in enumerate(unique)}
        revision = _revision()
        rows = [
            (to_bytes(matrix[position[text]]), revision, doc_id)
            for (doc_id, _, _), text in zip(chunk, texts, strict=True)
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE search_searchdocument SET embedding = %s, revision = %s WHERE id = %s",
                rows,
            )
        done += len(chunk)
        last_id = chunk[-1][0]
        if progress:
            progress(len(chunk))
    return done


# --- keyword half ------------------------------------------------------------------
def _fts5_expression(parsed: ParsedQuery, operator: str, columns: str) -> str:
    clauses = []
    for clause in parsed.clauses:
        alts = []
        for alt in clause.alternatives:
            quoted = [f'"{t}"' for t in alt]
            alts.append(quoted[0] if len(quoted) == 1 else "(" + " AND ".join(quoted) + ")")
        clauses.append("(" + " OR ".join(alts) + ")")
    return columns + " : (" + f" {operator} ".join(clauses) + ")"


def _tsquery_expression(parsed: ParsedQuery, operator: str, weight: str = "") -> str:
    clauses = []
    for clause in parsed.clauses:
        alts = []
        for alt in clause.alternatives:
            quoted = ["'" + t.replace("'", "") + "'" + weight for t in alt]
            alts.append(quoted[0] if len(quoted) == 1 else "(" + " & ".join(quoted) + ")")
        clauses.append("(" + " | ".join(alts) + ")")
    return f" {operator} ".join(clauses)


def _filters(types: set[str] | None, members: bool) -> tuple[str, list[Any]]:
    sql, params = "", list[Any]()
    if types is not None:
        wanted = [t for t in ENTITY_TYPES if t in types] or ["-"]
        sql += " AND d.entity_type IN (" + ",".join(["%s"] * len(wanted)) + ")"
        params.extend(wanted)
    if not members:
        sql += " AND d.members_only = %s"
        params.append(False)
    return sql, params


def keyword_ranking(
    parsed: ParsedQuery, *, types: set[str] | None, members: bool, limit: int
) -> tuple[list[tuple[int, float]], int]:
    """((document id, score) best first, how many of them match every clause).

    All clauses must match; if that finds too little, documents matching any
    clause follow (ranked by how many and how rare).  In that fallback a
    compound's parts count as clauses of their own (``ParsedQuery.relaxed``), so
    "Untertitelungssoftware" also finds what "Untertitelung Software" finds."""
    if parsed.is_empty:
        return [], 0
    found: list[tuple[int, float]] = []
    complete = 0
    seen: set[int] = set()
    relaxed = parsed.relaxed()
    for operator in ("AND", "OR"):
        query = parsed if operator == "AND" else relaxed
        if operator == "OR" and (len(query.clauses) == 1 or len(found) >= min(limit, 10)):
            break
        for doc_id, score in _keyword_query(query, operator, types, members, limit):
            if doc_id not in seen:
                seen.add(doc_id)
                found.append((doc_id, score))
        if operator == "AND":
            complete = len(found)
    return found[:limit], min(complete, limit)


def keyword_match_sql(
    parsed: ParsedQuery, *, entity: str, members: bool, standalone: bool = False
) -> tuple[str, list[Any]]:
    """SQL selecting the ``entity_pk`` of *every* document matching all clauses.

    No limit: the directory filters by it, so a facet combined with a query
    finds every match, not only the best-ranked few.  ``standalone``: the SQL
    runs on its own (not as a subquery), which on SQLite may then read the
    narrow covering index of migration 0007."""
    extra, params = _filters({entity}, members)
    if connection.vendor == "sqlite":
        # Standalone, the narrow covering index (migration 0007) gives the type
        # and pk of each match without reading its wide row.  Not inside other
        # statements: forcing the index there made SQLite drive the join from
        # the index (a 20 s count for a query matching 25,000 organisations).
        covering = "INDEXED BY search_doc_fts_join " if standalone else ""
        return (
            "SELECT d.entity_pk FROM search_fts "  # noqa: S608 - placeholders only
            f"JOIN search_searchdocument d {covering}"
            "ON d.id = search_fts.rowid "
            "WHERE search_fts MATCH %s" + extra,
            [_fts5_expression(parsed, "AND", "{title_tokens body_tokens}"), *params],
        )
    return (
        "SELECT d.entity_pk FROM search_searchdocument d "  # noqa: S608 - placeholders only
        "WHERE d.tsv @@ to_tsquery('simple', %s)" + extra,
        [_tsquery_expression(parsed, "&", ""), *params],
    )


CANDIDATE_CAP = 2000
"""Full-text matches scored per query.  A query word that occurs in 100,000
documents would otherwise be ranked over all of them; beyond the cap the
documents whose *title* matches are scored in a second capped pass, so the
best-named entries still come first.  Below the cap the ranking is exact."""


def _keyword_query(
    parsed: ParsedQuery, operator: str, types: set[str] | None, members: bool, limit: int
) -> list[tuple[int, float]]:
    scored = _capped_matches(parsed, operator, types, members, title_only=False)
    if len(scored) >= CANDIDATE_CAP:
        scored.update(_capped_matches(parsed, operator, types, members, title_only=True))
    ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0]))
    return ranked[:limit]


def _capped_matches(
    parsed: ParsedQuery, operator: str, types: set[str] | None, members: bool, *, title_only: bool
) -> dict[int, float]:
    extra, params = _filters(types, members)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            columns = "{title_tokens}" if title_only else "{title_tokens body_tokens}"
            cursor.execute(
                "SELECT d.id, -bm25(search_fts, 4.0, 1.0, 0.0) FROM search_fts "  # noqa: S608
                "JOIN search_searchdocument d ON d.id = search_fts.rowid "
                "WHERE search_fts MATCH %s" + extra + " LIMIT %s",
                [_fts5_expression(parsed, operator, columns), *params, CANDIDATE_CAP],
            )
        else:
            op = "&" if operator == "AND" else "|"
            # Title-only: filter on the title tokens' own GIN index (migration
            # 0005); ``tsv @@ 'word':A`` cannot use an index estimate and made
            # PostgreSQL scan every document.  The score stays ts_rank over tsv.
            match = "to_tsvector('simple', d.title_tokens)" if title_only else "d.tsv"
            cursor.execute(
                "SELECT d.id, ts_rank(d.tsv, q) FROM search_searchdocument d, "  # noqa: S608
                f"to_tsquery('simple', %s) q, to_tsquery('simple', %s) m WHERE {match} @@ m"
                + extra + " LIMIT %s",
                [
                    _tsquery_expression(parsed, op, ":A" if title_only else ""),
                    _tsquery_expression(parsed, op, ""),
                    *params,
                    CANDIDATE_CAP,
                ],
            )
        return {int(r[0]): float(r[1]) for r in cursor.fetchall()}


def prefix_titles(
    prefix_words: list[str], *, limit: int, types: set[str] | None = None
) -> list[tuple[int, str, str, str]]:
    """(id, type, key, title) of documents whose title words start with the prefixes."""
    if not prefix_words:
        return []
    extra, params = _filters(types, False)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            expr = "{title_words} : (" + " AND ".join(f'"{w}"*' for w in prefix_words) + ")"
            cursor.execute(
                "SELECT d.id, d.entity_type, d.key, d.title FROM search_fts "  # noqa: S608
                "JOIN search_searchdocument d ON d.id = search_fts.rowid "
                "WHERE search_fts MATCH %s" + extra + " ORDER BY rank LIMIT %s",
                [expr, *params, limit],
            )
        else:
            expr = " & ".join(f"'{w}':*" for w in prefix_words)
            cursor.execute(
                "SELECT d.id, d.entity_type, d.key, d.title FROM search_searchdocument d "  # noqa: S608
                "WHERE to_tsvector('simple', d.title_words) @@ to_tsquery('simple', %s)"
                + extra + " ORDER BY length(d.title) LIMIT %s",
                [expr, *params, limit],
            )
        return [(int(r[0]), r[1], r[2], r[3]) for r in cursor.fetchall()]


# --- vector half ---------------------------------------------------------------------
# In its own module (approximate index for large indexes); re-exported here because
# callers (matching, tests, benchmarks) import ``lotse.search.index.vectors``.
from .vectors import VectorIndex, vectors  # noqa: E402, F401
