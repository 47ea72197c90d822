"""Small SQL helpers shared by the apps' selectors."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection
from django.db.models.expressions import RawSQL


def id_list(ids: Iterable[int]) -> RawSQL:
    """A subquery yielding ``ids``, for ``field__in=id_list(ids)``.

    Thousands of ids go to the database as one bound parameter (a PostgreSQL
    array, a JSON list on SQLite) instead of one placeholder each: cheaper to
    build in Python, to send and to plan."""
    # A set is already unique (the callers pass sets of ids from the database).
    unique = ids if isinstance(ids, (set, frozenset)) else set(ids)
    values = sorted(map(int, unique))
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (pg_array_literal(values),))
    return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(values),))


def pg_array_literal(ids: Iterable[int]) -> str:
    """``ids`` as a PostgreSQL array literal (``'{1,2,3}'``, bind it and cast it):
    psycopg then quotes one string instead of adapting thousands of ints one by one."""
    return "{" + ",".join(map(str, map(int, ids))) + "}"
