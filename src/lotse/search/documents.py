"""What of each directory entity goes into the search index.

Only what an anonymous visitor may see is indexed: hidden people and
unpublished offers/needs are left out, members-only people are flagged
``members_only``, and a person's fields count only when their field
visibility is public.

Documents are read in bulk (``values_list`` over the entity table and its
link tables, a few queries per 2,000 entities, no model instances): the full
rebuild and the incremental update (signals) use this same path, so both
write the same documents.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Model, QuerySet

ENTITY_TYPES = ("organisation", "person", "offer", "need")
TYPE_CODES = {name: code for code, name in enumerate(ENTITY_TYPES)}
MODEL_NAMES = {
    "organisation": "Organisation",
    "person": "Person",
    "offer": "Offer",
    "need": "Need",
}
FACET_LOOKUPS: dict[str, tuple[str, ...]] = {
    "organisation": ("kind", "region", "topics__slug", "sectors__slug"),
    "offer": ("kind", "data_residency", "regional_scope", "topics__slug", "sectors__slug"),
    "need": ("kind", "data_residency", "regional_scope", "topics__slug", "sectors__slug"),
}
"""The directory facets whose values each document carries (``DocData.facets``),
by the facet's lookup: the directory counts a query's matches from them without
reading the entity and link tables again.  Only the entity's own columns and
link tables: a value read through another entity (an organisation's offers'
data residency) would go stale when that other entity changes."""
MAX_BODY_CHARS = 4000
MAX_EMBED_TEXT = 160
CHUNK = 2000


@dataclass
class DocData:
    entity_type: str
    entity_pk: int
    key: str
    title: str
    body: str
    members_only: bool = False
    facets: str | None = None
    """``lookup=value`` tokens for FACET_LOOKUPS (None: the type carries none)."""

    @property
    def embed_text(self) -> str:
        return embed_text(self.entity_type, self.title, self.body)


def embed_text(entity_type: str, title: str, body: str) -> str:
    """What the embedder sees (~20 words), derived from the stored title and body.

    * offer, need: the title and the first body line (the kind of offer/need).
    * organisation: the first body line, the short description (its topics when
      there is none).
    * person: the first body line, role and expertise (see :func:`_person_summary`).

    Names are left out: they say little about what an organisation or person
    does (finding names is the keyword half's job; measured with
    bench/search_eval.py, see bench/README.md), and without them entries that
    describe themselves alike share one text, so the build encodes it once.
    """
    first = (body or "").split("\n", 1)[0]
    if entity_type in ("organisation", "person"):
        return (first or title)[:MAX_EMBED_TEXT]
    return f"{title}. {first}"[:MAX_EMBED_TEXT]


def model_for(entity_type: str) -> type[Model]:
    return apps.get_model("ecosystem", MODEL_NAMES[entity_type])


def type_of(model: type[Model]) -> str | None:
    if model._meta.app_label != "ecosystem":
        return None
    for entity_type, name in MODEL_NAMES.items():
        if model.__name__ == name:
            return entity_type
    return None


def queryset(entity_type: str) -> QuerySet[Any]:
    """All entities of the type (the reindex command counts them for its progress bar)."""
    return model_for(entity_type)._default_manager.all()


FACET_SEPARATOR = "\x1f"  # the unit separator: not part of any value a form accepts
FACET_RECORD_SEPARATOR = "\x1e"  # nor this: between the texts of a packed match


def facet_text(pairs: Iterable[tuple[str, Any]]) -> str:
    """``lookup=value`` tokens (empty values left out), as ``DocData.facets`` stores
    them: each followed by the separator, the first preceded by it too, so one
    token is found with ``needle in text`` (``facet_needle``) and the tokens of
    many documents by one split of their concatenation (``facet_tokens``)."""
    tokens = [
        f"{lookup}={value}".replace(FACET_SEPARATOR, " ").replace(FACET_RECORD_SEPARATOR, " ")
        for lookup, value in pairs
        if value not in (None, "")
    ]
    if not tokens:
        return ""
    return FACET_SEPARATOR + FACET_SEPARATOR.join(tokens) + FACET_SEPARATOR


def facet_needle(lookup: str, value: object) -> str:
    """What a ``facets`` text contains exactly when it carries ``lookup=value``."""
    return f"{FACET_SEPARATOR}{lookup}={value}{FACET_SEPARATOR}"


def facet_tokens(texts: Iterable[str]) -> list[str]:
    """Every ``lookup=value`` token of some ``facets`` texts, and empty strings
    between them (one split, no work per text: callers count by prefix)."""
    return "".join(texts).split(FACET_SEPARATOR)


def _join(*parts: str) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())[:MAX_BODY_CHARS]


def _person_summary(role: str, expertise: str) -> str:
    """First line of a person's body: role and expertise, what the embedder sees."""
    role, expertise = role.strip(), expertise.strip()
    if role and expertise:
        return f"{role}: {expertise}"
    return role or expertise


