"""Who may see, change and delete what in the directory.

One place per model; views and selectors call only these functions, and
tests/ecosystem/test_access.py checks them as a matrix
(anonymous / member / member of another organisation / manager × view / edit / delete).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from lotse.ecosystem.models import (
    ListingStatus,
    Membership,
    MembershipRole,
    Need,
    Offer,
    Organisation,
    Person,
    Visibility,
)

Listing = Offer | Need


def is_manager(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and getattr(user, "is_manager", False))


def is_member(user: Any) -> bool:
    """Any logged-in, active account counts as a member of the network."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def _person_of(user: Any) -> Person | None:
    if not is_member(user):
        return None
    cached = getattr(user, "_lotse_person", None)
    if cached is None:
        cached = Person.objects.filter(user=user).first() or False
        user._lotse_person = cached
    return cached if isinstance(cached, Person) else None


def membership_role(user: Any, organisation: Organisation) -> str | None:
    person = _person_of(user)
    if person is None:
        return None
    return (
        Membership.objects.filter(person=person, organisation=organisation)
        .values_list("role", flat=True)
        .first()
    )


# --- Organisation -------------------------------------------------------------------


def can_view_organisation(user: Any, organisation: Organisation) -> bool:
    return True  # the directory of organisations is public


def can_edit_organisation(user: Any, organisation: Organisation) -> bool:
    if is_manager(user):
        return True
    return membership_role(user, organisation) == MembershipRole.ADMIN


def can_delete_organisation(user: Any, organisation: Organisation) -> bool:
    return is_manager(user)


def can_invite_to_organisation(user: Any, organisation: Organisation) -> bool:
    return can_edit_organisation(user, organisation)


def can_manage_members(user: Any, organisation: Organisation) -> bool:
    """See all members, change their roles, remove them, revoke invitations."""
    return can_edit_organisation(user, organisation)


def can_claim_organisation(user: Any, organisation: Organisation) -> bool:
    """Any member of the network may claim an organisation they do not administer yet."""
    return is_member(user) and membership_role(user, organisation) != MembershipRole.ADMIN


# --- Person -------------------------------------------------------------------------


def _visible_levels(user: Any) -> list[str]:
    levels = [Visibility.PUBLIC.value]
    if is_member(user):
        levels.append(Visibility.MEMBERS.value)
    return levels


def is_own_person(user: Any, person: Person) -> bool:
    return is_member(user) and person.user_id is not None and person.user_id == user.pk


def can_view_person(user: Any, person: Person) -> bool:
    if is_manager(user) or is_own_person(user, person):
        return True
    if person.visibility in _visible_levels(user):
        return True
    # Whoever keeps a profile (admins of an account-less person's organisation)
    # still sees it after hiding it; everybody else gets a 404.
    return person.user_id is None and can_edit_person(user, person)


def can_view_person_field(user: Any, person: Person, field: str) -> bool:
    if is_manager(user) or is_own_person(user, person):
        return True
    return person.visibility_of(field) in _visible_levels(user)


def can_edit_person(user: Any, person: Person) -> bool:
    if is_manager(user) or is_own_person(user, person):
        return True
    if person.user_id is not None:
        return False  # people with their own account edit themselves
    # Profiles without an account are kept by the admins of their organisations.
    me = _person_of(user)
    if me is None:
        return False
    return Membership.objects.filter(
        person=me,
        role=MembershipRole.ADMIN,
        organisation__memberships__person=person,
    ).exists()


def can_delete_person(user: Any, person: Person) -> bool:
    return is_manager(user) or is_own_person(user, person)


def visible_people(user: Any, queryset: QuerySet[Person] | None = None) -> QuerySet[Person]:
    queryset = queryset if queryset is not None else Person.objects.all()
    if is_manager(user):
        return queryset
    condition = Q(visibility__in=_visible_levels(user))
    if is_member(user):
        condition |= Q(user=user)
    return queryset.filter(condition)


# --- Offers and needs ---------------------------------------------------------------


def _is_org_member(user: Any, organisation_id: int) -> bool:
    person = _person_of(user)
    if person is None:
        return False
    return Membership.objects.filter(person=person, organisation_id=organisation_id).exists()


def can_view_listing(user: Any, listing: Listing) -> bool:
    if listing.status == ListingStatus.PUBLISHED and not listing.is_expired():
        return True
    return is_manager(user) or _is_org_member(user, listing.organisation_id)


def can_edit_listing(user: Any, listing: Listing) -> bool:
    return is_manager(user) or _is_org_member(user, listing.organisation_id)


def can_delete_listing(user: Any, listing: Listing) -> bool:
    if is_manager(user):
        return True
    return membership_role(user, listing.organisation) == MembershipRole.ADMIN


def can_create_listing_for(user: Any, organisation: Organisation) -> bool:
    return is_manager(user) or _is_org_member(user, organisation.pk)


def visible_listings(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if is_manager(user):
        return queryset
    public = Q(status=ListingStatus.PUBLISHED) & (
        Q(expires_on__isnull=True) | Q(expires_on__gte=timezone.localdate())
    )
    person = _person_of(user)
    if person is not None:
        public |= Q(
            organisation_id__in=Membership.objects.filter(person=person).values("organisation_id")
        )
    return queryset.filter(public)


# --- Managers -------------------------------------------------------------------------


def can_manage_network(user: Any) -> bool:
    """Verify organisations, curate the taxonomy, import and export everything."""
    return is_manager(user)


def can_decide_claims(user: Any) -> bool:
    return is_manager(user)
