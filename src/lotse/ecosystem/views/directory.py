"""Directory pages: lists with facets (htmx-enhanced) and detail pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from lotse.core.paginator import KeysFirstPaginator
from lotse.ecosystem import access, selectors
from lotse.ecosystem.models import Need, Offer

ListSelector = Callable[[Any, Any], selectors.DirectoryPage]


def _list(request: HttpRequest, selector: ListSelector, *, entity: str, title: str) -> HttpResponse:
    page_data = selector(request.user, request.GET)
    paginator = KeysFirstPaginator(page_data.queryset, settings.LOTSE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    if page_data.query:
        page.object_list = selectors.attach_snippets(
            list(page.object_list), page_data.query, entity=entity
        )
    context = {
        "directory": page_data,
        "page": page,
        "entity": entity,
        "title": title,
        "sorts": selectors.sort_options(entity, page_data),
        "is_manager": access.is_manager(request.user),
    }
    template = (
        "ecosystem/_directory.html"
        if getattr(request, "htmx", False) and not request.htmx.boosted  # type: ignore[attr-defined]
        else "ecosystem/directory.html"
    )
    return render(request, template, context)


def organisation_list(request: HttpRequest) -> HttpResponse:
    return _list(
        request, selectors.organisation_directory, entity="organisation", title="Organisationen"
    )


def person_list(request: HttpRequest) -> HttpResponse:
    return _list(request, selectors.person_directory, entity="person", title="Personen")


def offer_list(request: HttpRequest) -> HttpResponse:
    return _list(request, selectors.offer_directory, entity="offer", title="Angebote")


def need_list(request: HttpRequest) -> HttpResponse:
    return _list(request, selectors.need_directory, entity="need", title="Bedarfe")


def organisation_detail(request: HttpRequest, key: str) -> HttpResponse:
    organisation = selectors.get_organisation(key)
    if organisation is None or not access.can_view_organisation(request.user, organisation):
        raise Http404
    context = {
        "organisation": organisation,
        "memberships": selectors.organisation_people(request.user, organisation),
        "listings": selectors.organisation_listings(request.user, organisation),
        "can_edit": access.can_edit_organisation(request.user, organisation),
        "can_delete": access.can_delete_organisation(request.user, organisation),
        "is_stale": organisation.is_stale(),
    }
    return render(request, "ecosystem/organisation_detail.html", context)


def person_detail(request: HttpRequest, key: str) -> HttpResponse:
    person = selectors.get_person(key)
    # A hidden profile answers 404, not 403: its existence is not revealed.
    if person is None or not access.can_view_person(request.user, person):
        raise Http404
    visible = {
        field: access.can_view_person_field(request.user, person, field)
        for field in person.PER_FIELD_VISIBILITY
    }
    context = {
        "person": person,
        "visible": visible,
        "can_edit": access.can_edit_person(request.user, person),
    }
    return render(request, "ecosystem/person_detail.html", context)


def _listing_detail(
    request: HttpRequest, model: type[Offer] | type[Need], key: str
) -> HttpResponse:
    listing = selectors.get_listing(model, key)
    if listing is None or not access.can_view_listing(request.user, listing):
        raise Http404
    context = {
        "listing": listing,
        "entity": "offer" if model is Offer else "need",
        "can_edit": access.can_edit_listing(request.user, listing),
        "can_delete": access.can_delete_listing(request.user, listing),
    }
    return render(request, "ecosystem/listing_detail.html", context)


def offer_detail(request: HttpRequest, key: str) -> HttpResponse:
    return _listing_detail(request, Offer, key)


def need_detail(request: HttpRequest, key: str) -> HttpResponse:
    return _listing_detail(request, Need, key)