class _Terms:
    """Term names by pk, ordered like ``Term.Meta.ordering`` (what ``.all()`` gave)."""

    def __init__(self) -> None:
        term = apps.get_model("ecosystem", "Term")
        self.rank: dict[int, int] = {}
        self.names: dict[int, list[str]] = {}
        self.slugs: dict[int, str] = {}
        for rank, (pk, name, name_en, slug) in enumerate(
            term.objects.order_by(*term._meta.ordering, "pk").values_list(
                "pk", "name", "name_en", "slug"
            )
        ):
            self.rank[pk] = rank
            self.names[pk] = [name, name_en] if name_en else [name]
            self.slugs[pk] = slug

    def text(self, pks: Iterable[int]) -> str:
        ordered = sorted(pks, key=lambda pk: self.rank.get(pk, 0))
        return ", ".join(n for pk in ordered for n in self.names.get(pk, ()))

    def facets(self, lookup: str, pks: Iterable[int]) -> list[tuple[str, str]]:
        return [(lookup, self.slugs[pk]) for pk in pks if pk in self.slugs]


def _choices(model: type[Model], field: str) -> dict[str, str]:
    """``get_<field>_display()`` as a dict, in the active language."""
    choices = model._meta.get_field(field).flatchoices  # type: ignore[union-attr]
    return {str(k): str(v) for k, v in choices}


def _links(
    model: type[Model], field: str, owner_pks: list[int], bounds: tuple[int, int] | None
) -> dict[int, list[int]]:
    """Owner pk → target pks of an m2m field, read from its link table."""
    through = getattr(model, field).through
    source = getattr(model, field).field.m2m_field_name()
    target = getattr(model, field).field.m2m_reverse_field_name()
    qs = through.objects.all()
    if bounds is not None:
        qs = qs.filter(**{f"{source}_id__gte": bounds[0], f"{source}_id__lte": bounds[1]})
    else:
        qs = qs.filter(**{f"{source}_id__in": owner_pks})
    out: dict[int, list[int]] = defaultdict(list)
    for owner, other in qs.values_list(f"{source}_id", f"{target}_id"):
        out[owner].append(other)
    return out


def _chunks(
    entity_type: str, fields: list[str], pks: Iterable[int] | None
) -> Iterator[tuple[list[tuple[Any, ...]], tuple[int, int] | None]]:
    """Rows (pk first) of the entity table in pk order, ``CHUNK`` at a time, with
    the pk range of the chunk when every pk in it is wanted (link tables are then
    read by range instead of a long ``IN`` list)."""
    qs = model_for(entity_type)._default_manager.order_by("pk")
    if pks is not None:
        wanted = sorted(set(pks))
        for i in range(0, len(wanted), CHUNK):
            rows = list(qs.filter(pk__in=wanted[i : i + CHUNK]).values_list("pk", *fields))
            if rows:
                yield rows, None
        return
    last = None
    while True:
        page = qs if last is None else qs.filter(pk__gt=last)
        rows = list(page.values_list("pk", *fields)[:CHUNK])
        if not rows:
            return
        last = rows[-1][0]
        yield rows, (rows[0][0], last)


def iter_documents(entity_type: str, pks: Iterable[int] | None = None) -> Iterator[
    tuple[int, DocData | None]
]:
    """(pk, document or None) for the given pks (all when ``pks`` is None), in pk order."""
    terms = _Terms()
    model = model_for(entity_type)
    if entity_type == "organisation":
        yield from _organisations(model, terms, pks)
    elif entity_type == "person":
        yield from _people(model, terms, pks)
    else:
        yield from _listings(entity_type, model, terms, pks)


