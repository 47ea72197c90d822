"""The global search page (/suche/?q=) and the autocomplete fragment for search boxes."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from . import selectors
from .documents import ENTITY_TYPES

PAGE_SIZE = 20
TYPE_LABELS = {
    "organisation": _("Organisationen"),
    "person": _("Personen"),
    "offer": _("Angebote"),
    "need": _("Bedarfe"),
}


def _page_number(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), selectors.MAX_OFFSET // PAGE_SIZE + 1))
    except (TypeError, ValueError):
        return 1


def search_page(request: HttpRequest) -> HttpResponse:
    query = selectors.clean_query(request.GET.get("q"))
    entity_type = request.GET.get("type", "")
    if entity_type not in ENTITY_TYPES:
        entity_type = ""
    page = _page_number(request.GET.get("page"))
    result = None
    if query:
        result = selectors.visible_search(
            request.user,
            query,
            types={entity_type} if entity_type else None,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    context = {
        "query": query,
        "result": result,
        "entity_type": entity_type,
        "types": list(TYPE_LABELS.items()),
        "type_labels": TYPE_LABELS,
        "page": page,
        "start": (page - 1) * PAGE_SIZE + 1,
        "has_previous": page > 1,
        "has_next": bool(result and result.total > page * PAGE_SIZE and result.hits),
    }
    return render(request, "search/search.html", context)


def suggestions(request: HttpRequest) -> HttpResponse:
    """Autocomplete: a listbox of title suggestions (links) for the search box."""
    prefix = request.GET.get("q", "")
    entity_type = request.GET.get("type", "")
    listbox = request.GET.get("listbox", "search-suggestions")
    if not listbox.replace("-", "").isalnum() or len(listbox) > 40:
        listbox = "search-suggestions"
    items = selectors.autocomplete(
        prefix, limit=8, types={entity_type} if entity_type in ENTITY_TYPES else None
    )
    for item in items:
        item["url"] = selectors.url_of(item["type"], item["key"])
        item["type_label"] = str(TYPE_LABELS.get(item["type"], ""))
    return render(
        request,
        "search/_suggestions.html",
        {"suggestions": items, "listbox": listbox, "prefix": prefix[:200]},
    )
