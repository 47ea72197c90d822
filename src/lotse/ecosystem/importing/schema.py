"""Columns of the import/export format, per entity (docs/import-format.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, TextChoices

from lotse.ecosystem.models import (
    DataResidency,
    ListingStatus,
    Need,
    NeedKind,
    Offer,
    OfferKind,
    Organisation,
    OrganisationKind,
    Person,
    RegionalScope,
    SizeBand,
    Visibility,
    Vocabulary,
)

ENTITIES = ("organisations", "people", "offers", "needs")

#: Separator between several values in one CSV cell (topics, languages, memberships ...).
MULTI_SEPARATOR = "|"

TOPIC_VOCABULARIES = (Vocabulary.CAPABILITY.value, Vocabulary.USE_CASE.value)
SECTOR_VOCABULARIES = (Vocabulary.SECTOR.value,)
ALL_VOCABULARIES = tuple(Vocabulary.values)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = False
    max_length: int | None = None
    choices: type[TextChoices] | None = None
    vocabularies: tuple[str, ...] = ()
    bounds: tuple[float, float] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def many(self) -> bool:
        return self.kind in {"terms", "languages", "memberships", "visibility_map"}


def _len(model: type[Model], name: str) -> int | None:
    return model._meta.get_field(name).max_length  # type: ignore[union-attr]


def _text(model: type[Model], name: str, *, required: bool = False) -> Column:
    return Column(name, "text", required=required, max_length=_len(model, name))


def _markdown(name: str) -> Column:
    return Column(name, "markdown", max_length=100_000)


ORGANISATION_COLUMNS: tuple[Column, ...] = (
    Column("key", "key", required=True, max_length=_len(Organisation, "key")),
    Column("kind", "choice", required=True, choices=OrganisationKind),
    _text(Organisation, "name", required=True),
    _text(Organisation, "short_description"),
    _markdown("description"),
    Column("website", "url", max_length=_len(Organisation, "website")),
    Column("email", "email", max_length=_len(Organisation, "email")),
    _text(Organisation, "street"),
    _text(Organisation, "postcode"),
    _text(Organisation, "city"),
    _text(Organisation, "region"),
    Column("country", "country"),
    Column("latitude", "float", bounds=(-90.0, 90.0)),
    Column("longitude", "float", bounds=(-180.0, 180.0)),
    Column("size_band", "choice", choices=SizeBand),
    Column("founded_year", "year"),
    Column("topics", "terms", vocabularies=TOPIC_VOCABULARIES),
    Column("sectors", "terms", vocabularies=SECTOR_VOCABULARIES),
    Column("verified", "bool"),
    Column("last_confirmed", "date"),
    Column("is_fictional", "bool"),
    _text(Organisation, "source_note"),
    Column("created_at", "datetime"),
)

PERSON_COLUMNS: tuple[Column, ...] = (
    Column("key", "key", required=True, max_length=_len(Person, "key")),
    _text(Person, "name", required=True),
    _text(Person, "role_title"),
    _markdown("bio"),
    Column("email", "email", max_length=_len(Person, "email")),
    _text(Person, "phone"),
    _text(Person, "city"),
    Column("expertise", "terms", vocabularies=ALL_VOCABULARIES),
    Column("languages", "languages"),
    Column("visibility", "choice", choices=Visibility),
    Column("field_visibility", "visibility_map"),
    Column("memberships", "memberships"),
    Column("is_fictional", "bool"),
    Column("created_at", "datetime"),
)


def _listing_columns(
    model: type[Offer] | type[Need], kinds: type[TextChoices]
) -> tuple[Column, ...]:
    return (
        Column("key", "key", required=True, max_length=_len(model, "key")),
        Column("organisation", "organisation", required=True),
        Column("kind", "choice", required=True, choices=kinds),
        _text(model, "title", required=True),
        _markdown("description"),
        Column("contact", "person"),
        Column("topics", "terms", vocabularies=TOPIC_VOCABULARIES),
        Column("sectors", "terms", vocabularies=SECTOR_VOCABULARIES),
        Column("regional_scope", "choice", choices=RegionalScope),
        Column("languages", "languages"),
        Column("data_residency", "choice", choices=DataResidency),
        Column("expires_on", "date"),
        Column("status", "choice", choices=ListingStatus),
        Column("is_fictional", "bool"),
        Column("created_at", "datetime"),
    )


OFFER_COLUMNS = _listing_columns(Offer, OfferKind)
NEED_COLUMNS = _listing_columns(Need, NeedKind)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "organisations": ORGANISATION_COLUMNS,
    "people": PERSON_COLUMNS,
    "offers": OFFER_COLUMNS,
    "needs": NEED_COLUMNS,
}

MODELS: dict[str, type[Model]] = {
    "organisations": Organisation,
    "people": Person,
    "offers": Offer,
    "needs": Need,
}

#: Names a file or an ``--entity`` option may use for each entity.
ENTITY_ALIASES: dict[str, str] = {
    "organisations": "organisations",
    "organisation": "organisations",
    "organizations": "organisations",
    "organisationen": "organisations",
    "orgs": "organisations",
    "people": "people",
    "person": "people",
    "persons": "people",
    "personen": "people",
    "offers": "offers",
    "offer": "offers",
    "angebote": "offers",
    "needs": "needs",
    "need": "needs",
    "bedarfe": "needs",
}


def normalise_entity(name: str | None) -> str | None:
    if not name:
        return None
    return ENTITY_ALIASES.get(name.strip().lower())
