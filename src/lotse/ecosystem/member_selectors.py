"""Reads for memberships, invitations, claims and the management page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from lotse.ecosystem import access
from lotse.ecosystem.models import (
    ClaimStatus,
    Invitation,
    Membership,
    Organisation,
    OrganisationClaim,
)
from lotse.ecosystem.selectors import stale_cutoff

INVITATION_VALID_DAYS = 14


def invitation_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Invitations created before this moment have expired."""
    valid_days = getattr(settings, "LOTSE_INVITATION_VALID_DAYS", INVITATION_VALID_DAYS)
    return (now or timezone.now()) - dt.timedelta(days=valid_days)


def verified_emails(user: Any) -> list[str]:
    """The user's e-mail addresses that allauth has verified, lower-cased."""
    from allauth.account.models import EmailAddress

    if not access.is_member(user):
        return []
    return [
        email.lower()
        for email in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    ]


def open_invitations_for_user(user: Any) -> QuerySet[Invitation]:
    emails = verified_emails(user)
    if not emails:
        return Invitation.objects.none()
    condition = Q()
    for email in emails:
        condition |= Q(email__iexact=email)
    return (
        Invitation.objects.filter(condition, accepted_at__isnull=True)
        .filter(created_at__gte=invitation_cutoff())
        .select_related("organisation")
        .order_by("-created_at")
    )


def open_invitations_for_organisation(organisation: Organisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organisation=organisation,
        accepted_at__isnull=True,
        created_at__gte=invitation_cutoff(),
    ).order_by("email")


def get_invitation(token: str) -> Invitation | None:
    if not token or len(token) > 64:
        return None
    return Invitation.objects.filter(token=token).select_related("organisation").first()


def organisation_members(organisation: Organisation) -> list[Membership]:
    """All memberships of an organisation, for its profile admins (hidden profiles too)."""
    return list(
        Membership.objects.filter(organisation=organisation)
        .select_related("person", "person__user")
        .order_by("person__name")
    )


def claims_for_user(user: Any) -> list[OrganisationClaim]:
    if not access.is_member(user):
        return []
    return list(
        OrganisationClaim.objects.filter(user=user)
        .select_related("organisation")
        .order_by("-created_at")[:50]
    )


def pending_claim(user: Any, organisation: Organisation) -> OrganisationClaim | None:
    if not access.is_member(user):
        return None
    return OrganisationClaim.objects.filter(
        user=user, organisation=organisation, status=ClaimStatus.PENDING
    ).first()


def pending_claims() -> QuerySet[OrganisationClaim]:
    return (
        OrganisationClaim.objects.filter(status=ClaimStatus.PENDING)
        .select_related("organisation", "user")
        .order_by("created_at")
    )


def get_claim(claim_id: int) -> OrganisationClaim | None:
    return (
        OrganisationClaim.objects.filter(pk=claim_id).select_related("organisation", "user").first()
    )


def stale_organisations(
    *,
    query: str = "",
    region: str = "",
    kind: str = "",
    reminded: str = "",
    older_than_days: int | None = None,
) -> QuerySet[Organisation]:
    """Organisations whose owners have not confirmed them for too long, filtered."""
    cutoff = stale_cutoff()
    if older_than_days is not None:
        cutoff = timezone.localdate() - dt.timedelta(days=older_than_days)
    organisations = Organisation.objects.filter(last_confirmed__lt=cutoff)
    if query:
        organisations = organisations.filter(name__icontains=query)
    if region:
        organisations = organisations.filter(region=region)
    if kind:
        organisations = organisations.filter(kind=kind)
    if reminded == "yes":
        organisations = organisations.filter(stale_reminder_sent_at__isnull=False)
    elif reminded == "no":
        organisations = organisations.filter(stale_reminder_sent_at__isnull=True)
    return organisations.order_by("last_confirmed", "name")


def organisations_for_verification(
    *, query: str = "", verified: str = ""
) -> QuerySet[Organisation]:
    organisations = Organisation.objects.all()
    if query:
        organisations = organisations.filter(name__icontains=query)
    if verified == "yes":
        organisations = organisations.filter(verified=True)
    elif verified == "no":
        organisations = organisations.filter(verified=False)
    return organisations.select_related("verified_by").order_by("verified", "-created_at", "name")
