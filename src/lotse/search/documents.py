"""What of each directory entity goes into the search index.

Only what an anonymous visitor may see is indexed: hidden people and
unpublished offers/needs are left out, members-only people are flagged
``members_only``, and a person's fields count only when their field
visibility is public.
"""

from __future__ import annotations

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
MAX_BODY_CHARS = 4000


@dataclass
class DocData:
    entity_type: str
    entity_pk: int
    key: str
    title: str
    body: str
    members_only: bool = False

    @property
    def embed_text(self) -> str:
        from .index import embed_text

        return embed_text(self.title, self.body)


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
    model = model_for(entity_type)
    qs = model._default_manager.all()
    if entity_type == "organisation":
        return qs.prefetch_related("topics", "sectors")
    if entity_type == "person":
        return qs.prefetch_related("expertise", "organisations")
    return qs.select_related("organisation").prefetch_related("topics", "sectors")


def _terms(terms: Iterable[Any]) -> str:
    names = []
    for term in terms:
        names.append(term.name)
        if getattr(term, "name_en", ""):
            names.append(term.name_en)
    return ", ".join(names)


def _join(*parts: str) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())[:MAX_BODY_CHARS]


def build(entity_type: str, obj: Any) -> DocData | None:
    """The indexable text of one entity, or None when it must not be found."""
    if entity_type == "organisation":
        return DocData(
            entity_type,
            obj.pk,
            obj.key,
            obj.name,
            _join(
                obj.short_description,
                _terms(obj.topics.all()),
                _terms(obj.sectors.all()),
                obj.get_kind_display(),
                " ".join(filter(None, [obj.city, obj.region])),
                obj.description,
            ),
        )
    if entity_type == "person":
        if obj.visibility == "hidden":
            return None

        def public(field: str) -> bool:
            return obj.visibility_of(field) == "public"

        return DocData(
            entity_type,
            obj.pk,
            obj.key,
            obj.name,
            _join(
                obj.role_title if public("role_title") else "",
                _terms(obj.expertise.all()) if public("expertise") else "",
                ", ".join(o.name for o in obj.organisations.all()) if public("memberships") else "",
                obj.city,
                obj.bio if public("bio") else "",
            ),
            members_only=obj.visibility == "members",
        )
    if obj.status != "published":
        return None
    return DocData(
        entity_type,
        obj.pk,
        obj.key,
        obj.title,
        _join(
            obj.get_kind_display(),
            _terms(obj.topics.all()),
            _terms(obj.sectors.all()),
            obj.organisation.name,
            obj.description,
        ),
    )


def iter_documents(entity_type: str, pks: Iterable[int] | None = None) -> Iterator[
    tuple[int, DocData | None]
]:
    """(pk, document or None) for the given pks (all when ``pks`` is None)."""
    qs = queryset(entity_type)
    if pks is not None:
        qs = qs.filter(pk__in=list(pks))
    for obj in qs.order_by("pk").iterator(chunk_size=1000):
        yield obj.pk, build(entity_type, obj)
