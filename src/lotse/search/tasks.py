"""Index updates off the request path.

``LOTSE_SEARCH_ASYNC`` (setting or environment, default off) runs the index
update after commit in a background thread; otherwise it runs inline in the
``on_commit`` callback.  Either way a failure is logged, never raised into the
request: ``lotse reindex`` repairs any gap.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence

from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)


def is_async() -> bool:
    value = getattr(settings, "LOTSE_SEARCH_ASYNC", None)
    if value is None:
        value = os.environ.get("LOTSE_SEARCH_ASYNC", "").lower() in {"1", "true", "yes", "on"}
    return bool(value)


def update_index(items: Sequence[tuple[str, int]]) -> None:
    from .index import update_entities

    try:
        update_entities(items)
    except Exception:  # the directory write already committed; log and move on
        logger.exception("Suchindex konnte nicht aktualisiert werden: %s", list(items)[:20])


def _run_in_thread(items: Sequence[tuple[str, int]]) -> None:
    try:
        update_index(items)
    finally:
        close_old_connections()


def schedule_index_update(items: Sequence[tuple[str, int]]) -> None:
    if not items:
        return
    if is_async():
        threading.Thread(target=_run_in_thread, args=(list(items),), daemon=True).start()
    else:
        update_index(items)
