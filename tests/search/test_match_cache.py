"""The directory remembers a query's match for a while (``selectors._recall_match``),
in the process and in the shared cache: reused while the index is unchanged, never
after a change, a removal included."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lotse.ecosystem.domain.organisations import create_organisation
from lotse.ecosystem.models import Organisation
from lotse.search import selectors
from lotse.search.selectors import filter_queryset

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_cache(settings: Any) -> Iterator[None]:
    """A cache that other processes reach: the real Redis (127.0.0.1:6379, database 14)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    try:
        cache.set("probe", 1)
    except Exception as error:
        pytest.fail(f"Redis on 127.0.0.1:6379 is needed for the shared-cache tests: {error}")
    yield
    cache.clear()


@pytest.fixture
def orgs(committed: Callable[..., Any]) -> dict[str, Organisation]:
    with committed():
        return {
            key: create_organisation(
                name=f"{key.title()} Archivdienste", kind="agency", key=key, region="Hamburg"
            )
            for key in ("alpha", "beta", "gamma")
        }


def _matched(query: str = "Archivdienste") -> tuple[set[int], int]:
    """(matched ids, how many statements read the full-text index)."""
    with CaptureQueriesContext(connection) as queries:
        result = filter_queryset(Organisation.objects.all(), query, entity="organisation")
    fulltext = sum(
        1 for q in queries.captured_queries if "search_fts" in q["sql"] or "tsv @@" in q["sql"]
    )
    return set(getattr(result, "matched_ids")), fulltext  # noqa: B009 - set by filter_queryset


def test_a_repeated_query_reuses_the_match(orgs: dict[str, Organisation]) -> None:
    first, searched = _matched()
    assert first == {o.pk for o in orgs.values()}
    assert searched > 0
    again, searched_again = _matched()
    assert again == first
    assert searched_again == 0
    # Another query is a match of its own.
    _, other = _matched("Alpha")
    assert other > 0


def test_a_change_is_seen_at_once(
    orgs: dict[str, Organisation], committed: Callable[..., Any]
) -> None:
    _matched()
    with committed():
        delta = create_organisation(name="Delta Archivdienste", kind="agency", key="delta")
    assert delta.pk in _matched()[0]


def test_a_removal_is_seen_at_once(
    orgs: dict[str, Organisation], committed: Callable[..., Any]
) -> None:
    """Removing a document writes no newer revision: the index generation tells."""
    _matched()
    with committed():
        orgs["alpha"].delete()  # not the newest document: the newest revision stays
    assert _matched()[0] == {orgs["beta"].pk, orgs["gamma"].pk}


def test_a_remembered_match_expires(
    orgs: dict[str, Organisation], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "MATCH_CACHE_SECONDS", 0.0)  # (expired at once)
    _matched()
    assert _matched()[1] > 0


def test_only_the_last_few_and_only_small_matches_are_kept(
    orgs: dict[str, Organisation], monkeypatch: pytest.MonkeyPatch, shared_cache: None
) -> None:
    monkeypatch.setattr(selectors, "MATCH_CACHE_SIZE", 1)
    _matched()
    _matched("Alpha")
    assert [key[1] for key in selectors._match_cache] == ["Alpha"]  # the first pushed out
    assert _matched()[1] == 0  # ... but still in the shared cache
    selectors.clear_match_cache()
    monkeypatch.setattr(selectors, "MATCH_CACHE_MAX", 2)
    _matched()
    assert not selectors._match_cache
    assert _matched()[1] > 0  # three matches: too many to keep anywhere


def test_another_process_finds_the_match_in_the_shared_cache(
    orgs: dict[str, Organisation], shared_cache: None
) -> None:
    """Another worker process (here: this one with its own memory emptied) reads
    the match from the shared cache: the same ids and facet values, no full-text query."""
    first = filter_queryset(Organisation.objects.all(), "Archivdienste", entity="organisation")
    with selectors._match_lock:
        selectors._match_cache.clear()  # not clear_match_cache(): that voids the shared one too
    again, searched = _matched()
    assert searched == 0
    assert again == set(getattr(first, "matched_ids"))  # noqa: B009 - set by filter_queryset
    restored = filter_queryset(Organisation.objects.all(), "Archivdienste", entity="organisation")
    texts = getattr(restored, "matched_facets").texts  # noqa: B009 - set by filter_queryset
    assert texts == getattr(first, "matched_facets").texts  # noqa: B009
    assert "\x1fregion=Hamburg\x1f" in texts[orgs["beta"].pk]


def test_a_process_local_cache_gets_no_second_copy(
    orgs: dict[str, Organisation], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The embedded default cache lives in this process: the match stays in
    ``_match_cache`` only, nothing is packed into the cache."""
    assert not selectors._cache_is_shared()

    def not_packed(match: Any) -> Any:
        raise AssertionError("packed for a process-local cache")

    monkeypatch.setattr(selectors, "_pack", not_packed)
    first, searched = _matched()
    assert searched > 0
    assert _matched() == (first, 0)  # remembered in the process
    with selectors._match_lock:
        selectors._match_cache.clear()
    assert _matched()[1] > 0  # and nowhere else


def test_a_packed_match_is_restored_exactly(orgs: dict[str, Organisation]) -> None:
    match = selectors._match("Archivdienste", "organisation")
    assert match.facets is not None
    restored = selectors._unpack("organisation", selectors._pack(match))
    assert restored.pks == match.pks
    assert restored.exact == match.exact
    assert restored.facets == match.facets
    ranked_only = selectors._DirectoryMatch([3, 1, 2], None, None)
    assert selectors._unpack("organisation", selectors._pack(ranked_only)) == ranked_only
