from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from lotse.core.markdown import strip_html
from lotse.ecosystem.domain.keys import unique_key
from lotse.ecosystem.models import Membership, MembershipRole, Organisation, Person, Term

EDITABLE_FIELDS = (
    "kind", "name", "short_description", "description", "website", "email", "street",
    "postcode", "city", "region", "country", "latitude", "longitude", "size_band",
    "founded_year", "logo",
)


@transaction.atomic
def create_organisation(
    *,
    name: str,
    kind: str,
    created_by: Any = None,
    topics: Iterable[Term] = (),
    sectors: Iterable[Term] = (),
    key: str | None = None,
    **fields: Any,
) -> Organisation:
    """Create an organisation; its creator (if any) becomes its profile admin."""
    organisation = Organisation(
        key=key or unique_key(Organisation, name), name=strip_html(name), kind=kind
    )
    for name_, value in fields.items():
        if name_ not in EDITABLE_FIELDS and name_ not in {"is_fictional", "source_note"}:
            raise TypeError(f"unknown field {name_!r}")
        setattr(organisation, name_, value)
    organisation.full_clean()
    organisation.save()
    organisation.topics.set(topics)
    organisation.sectors.set(sectors)
    if created_by is not None and created_by.is_authenticated:
        person = ensure_person_for_user(created_by)
        Membership.objects.get_or_create(
            person=person, organisation=organisation, defaults={"role": MembershipRole.ADMIN}
        )
    return organisation


@transaction.atomic
def update_organisation(
    organisation: Organisation,
    *,
    topics: Iterable[Term] | None = None,
    sectors: Iterable[Term] | None = None,
    confirm: bool = True,
    **fields: Any,
) -> Organisation:
    """Change an organisation's profile.  Saving a profile confirms it as current."""
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise TypeError(f"unknown field {name!r}")
        if name == "name":
            value = strip_html(value)
        setattr(organisation, name, value)
    if confirm:
        organisation.last_confirmed = timezone.localdate()
        organisation.stale_reminder_sent_at = None
    organisation.full_clean()
    organisation.save()
    if topics is not None:
        organisation.topics.set(topics)
    if sectors is not None:
        organisation.sectors.set(sectors)
    return organisation


@transaction.atomic
def confirm_organisation(organisation: Organisation) -> Organisation:
    """The owners say: the profile is still correct."""
    organisation.last_confirmed = timezone.localdate()
    organisation.stale_reminder_sent_at = None
    organisation.save(update_fields=["last_confirmed", "stale_reminder_sent_at", "updated_at"])
    return organisation


@transaction.atomic
def verify_organisation(
    organisation: Organisation, *, verified_by: Any, verified: bool = True
) -> Organisation:
    organisation.verified = verified
    organisation.verified_at = timezone.now() if verified else None
    organisation.verified_by = verified_by if verified else None
    organisation.save(update_fields=["verified", "verified_at", "verified_by", "updated_at"])
    return organisation


@transaction.atomic
def delete_organisation(organisation: Organisation) -> None:
    organisation.delete()


def ensure_person_for_user(user: Any) -> Person:
    """The directory profile of an account, created on first need."""
    person = Person.objects.filter(user=user).first()
    if person is not None:
        return person
    display = user.get_full_name() or user.email.split("@")[0]
    return Person.objects.create(
        key=unique_key(Person, display),
        user=user,
        name=display,
        email=user.email,
    )
