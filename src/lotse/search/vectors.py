"""The vector half of the search index: nearest neighbours by cosine, in memory.

Every stored ``SearchDocument.embedding`` (L2-normalised float32) is held in one
matrix, refreshed incrementally by ``revision`` (one ``MAX(revision)`` query per
search).

* An entity type with fewer than :data:`IVF_MIN_ROWS` vectors (every type of a
  small installation, every test) is searched exactly: one matrix product over
  its rows.
* A larger type gets its own inverted file (IVF, numpy only): spherical k-means
  centroids (``sqrt(rows)`` lists) trained at load time on a sample of that
  type, every row assigned to its nearest centroid, and the matrix laid out
  sorted by list, so one list is one contiguous slice.  A query scores the
  type's centroids and multiplies the slices of the nearest lists, as many as
  hold :data:`SCAN_FRACTION` of the type's rows.  One index per type because
  queries are often restricted to one type (the directory) and organisations'
  vectors were badly served by centroids trained on all types (recall@10 0.87).
  Scores within the probed lists are exact (float32, no quantisation).
* Rows written after the layout (new or re-embedded documents) go to a small
  *delta* matrix that every query brute-forces, so they are found at once; the
  superseded rows of the layout are masked.  When the delta grows past
  :data:`DELTA_MAX_FRACTION` of the index, everything is laid out again
  (centroids kept unless a type has doubled since they were trained).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Max

from .documents import TYPE_CODES
from .models import SearchDocument

IVF_MIN_ROWS = 50_000
"""An entity type with fewer vectors than this is searched exactly (brute force)."""
NPROBE = 8
"""Lists probed at least (a type has ``sqrt(rows)`` lists: ~545 for 297,000 people)."""
SCAN_FRACTION = 0.08
SCAN_FRACTION_BY_TYPE: dict[int, float] = {}
SCAN_PER_NEIGHBOUR = 16
"""Probe further lists until this share of the type's rows was scored, and at least
SCAN_PER_NEIGHBOUR × the neighbours asked for.  Measured on 60,000 real USE vectors
(bench/search_vectors_bench.py, docs/search.md).  Organisations needed 30 % while
their vectors were mostly their names; since they embed their short description
(no name), 8 % finds the same top 10 as brute force (ties counted) for all 72
evaluation queries and 100 documents' own vectors at full scale (577,000 real
vectors, 38,000 distinct texts), in 11 ms instead of 16 ms at 12 %.  Data with
more distinct texts may need more: the 60,000-vector sample reached recall@10
0.974 at 12 %."""
DELTA_MAX_FRACTION = 0.02
DELTA_MIN_ROWS = 2000
"""Lay out again once the delta holds this fraction of the index and this many rows."""
TRAIN_SAMPLE_PER_LIST = 40
KMEANS_ITERATIONS = 8
SEED = 1
TYPE_SLOTS = 256  # layout key = list * 256 + type code (unknown types are 255)


def _assign(matrix: np.ndarray, centroids: np.ndarray, chunk: int = 32_768) -> np.ndarray:
    """Index of the nearest (highest cosine) centroid of every row."""
    out = np.empty(len(matrix), dtype=np.int64)
    for start in range(0, len(matrix), chunk):
        out[start : start + chunk] = np.argmax(matrix[start : start + chunk] @ centroids.T, axis=1)
    return out


def train_centroids(
    matrix: np.ndarray, nlist: int, *, iterations: int = KMEANS_ITERATIONS, seed: int = SEED
) -> np.ndarray:
    """Spherical k-means over a sample of the rows: ``(nlist, d)`` unit vectors."""
    rng = np.random.default_rng(seed)
    size = min(len(matrix), nlist * TRAIN_SAMPLE_PER_LIST)
    sample = matrix[np.sort(rng.choice(len(matrix), size, replace=False))]
    centroids = sample[rng.choice(size, nlist, replace=False)].copy()
    for _ in range(iterations):
        assign = _assign(sample, centroids)
        order = np.argsort(assign, kind="stable")
        counts = np.bincount(assign, minlength=nlist)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        filled = np.flatnonzero(counts)
        sums = np.add.reduceat(sample[order], starts[filled], axis=0)
        centroids[filled] = sums
        empty = np.flatnonzero(counts == 0)
        if len(empty):  # re-seed empty lists with random sample rows
            centroids[empty] = sample[rng.choice(size, len(empty), replace=False)]
        norms = np.linalg.norm(centroids, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        centroids /= norms
    return centroids.astype(np.float32, copy=False)


@dataclass
class _Part:
    """Rows sorted by ``keys`` (global list * 256 + type code).

    ``centroids[code]`` are the IVF centroids of one type, its lists numbered
    from ``bases[code]``; a type without centroids is one list (``bases[code]``)."""

    ids: np.ndarray
    types: np.ndarray
    members: np.ndarray
    matrix: np.ndarray
    keys: np.ndarray
    centroids: dict[int, np.ndarray] = field(default_factory=dict)
    bases: dict[int, int] = field(default_factory=dict)
    rows: dict[int, int] = field(default_factory=dict)
    sizes: dict[int, np.ndarray] = field(default_factory=dict)  # rows per list, IVF types
    _by_id: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def empty(cls, dim: int) -> _Part:
        return cls(
            ids=np.zeros(0, dtype=np.int64),
            types=np.zeros(0, dtype=np.uint8),
            members=np.zeros(0, dtype=bool),
            matrix=np.zeros((0, dim), dtype=np.float32),
            keys=np.zeros(0, dtype=np.int64),
        )

    @classmethod
    def layout(
        cls,
        ids: np.ndarray,
        types: np.ndarray,
        members: np.ndarray,
        matrix: np.ndarray,
        centroids: dict[int, np.ndarray] | None,
        *,
        train: bool = False,
    ) -> _Part:
        """Sort the rows by (list, type).  ``train``: types of at least IVF_MIN_ROWS rows
        without centroids in ``centroids`` get them trained now."""
        lists = np.zeros(len(ids), dtype=np.int64)
        kept: dict[int, np.ndarray] = {}
        bases: dict[int, int] = {}
        rows: dict[int, int] = {}
        sizes: dict[int, np.ndarray] = {}
        base = 0
        for code in np.unique(types).tolist():
            where = np.flatnonzero(types == code)
            rows[code] = len(where)
            own = (centroids or {}).get(code)
            if own is not None and own.shape[1] != matrix.shape[1]:
                own = None
            if own is None and train and len(where) >= IVF_MIN_ROWS:
                own = train_centroids(matrix[where], _nlist(len(where)))
            bases[code] = base
            if own is not None:
                kept[code] = own
                local = _assign(matrix[where], own)
                sizes[code] = np.bincount(local, minlength=len(own))
                lists[where] = base + local
                base += len(own)
            else:
                lists[where] = base
                base += 1
        keys = lists * TYPE_SLOTS + types.astype(np.int64)
        order = np.argsort(keys, kind="stable")
        return cls(
            ids=ids[order],
            types=types[order],
            members=members[order],
            matrix=matrix[order] if len(order) else matrix,
            keys=keys[order],
            centroids=kept,
            bases=bases,
            rows=rows,
            sizes=sizes,
        )

    def __len__(self) -> int:
        return len(self.ids)

    def position(self, ids: np.ndarray) -> np.ndarray:
        """Row of each id in this part, -1 where absent."""
        if not len(self.ids):
            return np.full(len(ids), -1, dtype=np.int64)
        if self._by_id is None:
            self._by_id = np.argsort(self.ids, kind="stable")
        sorted_ids = self.ids[self._by_id]
        at = np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1)
        return np.where(sorted_ids[at] == ids, self._by_id[at], -1)

    def ranges(
        self, vector: np.ndarray, codes: list[int] | None, *, want: int
    ) -> list[tuple[int, int]]:
        """Row ranges to score: the wanted types' rows, of the nearest lists for IVF types."""
        out: list[tuple[int, int]] = []
        for code in self.bases if codes is None else codes:
            if code not in self.bases:
                continue
            own = self.centroids.get(code)
            if own is None:
                out.extend(self._slices(np.asarray([self.bases[code]]), code))
                continue
            order = np.argsort(-(own @ vector))
            enough = max(
                SCAN_FRACTION_BY_TYPE.get(code, SCAN_FRACTION) * self.rows[code],
                min(SCAN_PER_NEIGHBOUR * want, self.rows[code]),
            )
            # the nearest lists until they hold enough rows (list sizes are uneven)
            covered = np.cumsum(self.sizes[code][order])
            count = max(NPROBE, int(np.searchsorted(covered, enough)) + 1)
            # in memory order, so neighbouring lists merge into one product
            chosen = np.sort(order[:count]) + self.bases[code]
            for a, b in self._slices(chosen, code):
                if out and out[-1][1] == a:
                    out[-1] = (out[-1][0], b)
                else:
                    out.append((a, b))
        return out

    def _slices(self, lists: np.ndarray, code: int) -> list[tuple[int, int]]:
        keys = lists.astype(np.int64) * TYPE_SLOTS + code
        starts = np.searchsorted(self.keys, keys, side="left")
        stops = np.searchsorted(self.keys, keys, side="right")
        return [(int(a), int(b)) for a, b in zip(starts, stops, strict=True) if b > a]


