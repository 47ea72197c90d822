"""Writing the search index and querying its two halves (keyword, vector).

Keyword half: SQLite FTS5 (``search_fts``) or PostgreSQL ``tsv`` (GIN), both
over the token text produced by :mod:`lotse.search.text`.
Vector half: :mod:`lotse.search.vectors` (in memory, exact for small indexes,
an inverted file above 50,000 vectors), re-exported here as ``vectors``.
"""

from __future__ import annotations

import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.functions import Substr
from django.utils import timezone

from . import analysis, workers
from .documents import (
    ENTITY_TYPES,
    MAX_EMBED_TEXT,
    TYPE_CODES,
    DocData,
    embed_text,
    iter_documents,
)
from .embeddings import embedder_path, get_embedder, to_bytes
from .models import SearchDocument, SearchTerm
from .text import Analyzer, ParsedQuery

BATCH = 500


def _revision() -> int:
    return time.time_ns()


# --- writing --------------------------------------------------------------------
def _rows(
    docs: Sequence[DocData], analyzer: Analyzer, revision: int, *, embed: bool = True
) -> list[SearchDocument]:
    """Index rows of ``docs`` (update path; the rebuild writes the same values)."""
    vectors = None
    if docs and embed:
        texts = [d.embed_text for d in docs]
        unique = list(dict.fromkeys(texts))
        matrix = get_embedder().encode(unique)
        position = {text: i for i, text in enumerate(unique)}
        vectors = [matrix[position[text]] for text in texts]
    analysed = workers.analyse([(d.title, d.body) for d in docs], analyzer)
    rows = []
    for i, (doc, (title_tokens, body_tokens, title_words)) in enumerate(
        zip(docs, analysed, strict=True)
    ):
        rows.append(
            SearchDocument(
                entity_type=doc.entity_type,
                entity_pk=doc.entity_pk,
                key=doc.key[:120],
                title=doc.title[:300],
                body=doc.body,
                title_tokens=title_tokens,
                body_tokens=body_tokens,
                title_words=title_words,
                embedding=to_bytes(vectors[i]) if vectors is not None else None,
                members_only=doc.members_only,
                facets=doc.facets,
                revision=revision,
            )
        )
    return rows


GENERATION_KEY = "search:index-generation"


def bump_generation() -> None:
    """Tell every process that the index changed, removals included (what the
    directory remembers of a query is keyed by it, see ``selectors._recall_match``)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


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
    transaction.on_commit(bump_generation)
    return written


def build_processes(processes: int | None = None) -> int:
    """Worker processes for a rebuild: the argument, else the setting/environment
    ``LOTSE_EMBED_PROCESSES``, else 1 (in this process)."""
    if processes is None:
        processes = int(
            getattr(settings, "LOTSE_EMBED_PROCESSES", 0)
            or os.environ.get("LOTSE_EMBED_PROCESSES", "")
            or 1
        )
    return max(1, processes)


CHUNK = 2000
"""Documents per worker job in a rebuild."""

_COLUMNS = (
    "entity_type", "entity_pk", "key", "title", "body", "title_tokens", "body_tokens",
    "title_words", "embedding", "members_only", "facets", "revision", "updated_at",
)


class _Writer:
    """Appends index rows: PostgreSQL ``COPY``, SQLite one ``executemany``."""

    def __init__(self) -> None:
        self.updated_at = connection.ops.adapt_datetimefield_value(timezone.now())

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        rows = [(*row, self.updated_at) for row in rows]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                sql = f"COPY search_searchdocument ({', '.join(_COLUMNS)}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(_COLUMNS))
                cursor.executemany(
                    f"INSERT INTO search_searchdocument ({', '.join(_COLUMNS)}) "  # noqa: S608
                    f"VALUES ({marks})",
                    rows,
                )


class _InProcess:
    """The worker pool's interface, run in this process (``processes=1``)."""

    def __init__(self, spec: workers.AnalyzerSpec, embedder_path: str | None) -> None:
        workers.init(spec, None)
        if embedder_path:  # this process's embedder, not a second copy of the model
            workers._STATE["embedder"] = get_embedder()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(fn(*args))
        return future

    def shutdown(self) -> None:
        pass


