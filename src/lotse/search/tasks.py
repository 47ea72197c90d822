"""Index updates off the request path, as django-tasks jobs.

Signals collect the changed ``(entity type, pk)`` pairs per transaction and,
on commit, :func:`schedule_index_update` enqueues :func:`update_search_index`
on the configured task backend (settings ``TASKS`` / ``LOTSE_TASKS_BACKEND``):

* ``immediate`` (default without Redis): the job runs right away, inside the
  ``on_commit`` callback of the request that changed the profile;
* ``database`` or ``rq`` (production): the job is stored and ``lotse worker``
  runs it, so the request is not slowed by the embedder.

A failure never reaches the request that changed the profile: the immediate
backend records it on the job result, a worker logs it; ``lotse reindex``
repairs any gap.  ``lotse reindex --semantic`` is the resumable embedding pass.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django_tasks import task

logger = logging.getLogger(__name__)

# Larger change sets (imports) are split into jobs of this many entities.
JOB_SIZE = 2000


@task()
def update_search_index(items: list[list[object]]) -> int:
    """Re-index the given ``[entity type, pk]`` pairs; returns documents written."""
    from .index import update_entities

    pairs = [(str(t), int(pk)) for t, pk in items]  # type: ignore[call-overload]
    try:
        return update_entities(pairs)
    except Exception:
        logger.exception("Suchindex konnte nicht aktualisiert werden: %s", pairs[:20])
        raise


@task()
def embed_pending(limit: int = 5000) -> int:
    """Embed documents that still lack a vector (after a keyword-only rebuild)."""
    from .index import embed_missing

    return embed_missing(limit=limit)


def schedule_index_update(items: Sequence[tuple[str, int]]) -> None:
    """Hand changed entities to the job queue (called on commit)."""
    pairs = [[entity_type, int(pk)] for entity_type, pk in items]
    for start in range(0, len(pairs), JOB_SIZE):
        chunk = pairs[start : start + JOB_SIZE]
        try:
            update_search_index.enqueue(chunk)
        except Exception:  # queue unreachable: the profile change is committed anyway
            logger.exception("Suchindex-Auftrag konnte nicht eingereiht werden: %s", chunk[:20])
