from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lotse.search import analysis
from lotse.search.index import vectors
from lotse.search.selectors import clear_match_cache


@pytest.fixture(autouse=True)
def _fresh_search_state(settings: Any) -> Iterator[None]:
    """Hashing embedder (fast, deterministic) and no cached analyser/vectors between tests."""
    settings.LOTSE_EMBEDDER = "lotse.search.embeddings.HashingEmbedder"
    analysis.reset()
    vectors.invalidate()
    clear_match_cache()
    yield
    analysis.reset()
    vectors.invalidate()
    clear_match_cache()


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Run a block and execute its on-commit callbacks (the index update)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
