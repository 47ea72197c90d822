"""The vector half: exact below the IVF threshold, an inverted file above it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from lotse.search import vectors as vmod
from lotse.search.documents import TYPE_CODES
from lotse.search.embeddings import to_bytes
from lotse.search.models import SearchDocument
from lotse.search.vectors import VectorIndex

pytestmark = pytest.mark.django_db

DIM = 16


def clustered(n: int, *, seed: int = 0, centres: int = 20) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centre = rng.standard_normal((centres, DIM)).astype(np.float32)
    rows = centre[rng.integers(0, centres, n)] + 0.3 * rng.standard_normal((n, DIM)).astype(
        np.float32
    )
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def store(matrix: np.ndarray, *, types: list[str], members: list[bool] | None = None) -> list[int]:
    docs = [
        SearchDocument(
            entity_type=types[i % len(types)],
            entity_pk=i + 1,
            key=f"k{i}",
            title=f"t{i}",
            embedding=to_bytes(row),
            members_only=bool(members[i]) if members else False,
            revision=10**14 + i * 10**9,  # 1 s apart
        )
        for i, row in enumerate(matrix)
    ]
    SearchDocument.objects.bulk_create(docs, batch_size=500)
    return list(SearchDocument.objects.order_by("entity_pk").values_list("id", flat=True))


def exact(matrix: np.ndarray, ids: list[int], query: np.ndarray, k: int) -> list[int]:
    scores = matrix @ query
    return [ids[i] for i in np.argsort(-scores, kind="stable")[:k]]


@pytest.fixture
def ivf(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make the IVF take over from small sizes on (the production threshold is 50,000)."""

    def configure(**values: Any) -> None:
        defaults = {"IVF_MIN_ROWS": 500, "NPROBE": 4, "SCAN_FRACTION": 0.08}
        for name, value in {**defaults, **values}.items():
            monkeypatch.setattr(vmod, name, value)

    return configure


def test_small_index_is_exact() -> None:
    matrix = clustered(300)
    ids = store(matrix, types=["organisation", "offer"])
    index = VectorIndex()
    data = index.current()
    assert data is not None
    assert not data.main.centroids  # every type below IVF_MIN_ROWS: exact
    query = matrix[7]
    found = [
        doc for doc, _ in index.ranking(query, types=None, members=True, limit=10, min_score=-1)
    ]
    assert found == exact(matrix, ids, query, 20)


def test_ivf_finds_the_nearest_neighbours_and_filters(ivf: Callable[..., None]) -> None:
    ivf()
    matrix = clustered(3000)
    types = ["organisation", "person", "offer"]
    members = [i % 7 == 0 for i in range(len(matrix))]
    ids = store(matrix, types=types, members=members)
    index = VectorIndex()
    data = index.current()
    assert data is not None
    # one IVF per type: 1,000 rows of each type, sqrt(1,000) lists
    assert set(data.main.centroids) == {TYPE_CODES[t] for t in types}
    assert {len(c) for c in data.main.centroids.values()} == {vmod._nlist(1000)}
    # laid out by (list, type): every list/type is one contiguous run of rows
    assert np.all(np.diff(data.main.keys) >= 0)
    hits = 0
    for q in range(0, 3000, 150):
        query = matrix[q]
        found = [
            doc for doc, _ in index.ranking(query, types=None, members=True, limit=5, min_score=-1)
        ]
        hits += len(set(found) & set(exact(matrix, ids, query, 10)))
        assert found[0] == ids[q]  # a document is its own nearest neighbour
        typed = index.ranking(query, types={"offer"}, members=False, limit=5, min_score=-1)
        offers = {ids[i] for i in range(len(ids)) if i % 3 == 2 and not members[i]}
        assert typed
        assert {doc for doc, _ in typed} <= offers
    assert hits / (20 * 10) >= 0.9  # recall@10 on clustered data


def test_new_and_reembedded_documents_are_found_at_once(ivf: Callable[..., None]) -> None:
    ivf()
    matrix = clustered(1000)
    ids = store(matrix, types=["organisation", "offer"])
    index = VectorIndex()
    assert index.current() is not None
    # a document gets a new vector far away from its old one: the old row must not answer
    moved = -matrix[0]
    SearchDocument.objects.filter(id=ids[0]).update(embedding=to_bytes(moved), revision=10**15)
    # and a brand-new document appears
    fresh = clustered(1, seed=9)[0]
    new = SearchDocument.objects.create(
        entity_type="offer",
        entity_pk=99_999,
        key="new",
        title="new",
        embedding=to_bytes(fresh),
        revision=10**15 + 1,
    )
    data = index.current()
    assert data is not None
    assert len(data.delta) == 2
    assert data.dead.sum() == 1
    near_old = [
        doc for doc, _ in index.ranking(matrix[0], types=None, members=True, limit=5, min_score=-1)
    ]
    assert ids[0] not in near_old
    assert index.ranking(moved, types=None, members=True, limit=1, min_score=-1)[0][0] == ids[0]
    assert (
        index.ranking(fresh, types={"offer"}, members=True, limit=1, min_score=-1)[0][0] == new.id
    )
    assert index.ranking(fresh, types={"organisation"}, members=True, limit=50, min_score=-1)
    assert new.id not in [
        doc
        for doc, _ in index.ranking(
            fresh, types={"organisation"}, members=True, limit=50, min_score=-1
        )
    ]


def test_large_delta_is_laid_out_again(ivf: Callable[..., None]) -> None:
    ivf(DELTA_MIN_ROWS=50)
    matrix = clustered(800)
    store(matrix, types=["need"])
    index = VectorIndex()
    before = index.current()
    assert before is not None
    assert TYPE_CODES["need"] in before.main.centroids

    def add(rows: np.ndarray, offset: int) -> list[int]:
        created = SearchDocument.objects.bulk_create(
            [
                SearchDocument(
                    entity_type="need",
                    entity_pk=10_000 + offset + i,
                    key=f"x{offset + i}",
                    title="x",
                    embedding=to_bytes(row),
                    revision=10**15 + offset + i,
                )
                for i, row in enumerate(rows)
            ]
        )
        return [doc.id for doc in created]

    extra = clustered(100, seed=4)
    first = add(extra[:40], 0)
    merged = index.current()
    assert merged is not None
    assert merged.main is before.main
    assert len(merged.delta) == 40
    second = add(extra[40:], 40)  # the delta passes 50 rows: laid out again, same centroids
    laid = index.current()
    assert laid is not None
    assert len(laid.delta) == 0
    assert len(laid.main) == 900
    code = TYPE_CODES["need"]
    assert laid.main.centroids[code] is before.main.centroids[code]
    for row, doc in zip(extra, first + second, strict=True):
        assert index.ranking(row, types={"need"}, members=True, limit=1, min_score=-1)[0][0] == doc