def _organisations(
    model: type[Model], terms: _Terms, pks: Iterable[int] | None
) -> Iterator[tuple[int, DocData | None]]:
    kinds = _choices(model, "kind")
    fields = ["key", "name", "short_description", "kind", "city", "region", "description"]
    for rows, bounds in _chunks("organisation", fields, pks):
        owners = [r[0] for r in rows]
        topics = _links(model, "topics", owners, bounds)
        sectors = _links(model, "sectors", owners, bounds)
        for pk, key, name, short, kind, city, region, description in rows:
            body = _join(
                short,
                terms.text(topics.get(pk, ())),
                terms.text(sectors.get(pk, ())),
                kinds.get(kind, kind),
                " ".join(filter(None, [city, region])),
                description,
            )
            facets = facet_text(
                [
                    ("kind", kind),
                    ("region", region),
                    *terms.facets("topics__slug", topics.get(pk, ())),
                    *terms.facets("sectors__slug", sectors.get(pk, ())),
                ]
            )
            yield pk, DocData("organisation", pk, key, name, body, facets=facets)


def _people(
    model: type[Model], terms: _Terms, pks: Iterable[int] | None
) -> Iterator[tuple[int, DocData | None]]:
    membership = apps.get_model("ecosystem", "Membership")
    defaults = model.DEFAULT_FIELD_VISIBILITY  # type: ignore[attr-defined]
    allowed = set(_choices(model, "visibility"))
    fields = ["key", "name", "role_title", "city", "bio", "visibility", "field_visibility"]
    for rows, bounds in _chunks("person", fields, pks):
        owners = [r[0] for r in rows]
        expertise = _links(model, "expertise", owners, bounds)
        members = membership.objects.all()
        if bounds is not None:
            members = members.filter(person_id__gte=bounds[0], person_id__lte=bounds[1])
        else:
            members = members.filter(person_id__in=owners)
        orgs: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for person_id, org_pk, org_name in members.values_list(
            "person_id", "organisation_id", "organisation__name"
        ):
            orgs[person_id].append((org_name, org_pk))
        for pk, key, name, role, city, bio, visibility, field_visibility in rows:
            if visibility == "hidden":
                yield pk, None
                continue
            own = field_visibility if isinstance(field_visibility, dict) else {}

            def public(field: str, own: dict[str, Any] = own) -> bool:
                value = own.get(field)
                if value not in allowed:
                    value = defaults.get(field, "public")
                return str(value) == "public"

            body = _join(
                _person_summary(
                    role if public("role_title") else "",
                    terms.text(expertise.get(pk, ())) if public("expertise") else "",
                ),
                ", ".join(n for n, _ in sorted(orgs.get(pk, ())))
                if public("memberships")
                else "",
                city,
                bio if public("bio") else "",
            )
            yield pk, DocData(
                "person", pk, key, name, body, members_only=visibility == "members"
            )


def _listings(
    entity_type: str, model: type[Model], terms: _Terms, pks: Iterable[int] | None
) -> Iterator[tuple[int, DocData | None]]:
    kinds = _choices(model, "kind")
    fields = [
        "key", "title", "kind", "status", "description", "organisation__name",
        "data_residency", "regional_scope",
    ]
    for rows, bounds in _chunks(entity_type, fields, pks):
        owners = [r[0] for r in rows]
        topics = _links(model, "topics", owners, bounds)
        sectors = _links(model, "sectors", owners, bounds)
        for pk, key, title, kind, status, description, org_name, residency, scope in rows:
            if status != "published":
                yield pk, None
                continue
            body = _join(
                kinds.get(kind, kind),
                terms.text(topics.get(pk, ())),
                terms.text(sectors.get(pk, ())),
                org_name,
                description,
            )
            facets = facet_text(
                [
                    ("kind", kind),
                    ("data_residency", residency),
                    ("regional_scope", scope),
                    *terms.facets("topics__slug", topics.get(pk, ())),
                    *terms.facets("sectors__slug", sectors.get(pk, ())),
                ]
            )
            yield pk, DocData(entity_type, pk, key, title, body, facets=facets)