def _worker_pool(
    processes: int, spec: workers.AnalyzerSpec, embedder_path: str | None
) -> Any:
    if processes <= 1:
        return _InProcess(spec, embedder_path)
    import multiprocessing

    return ProcessPoolExecutor(
        max_workers=processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=workers.init,
        initargs=(spec, embedder_path),
    )


class _TypeBuild:
    """The rebuild of one entity type: chunks go to the workers in order, at most
    ``depth`` are in flight, and each is written when it comes back."""

    def __init__(
        self, pool: Any, writer: _Writer, revision: int, *, semantic: bool, depth: int
    ) -> None:
        self.pool, self.writer, self.revision = pool, writer, revision
        self.semantic, self.depth = semantic, depth
        # text -> vector of the texts embedded so far; texts of different types
        # never coincide, so the cache lives for one type only
        self.known: dict[str, bytes] = {}
        self.pending: set[str] = set()
        self.window: deque[tuple[list[DocData], list[str], Future[Any]]] = deque()
        self.df: Counter[str] = Counter()
        self.written = 0

    def submit(self, docs: list[DocData], progress: Callable[[str, int], None] | None) -> None:
        texts: list[str] = []
        if self.semantic:
            for doc in docs:
                text = doc.embed_text
                if text not in self.pending:
                    self.pending.add(text)
                    texts.append(text)
        payload = [(d.title, d.body) for d in docs]
        self.window.append((docs, texts, self.pool.submit(workers.work, payload, texts)))
        while len(self.window) > self.depth:
            self._finish(*self.window.popleft(), progress)

    def drain(self, progress: Callable[[str, int], None] | None) -> None:
        while self.window:
            self._finish(*self.window.popleft(), progress)

    def _finish(
        self,
        docs: list[DocData],
        texts: list[str],
        future: Future[Any],
        progress: Callable[[str, int], None] | None,
    ) -> None:
        analysed, chunk_df, matrix = future.result()
        self.df.update(chunk_df)
        if matrix is not None:
            for i, text in enumerate(texts):
                self.known[text] = matrix[i].tobytes()
        self.writer.write(
            [
                (
                    doc.entity_type, doc.entity_pk, doc.key[:120], doc.title[:300], doc.body,
                    title_tokens, body_tokens, title_words,
                    self.known[doc.embed_text] if self.semantic else None,
                    doc.members_only, doc.facets, self.revision,
                )
                for doc, (title_tokens, body_tokens, title_words) in zip(
                    docs, analysed, strict=True
                )
            ]
        )
        self.written += len(docs)
        if progress and docs:
            progress(docs[0].entity_type, len(docs))


