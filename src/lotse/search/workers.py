"""The CPU-heavy half of a rebuild, run in worker processes (spawn).

A chunk of documents is analysed (title/body tokens, folded title words, the
chunk's document frequencies) and the texts the main process has not seen yet
are embedded.  This module imports no Django models, so a spawned worker
starts without ``django.setup()``; the main process reads the entities and
writes the rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .text import Analyzer, Lexicon, words


@dataclass(frozen=True)
class AnalyzerSpec:
    """What ``analysis.build_analyzer(with_vocabulary=False)`` is built from."""

    known: tuple[str, ...]
    synonyms: tuple[tuple[str, ...], ...]

    def build(self) -> Analyzer:
        return Analyzer(lexicon=Lexicon(known=self.known, stems=()), synonyms=self.synonyms)


Analysed = tuple[str, str, str]  # title tokens, body tokens, folded title words


def analyse(docs: Sequence[tuple[str, str]], analyzer: Analyzer) -> list[Analysed]:
    """Index text of (title, body) pairs; the same for a rebuild and an update."""
    out = []
    for title, body in docs:
        out.append(
            (analyzer.document_text(title), analyzer.document_text(body), " ".join(words(title)))
        )
    return out


def document_frequencies(analysed: Sequence[Analysed]) -> Counter[str]:
    df: Counter[str] = Counter()
    for title_tokens, body_tokens, _ in analysed:
        df.update(set(title_tokens.split()) | set(body_tokens.split()))
    return df


_STATE: dict[str, Any] = {}


def init(spec: AnalyzerSpec, embedder_path: str | None) -> None:
    """Worker initialiser: the analyser and (for a full build) the embedder, once."""
    _STATE["analyzer"] = spec.build()
    _STATE["embedder"] = None
    if embedder_path:
        from django.utils.module_loading import import_string

        cls = import_string(embedder_path)
        try:
            _STATE["embedder"] = cls(threads=1)
        except TypeError:
            _STATE["embedder"] = cls()


def work(
    docs: Sequence[tuple[str, str]], texts: Sequence[str]
) -> tuple[list[Analysed], Counter[str], np.ndarray | None]:
    """Analyse one chunk and embed ``texts`` (the chunk's not yet embedded texts)."""
    analysed = analyse(docs, _STATE["analyzer"])
    matrix = None
    if texts and _STATE["embedder"] is not None:
        matrix = np.asarray(_STATE["embedder"].encode(list(texts)), dtype=np.float32)
    return analysed, document_frequencies(analysed), matrix
