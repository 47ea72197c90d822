"""Managing an organisation's members: change a role, remove a member.

Rule: an organisation that has profile admins keeps at least one, so nobody can
lock the organisation out of its own profile by accident (managers can still
edit every profile).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lotse.ecosystem.models import Membership, MembershipRole


def _other_admins(membership: Membership) -> int:
    return (
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id, role=MembershipRole.ADMIN)
        .exclude(pk=membership.pk)
        .count()
    )


LAST_ADMIN_MESSAGE = gettext_noop(
    "Die Organisation braucht mindestens eine Person mit Profilverwaltung. Ernennen "
    "Sie zuerst jemand anderen."
)


@transaction.atomic
def change_member_role(membership: Membership, *, role: str) -> Membership:
    if role not in MembershipRole.values:
        raise ValidationError(_("Unbekannte Rolle."))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if role == membership.role:
        return membership
    if membership.role == MembershipRole.ADMIN and _other_admins(membership) == 0:
        raise ValidationError(_(LAST_ADMIN_MESSAGE))
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(membership: Membership) -> None:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == MembershipRole.ADMIN and _other_admins(membership) == 0:
        raise ValidationError(_(LAST_ADMIN_MESSAGE))
    membership.delete()