def rebuild(
    *,
    types: Sequence[str] = ENTITY_TYPES,
    progress: Callable[[str, int], None] | None = None,
    semantic: bool = True,
    processes: int | None = None,
) -> dict[str, int]:
    """Build the whole index anew.  Returns documents written per type.

    The main process reads the entities in bulk and writes the rows with the
    full-text triggers/indexes suspended (one transaction, the full-text index
    is built in one pass at the end); ``processes`` worker processes analyse
    each chunk of 2,000 documents and, with ``semantic=True``, embed the texts
    not seen before in this run, so every distinct embedding text is encoded
    once and the rows are written with their vectors.  With ``semantic=False``
    the vectors follow with ``lotse reindex --semantic`` (:func:`embed_missing`,
    resumable)."""
    analysis.reset()
    groups = analysis.synonym_groups()
    spec = workers.AnalyzerSpec(
        known=tuple(analysis.taxonomy_phrases() + [p for g in groups for p in g]),
        synonyms=tuple(tuple(g) for g in groups),
    )
    revision = _revision()
    df: Counter[str] = Counter()
    counts: dict[str, int] = {}
    processes = build_processes(processes)
    pool = _worker_pool(processes, spec, embedder_path() if semantic else None)
    depth = processes * 2
    try:
        with transaction.atomic():
            restore = _suspend_fulltext()
            SearchDocument.objects.filter(entity_type__in=list(types))._raw_delete(
                connection.alias
            )
            SearchTerm.objects.all()._raw_delete(connection.alias)
            writer = _Writer()
            for entity_type in types:
                step = _TypeBuild(pool, writer, revision, semantic=semantic, depth=depth)
                batch: list[DocData] = []
                for _, doc in iter_documents(entity_type):
                    if doc is None:
                        continue
                    batch.append(doc)
                    if len(batch) >= CHUNK:
                        step.submit(batch, progress)
                        batch = []
                if batch:
                    step.submit(batch, progress)
                step.drain(progress)
                counts[entity_type] = step.written
                df.update(step.df)
            SearchTerm.objects.bulk_create(
                [
                    SearchTerm(term=t, df=n, revision=revision)
                    for t, n in df.items()
                    if len(t) <= 100
                ],
                batch_size=5000,
            )
            restore()
        _tidy_after_bulk_load()
    finally:
        pool.shutdown()
    analysis.reset()
    vectors.invalidate()
    return counts


def _tidy_after_bulk_load() -> None:
    """Statistics and (PostgreSQL) the visibility map after replacing the table.

    Right after a full build PostgreSQL's keyword search ran 3-4x slower
    (p95 210 ms instead of 55 ms at 577,000 documents) until autovacuum came
    round: half a million dead rows, no hint bits, old statistics.  VACUUM
    cannot run inside a transaction (tests, callers' atomic blocks); ANALYZE
    alone then."""
    with connection.cursor() as cursor:
        for table in ("search_searchdocument", "search_searchterm"):
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                cursor.execute(f"VACUUM ANALYZE {table}")
            else:
                cursor.execute(f"ANALYZE {table}")


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


def embed_missing(
    *,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
    processes: int | None = None,
) -> int:
    """Embed documents without a vector, oldest first.

    Every distinct embedding text (:func:`documents.embed_text`) is encoded once
    for the whole run: the missing documents are grouped by text first, then
    4,096 texts at a time are encoded and written to all their documents, each
    batch in its own transaction, so an interrupted run resumes where it
    stopped.  ``processes`` > 1 spreads the encoding over that many worker
    processes.  Returns the number of documents that got a vector."""
    from .embeddings import encode_parallel

    qs = (
        SearchDocument.objects.filter(embedding__isnull=True)
        .order_by("id")
        .annotate(head=Substr("body", 1, MAX_EMBED_TEXT))
        .values_list("id", "entity_type", "title", "head")
    )
    if limit is not None:
        qs = qs[:limit]
    groups: dict[str, list[int]] = {}
    for doc_id, entity_type, title, head in qs.iterator(chunk_size=10_000):
        groups.setdefault(embed_text(entity_type, title, head), []).append(doc_id)
    unique = list(groups)
    done = 0
    for start in range(0, len(unique), EMBED_BATCH):
        texts = unique[start : start + EMBED_BATCH]
        matrix = encode_parallel(texts, processes=processes)
        revision = _revision()
        rows = [
            (to_bytes(matrix[i]), revision, doc_id)
            for i, text in enumerate(texts)
            for doc_id in groups[text]
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE search_searchdocument SET embedding = %s, revision = %s WHERE id = %s",
                rows,
            )
        done += len(rows)
        if progress:
            progress(len(rows))
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


