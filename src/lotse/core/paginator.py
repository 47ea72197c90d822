"""Pagination for large directory lists."""

from __future__ import annotations

from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


class KeysFirstPaginator(Paginator):
    """Fetches a page's primary keys first, then only those rows.

    Sorting 25,000 matching organisations by relevance needs each candidate's
    key and sort value only; asking for whole rows made PostgreSQL read every
    wide row before sorting (~200 ms at 100,000 organisations).  The second
    query reads the page's 20 rows (with the queryset's annotations and
    prefetches) and puts them back in the order of the first."""

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = cast(QuerySet[Any], self.object_list)
        keys = list(queryset.values_list("pk", flat=True)[bottom:top])
        rows = {obj.pk: obj for obj in queryset.order_by().filter(pk__in=keys)}
        return Page([rows[key] for key in keys if key in rows], number, self)
