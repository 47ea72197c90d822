"""Export the directory as CSV (one file per entity) or JSON, in the import format.

What is exported depends on who asks (``access.py``): ``user=None`` (the
command line, run by an operator) and network managers get everything; other
users get only what they may see — no hidden people, no draft or expired
listings of other organisations, and a person's fields only as far as their
field visibility allows.  Exporting and importing into an empty database gives
the same data (tests/ecosystem/test_exports.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from lotse.ecosystem import access
from lotse.ecosystem.importing.schema import COLUMNS, ENTITIES, MULTI_SEPARATOR
from lotse.ecosystem.models import Membership, Need, Offer, Organisation, Person, Term

CHUNK_SIZE = 2000
FORMAT_NAME = "lotse-directory"
FORMAT_VERSION = 1


def _terms(name: str) -> Prefetch:
    return Prefetch(
        name, queryset=Term.objects.only("pk", "slug", "vocabulary", "position", "name")
    )


def _slugs(manager: Any) -> list[str]:
    return [term.slug for term in manager.all()]


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _full(user: Any) -> bool:
    return user is None or access.can_manage_network(user)


def _organisations(user: Any) -> Iterator[dict[str, Any]]:
    queryset = Organisation.objects.order_by("key").prefetch_related(
        _terms("topics"), _terms("sectors")
    )
    for org in queryset.iterator(chunk_size=CHUNK_SIZE):
        if not _full(user) and not access.can_view_organisation(user, org):
            continue
        yield {
            "key": org.key,
            "kind": org.kind,
            "name": org.name,
            "short_description": org.short_description,
            "description": org.description,
            "website": org.website,
            "email": org.email,
            "street": org.street,
            "postcode": org.postcode,
            "city": org.city,
            "region": org.region,
            "country": org.country,
            "latitude": org.latitude,
            "longitude": org.longitude,
            "size_band": org.size_band,
            "founded_year": org.founded_year,
            "topics": _slugs(org.topics),
            "sectors": _slugs(org.sectors),
            "verified": org.verified,
            "last_confirmed": _iso(org.last_confirmed),
            "is_fictional": org.is_fictional,
            "source_note": org.source_note,
            "created_at": _iso(org.created_at),
        }


def _people(user: Any) -> Iterator[dict[str, Any]]:
    queryset: QuerySet[Person] = Person.objects.all()
    if not _full(user):
        queryset = access.visible_people(user, queryset)
    queryset = queryset.order_by("key").prefetch_related(
        _terms("expertise"),
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("organisation")
            .only("person_id", "role", "title", "organisation__key")
            .order_by("organisation__key"),
        ),
    )
    full = _full(user)
    for person in queryset.iterator(chunk_size=CHUNK_SIZE):

        def shown(field: str, person: Person = person) -> bool:
            return full or access.can_view_person_field(user, person, field)

        yield {
            "key": person.key,
            "name": person.name,
            "role_title": person.role_title if shown("role_title") else "",
            "bio": person.bio if shown("bio") else "",
            "email": person.email if shown("email") else "",
            "phone": person.phone if shown("phone") else "",
            "city": person.city,
            "expertise": _slugs(person.expertise) if shown("expertise") else [],
            "languages": list(person.languages or []),
            "visibility": person.visibility,
            "field_visibility": dict(person.field_visibility or {}) if full else {},
            "memberships": [
                {
                    "organisation": membership.organisation.key,
                    "role": membership.role,
                    "title": membership.title,
                }
                for membership in person.memberships.all()
            ]
            if shown("memberships")
            else [],
            "is_fictional": person.is_fictional,
            "created_at": _iso(person.created_at),
        }


def _listings(user: Any, model: type[Offer] | type[Need]) -> Iterator[dict[str, Any]]:
    queryset: QuerySet[Any] = model.objects.all()
    if not _full(user):
        queryset = access.visible_listings(user, queryset)
    queryset = (
        queryset.order_by("key")
        .select_related("organisation", "contact")
        .prefetch_related(_terms("topics"), _terms("sectors"))
    )
    for listing in queryset.iterator(chunk_size=CHUNK_SIZE):
        contact = listing.contact
        if contact is not None and not _full(user) and not access.can_view_person(user, contact):
            contact = None
        yield {
            "key": listing.key,
            "organisation": listing.organisation.key,
            "kind": listing.kind,
            "title": listing.title,
            "description": listing.description,
            "contact": contact.key if contact is not None else "",
            "topics": _slugs(listing.topics),
            "sectors": _slugs(listing.sectors),
            "regional_scope": listing.regional_scope,
            "languages": list(listing.languages or []),
            "data_residency": listing.data_residency,
            "expires_on": _iso(listing.expires_on),
            "status": listing.status,
            "is_fictional": listing.is_fictional,
            "created_at": _iso(listing.created_at),
        }


def export_records(entity: str, *, user: Any = None) -> Iterator[dict[str, Any]]:
    """The records of one entity as plain values (lists for multi-value fields)."""
    if entity == "organisations":
        return _organisations(user)
    if entity == "people":
        return _people(user)
    if entity == "offers":
        return _listings(user, Offer)
    if entity == "needs":
        return _listings(user, Need)
    raise ValueError(f"unknown entity {entity!r}")


def _csv_cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if name == "memberships":
        return MULTI_SEPARATOR.join(
            f"{item['organisation']}:{item['role']}:{item['title'].replace(MULTI_SEPARATOR, '/')}"
            if item["title"]
            else f"{item['organisation']}:{item['role']}"
            for item in value
        )
    if name == "field_visibility":
        return MULTI_SEPARATOR.join(f"{field}={level}" for field, level in sorted(value.items()))
    if isinstance(value, list):
        return MULTI_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def iter_csv(entity: str, *, user: Any = None) -> Iterator[str]:
    """The CSV file of one entity, chunk by chunk (UTF-8, comma, header line)."""
    names = [column.name for column in COLUMNS[entity]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    for count, record in enumerate(export_records(entity, user=user), start=1):
        writer.writerow([_csv_cell(name, record[name]) for name in names])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def iter_json(entities: Sequence[str] = ENTITIES, *, user: Any = None) -> Iterator[str]:
    """One JSON document with a list per entity; one record per line."""
    yield (
        "{\n"
        f'"format": "{FORMAT_NAME}",\n"version": {FORMAT_VERSION},\n'
        f'"exported_at": {json.dumps(timezone.now().isoformat())}'
    )
    for entity in entities:
        yield f',\n"{entity}": ['
        first = True
        for record in export_records(entity, user=user):
            yield ("\n" if first else ",\n") + json.dumps(record, ensure_ascii=False)
            first = False
        yield "\n]" if not first else "]"
    yield "\n}\n"


def export_csv(entity: str, *, user: Any = None) -> str:
    return "".join(iter_csv(entity, user=user))


def export_json(entities: Sequence[str] = ENTITIES, *, user: Any = None) -> str:
    return "".join(iter_json(entities, user=user))
