from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lotse.core.markdown import strip_html
from lotse.ecosystem.domain.keys import unique_key
from lotse.ecosystem.models import Membership, Organisation, Person, Term, Visibility

EDITABLE_FIELDS = ("name", "role_title", "bio", "email", "phone", "city", "languages", "visibility")


def _check_visibility(field_visibility: Mapping[str, str]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for field_name, level in field_visibility.items():
        if field_name not in Person.PER_FIELD_VISIBILITY:
            raise ValidationError(
                _("Unbekanntes Feld für die Sichtbarkeit: %(field)s"),
                params={"field": field_name},
            )
        if level not in Visibility.values:
            raise ValidationError(
                _("Unbekannte Sichtbarkeit: %(level)s"), params={"level": level}
            )
        cleaned[field_name] = level
    return cleaned


@transaction.atomic
def create_person(
    *,
    name: str,
    key: str | None = None,
    expertise: Iterable[Term] = (),
    field_visibility: Mapping[str, str] | None = None,
    **fields: Any,
) -> Person:
    person = Person(key=key or unique_key(Person, name), name=strip_html(name))
    for field_name, value in fields.items():
        if field_name not in EDITABLE_FIELDS and field_name not in {"user", "is_fictional"}:
            raise TypeError(f"unknown field {field_name!r}")
        setattr(person, field_name, value)
    person.field_visibility = _check_visibility(field_visibility or {})
    person.full_clean()
    person.save()
    person.expertise.set(expertise)
    return person


@transaction.atomic
def update_person(
    person: Person,
    *,
    expertise: Iterable[Term] | None = None,
    field_visibility: Mapping[str, str] | None = None,
    **fields: Any,
) -> Person:
    for field_name, value in fields.items():
        if field_name not in EDITABLE_FIELDS:
            raise TypeError(f"unknown field {field_name!r}")
        if field_name == "name":
            value = strip_html(value)
        setattr(person, field_name, value)
    if field_visibility is not None:
        person.field_visibility = _check_visibility(field_visibility)
    person.full_clean()
    person.save()
    if expertise is not None:
        person.expertise.set(expertise)
    return person


@transaction.atomic
def add_membership(
    person: Person, organisation: Organisation, *, role: str = "member", title: str = ""
) -> Membership:
    membership, created = Membership.objects.get_or_create(
        person=person, organisation=organisation, defaults={"role": role, "title": title}
    )
    if not created and (membership.role != role or (title and membership.title != title)):
        membership.role = role
        membership.title = title or membership.title
        membership.save(update_fields=["role", "title"])
    return membership


@transaction.atomic
def remove_membership(membership: Membership) -> None:
    membership.delete()


@transaction.atomic
def delete_person(person: Person) -> None:
    person.delete()