@dataclass
class _Matrix:
    """The whole vector index of one process: a laid-out main part and a delta."""

    main: _Part
    delta: _Part
    revision: int
    dead: np.ndarray  # rows of ``main`` superseded by a newer vector in ``delta``
    trained_rows: dict[int, int] = field(default_factory=dict)  # type rows at training

    @property
    def ids(self) -> np.ndarray:
        return np.concatenate([self.main.ids, self.delta.ids])

    @property
    def dimension(self) -> int:
        return int(self.main.matrix.shape[1])

    def __len__(self) -> int:
        return len(self.main) + len(self.delta)


def _nlist(rows: int) -> int:
    return max(1, int(math.sqrt(rows)))


def _from_arrays(
    ids: np.ndarray,
    types: np.ndarray,
    members: np.ndarray,
    matrix: np.ndarray,
    revision: int,
    *,
    centroids: dict[int, np.ndarray] | None = None,
    trained_rows: dict[int, int] | None = None,
) -> _Matrix:
    """Lay the rows out, training the IVF centroids of large types that have none."""
    main = _Part.layout(ids, types, members, matrix, centroids, train=True)
    known = trained_rows or {}
    return _Matrix(
        main=main,
        delta=_Part.empty(matrix.shape[1]),
        revision=revision,
        dead=np.zeros(len(main), dtype=bool),
        trained_rows={
            code: known.get(code, main.rows[code])
            if (centroids or {}).get(code) is c
            else main.rows[code]
            for code, c in main.centroids.items()
        },
    )


