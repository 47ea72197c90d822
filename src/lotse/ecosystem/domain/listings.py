from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import transaction

from lotse.core.markdown import strip_html
from lotse.ecosystem.domain.keys import unique_key
from lotse.ecosystem.models import Need, Offer, Organisation, Term

L = TypeVar("L", Offer, Need)

EDITABLE_FIELDS = (
    "kind", "title", "description", "contact", "regional_scope", "languages",
    "data_residency", "expires_on", "status",
)


@transaction.atomic
def create_listing(
    model: type[L],
    *,
    organisation: Organisation,
    title: str,
    kind: str,
    key: str | None = None,
    topics: Iterable[Term] = (),
    sectors: Iterable[Term] = (),
    **fields: Any,
) -> L:
    listing = model(
        key=key or unique_key(model, f"{organisation.key}-{title}"),
        organisation=organisation,
        title=strip_html(title),
        kind=kind,
    )
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS and name != "is_fictional":
            raise TypeError(f"unknown field {name!r}")
        setattr(listing, name, value)
    listing.full_clean()
    listing.save()
    listing.topics.set(topics)
    listing.sectors.set(sectors)
    return listing


@transaction.atomic
def update_listing(
    listing: L,
    *,
    topics: Iterable[Term] | None = None,
    sectors: Iterable[Term] | None = None,
    **fields: Any,
) -> L:
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise TypeError(f"unknown field {name!r}")
        if name == "title":
            value = strip_html(value)
        setattr(listing, name, value)
    listing.full_clean()
    listing.save()
    if topics is not None:
        listing.topics.set(topics)
    if sectors is not None:
        listing.sectors.set(sectors)
    return listing


@transaction.atomic
def delete_listing(listing: Offer | Need) -> None:
    listing.delete()