def _fts5_types(types: set[str] | None) -> str:
    """The FTS5 condition on the document type (migration 0008), or ''.

    FTS5 then intersects the word's matches with the type's itself instead of
    each match being looked up; the SQL filter on ``d.entity_type`` stays."""
    if types is None:
        return ""
    wanted = [f'"{t}"' for t in ENTITY_TYPES if t in types] or ['"-"']
    return " AND {entity_type} : (" + " OR ".join(wanted) + ")"


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
    parsed: ParsedQuery,
    *,
    entity: str,
    members: bool,
    standalone: bool = False,
    facets: bool = False,
) -> tuple[str, list[Any]]:
    """SQL selecting the ``entity_pk`` of *every* document matching all clauses
    (with ``facets``: and its ``facets`` column).

    No limit: the directory filters by it, so a facet combined with a query
    finds every match, not only the best-ranked few.  ``standalone``: the SQL
    runs on its own (not as a subquery), which on SQLite may then read the
    narrow covering index of migrations 0007/0009."""
    extra, params = _filters({entity}, members)
    columns = "d.entity_pk, d.facets" if facets else "d.entity_pk"
    if connection.vendor == "sqlite":
        # Standalone, the narrow covering index (migration 0007) gives the type
        # and pk of each match without reading its wide row.  Not inside other
        # statements: forcing the index there made SQLite drive the join from
        # the index (a 20 s count for a query matching 25,000 organisations).
        covering = "INDEXED BY search_doc_fts_join " if standalone else ""
        return (
            f"SELECT {columns} FROM search_fts "  # noqa: S608 - placeholders only
            f"JOIN search_searchdocument d {covering}"
            "ON d.id = search_fts.rowid "
            "WHERE search_fts MATCH %s" + extra,
            [
                _fts5_expression(parsed, "AND", "{title_tokens body_tokens}")
                + _fts5_types({entity}),
                *params,
            ],
        )
    return (
        f"SELECT {columns} FROM search_searchdocument d "  # noqa: S608 - placeholders only
        "WHERE d.tsv @@ to_tsquery('simple', %s)" + extra,
        [_tsquery_expression(parsed, "&", ""), *params],
    )


CANDIDATE_CAP = 1000
"""Full-text matches scored per query.  A query word that occurs in 100,000
documents would otherwise be ranked over all of them; beyond the cap the
documents whose *title* matches are scored in a second capped pass, so the
best-named entries still come first.  Below the cap the ranking is exact."""


FALLBACK_CAP = 300
"""Full-text matches scored in the any-concept fallback (see ``_keyword_query``)."""


def _keyword_query(
    parsed: ParsedQuery, operator: str, types: set[str] | None, members: bool, limit: int
) -> list[tuple[int, float]]:
    if operator == "OR":
        # The any-concept fallback (nothing or little matched every concept):
        # a smaller sample and no title pass.  Its partial matches only fill
        # up the list, and in hybrid mode the vectors bring the closer ones;
        # on PostgreSQL it was the slowest part of multi-word queries (two
        # passes of 1,000 ts_rank rows over the TOASTed tsv, 30-55 ms).
        cap = FALLBACK_CAP
        scored = _capped_matches(parsed, operator, types, members, title_only=False, cap=cap)
    else:
        scored = _capped_matches(parsed, operator, types, members, title_only=False)
        if len(scored) >= CANDIDATE_CAP:
            scored.update(_capped_matches(parsed, operator, types, members, title_only=True))
    ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0]))
    return ranked[:limit]


def _capped_matches(
    parsed: ParsedQuery,
    operator: str,
    types: set[str] | None,
    members: bool,
    *,
    title_only: bool,
    cap: int | None = None,
) -> dict[int, float]:
    cap = CANDIDATE_CAP if cap is None else cap
    extra, params = _filters(types, members)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            columns = "{title_tokens}" if title_only else "{title_tokens body_tokens}"
            expression = _fts5_expression(parsed, operator, columns)
            if title_only:
                # The title pass reads every title match up to the cap; most
                # are of other types.  (The full pass stops at the cap in
                # storage order and was faster without the type condition.)
                expression += _fts5_types(types)
            cursor.execute(
                "SELECT d.id, -bm25(search_fts, 4.0, 1.0, 0.0, 0.0) FROM search_fts "  # noqa: S608
                "JOIN search_searchdocument d ON d.id = search_fts.rowid "
                "WHERE search_fts MATCH %s" + extra + " LIMIT %s",
                [expression, *params, cap],
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
                    cap,
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