class VectorIndex:
    """Embeddings of all documents; per type exact below ``IVF_MIN_ROWS`` rows, IVF above."""

    MARGIN_NS = 120 * 10**9  # reload rows this much older than the newest seen

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: _Matrix | None = None

    def invalidate(self) -> None:
        with self._lock:
            self._data = None

    def _load(self, since: int | None) -> tuple[list[int], list[int], list[bool], list[bytes]]:
        qs = SearchDocument.objects.exclude(embedding=None)
        if since is not None:
            qs = qs.filter(revision__gt=since)
        ids, types, members, blobs = [], [], [], []
        for pk, entity_type, members_only, blob in qs.values_list(
            "id", "entity_type", "members_only", "embedding"
        ).iterator(chunk_size=5000):
            ids.append(pk)
            types.append(TYPE_CODES.get(entity_type, 255))
            members.append(members_only)
            blobs.append(bytes(blob or b""))
        return ids, types, members, blobs

    @staticmethod
    def _arrays(
        ids: list[int], types: list[int], members: list[bool], blobs: list[bytes]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        dim = max((len(b) for b in blobs), default=0) // 4
        if not dim:
            return (
                np.zeros(0, dtype=np.int64),
                np.zeros(0, dtype=np.uint8),
                np.zeros(0, dtype=bool),
                np.zeros((0, 0), dtype=np.float32),
            )
        # the most common dimension wins (vectors of an old embedder are skipped)
        keep = [i for i, b in enumerate(blobs) if len(b) == dim * 4]
        matrix = np.frombuffer(b"".join(blobs[i] for i in keep), dtype=np.float32)
        return (
            np.asarray([ids[i] for i in keep], dtype=np.int64),
            np.asarray([types[i] for i in keep], dtype=np.uint8),
            np.asarray([members[i] for i in keep], dtype=bool),
            # read-only view of the joined bytes; the layout makes the sorted copy
            matrix.reshape(len(keep), dim),
        )

    def current(self) -> _Matrix | None:
        latest = SearchDocument.objects.aggregate(m=Max("revision"))["m"] or 0
        with self._lock:
            data = self._data
            if data is not None and latest <= data.revision:
                return data if len(data) else None
            since = None if data is None else data.revision - self.MARGIN_NS
            loaded = self._load(since)
            full = data is None or len(loaded[0]) > max(1000, len(data) // 4)
            if full and since is not None:
                loaded = self._load(None)
            arrays = self._arrays(*loaded)
            del loaded  # the per-row blobs (as large as the matrix) go before the layout
            if full or data is None:
                self._data = _from_arrays(*arrays, latest)
            else:
                self._data = self._merge(data, *arrays, latest)
            # An index without vectors is cached too (as an empty matrix), so a
            # keyword-only index does not rescan the table on every query.
            return self._data if len(self._data) else None

    def replace(self, data: _Matrix) -> None:
        """Install a prepared index (benchmarks)."""
        with self._lock:
            self._data = data

    @staticmethod
    def _merge(
        data: _Matrix,
        ids: np.ndarray,
        types: np.ndarray,
        members: np.ndarray,
        matrix: np.ndarray,
        revision: int,
    ) -> _Matrix:
        if not len(ids):
            data.revision = revision
            return data
        if not len(data) or matrix.shape[1] != data.dimension:
            return _from_arrays(*VectorIndex._arrays(*VectorIndex()._load(None)), revision)
        # Rows reloaded unchanged (the time margin of ``current``) stay where they are.
        position = data.main.position(ids)
        known = position >= 0
        if known.any():
            same = np.zeros(len(ids), dtype=bool)
            at = position[known]
            same[known] = (
                np.all(data.main.matrix[at] == matrix[known], axis=1)
                & (data.main.members[at] == members[known])
                & ~data.dead[at]
            )
            ids, types, members, matrix = ids[~same], types[~same], members[~same], matrix[~same]
            if not len(ids):
                data.revision = revision
                return data
        # A document seen again (re-embedded) supersedes its older row.
        dead = data.dead | np.isin(data.main.ids, ids)
        keep = ~np.isin(data.delta.ids, ids)
        delta_ids = np.concatenate([data.delta.ids[keep], ids])
        delta_types = np.concatenate([data.delta.types[keep], types])
        delta_members = np.concatenate([data.delta.members[keep], members])
        delta_matrix = np.vstack([data.delta.matrix[keep], matrix])
        total = len(data.main) - int(dead.sum()) + len(delta_ids)
        if len(delta_ids) > max(DELTA_MIN_ROWS, DELTA_MAX_FRACTION * total):
            alive = ~dead
            all_types = np.concatenate([data.main.types[alive], delta_types])
            counts = np.bincount(all_types, minlength=TYPE_SLOTS)
            # keep a type's centroids unless it has doubled since they were trained
            kept = {
                code: c
                for code, c in data.main.centroids.items()
                if counts[code] < 2 * data.trained_rows.get(code, 0)
            }
            return _from_arrays(
                np.concatenate([data.main.ids[alive], delta_ids]),
                all_types,
                np.concatenate([data.main.members[alive], delta_members]),
                np.vstack([data.main.matrix[alive], delta_matrix]),
                revision,
                centroids=kept,
                trained_rows=data.trained_rows,
            )
        return _Matrix(
            main=data.main,
            delta=_Part.layout(delta_ids, delta_types, delta_members, delta_matrix, None),
            revision=revision,
            dead=dead,
            trained_rows=data.trained_rows,
        )

    def ranking(
        self,
        vector: np.ndarray,
        *,
        types: set[str] | None,
        members: bool,
        limit: int,
        min_score: float,
        data: _Matrix | None = None,
    ) -> list[tuple[int, float]]:
        """Up to ``2 × limit`` (document id, cosine) pairs, best first, cosine ≥ min_score.

        ``data``: a snapshot from :meth:`current` (no database access then, so
        the product may run in another thread)."""
        if data is None:
            data = self.current()
        if data is None or vector.shape[0] != data.dimension:
            return []
        vector = np.asarray(vector, dtype=np.float32)
        k = limit * 2
        codes: list[int] | None = None
        if types is not None:
            codes = sorted(TYPE_CODES[t] for t in types if t in TYPE_CODES)
            if not codes:
                return []
        ids: list[np.ndarray] = []
        scores: list[np.ndarray] = []
        for part, dead in ((data.main, data.dead), (data.delta, None)):
            for a, b in part.ranges(vector, codes, want=k):
                s = part.matrix[a:b] @ vector
                hidden = None if members else part.members[a:b]
                if dead is not None and dead[a:b].any():
                    hidden = dead[a:b] if hidden is None else hidden | dead[a:b]
                if hidden is not None and hidden.any():
                    s[hidden] = -np.inf
                scores.append(s)
                ids.append(part.ids[a:b])
        if not scores or k <= 0:
            return []
        all_scores = np.concatenate(scores)
        all_ids = np.concatenate(ids)
        k = min(k, len(all_scores))
        top = np.argpartition(-all_scores, k - 1)[:k]
        top = top[np.argsort(-all_scores[top], kind="stable")]
        return [(int(all_ids[i]), float(all_scores[i])) for i in top if all_scores[i] >= min_score]


vectors = VectorIndex()
