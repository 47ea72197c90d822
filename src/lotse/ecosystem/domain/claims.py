"""Claim and verify: a user says "this organisation in the directory is mine".

A network manager approves (the claimant's profile becomes a profile admin of
the organisation, which can be marked verified at the same time) or rejects.
Either way the claimant gets a mail with the decision.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lotse.ecosystem.domain.mails import absolute_url, send_templated_mail
from lotse.ecosystem.domain.organisations import ensure_person_for_user, verify_organisation
from lotse.ecosystem.models import (
    ClaimStatus,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationClaim,
)

MAX_MESSAGE_LENGTH = 2000


def claim_organisation(
    organisation: Organisation, *, user: Any, message: str = ""
) -> OrganisationClaim:
    """Record a pending claim of ``user`` on ``organisation``."""
    if user is None or not user.is_authenticated:
        raise ValidationError(_("Bitte melden Sie sich an."))
    message = (message or "").replace("\x00", "").strip()  # plain text, escaped on output
    if len(message) > MAX_MESSAGE_LENGTH:
        raise ValidationError(
            {"message": _("Die Begründung darf höchstens 2000 Zeichen lang sein.")}
        )
    is_admin = Membership.objects.filter(
        organisation=organisation, person__user=user, role=MembershipRole.ADMIN
    ).exists()
    if is_admin:
        raise ValidationError(_("Sie verwalten das Profil dieser Organisation bereits."))
    try:
        with transaction.atomic():
            return OrganisationClaim.objects.create(
                organisation=organisation, user=user, message=message
            )
    except IntegrityError as error:
        # The partial unique constraint: one pending claim per user and organisation.
        raise ValidationError(
            _("Sie haben für diese Organisation bereits einen offenen Anspruch gestellt.")
        ) from error


def _locked_pending(claim: OrganisationClaim) -> OrganisationClaim:
    locked = (
        OrganisationClaim.objects.select_for_update()
        .select_related("organisation", "user")
        .get(pk=claim.pk)
    )
    if locked.status != ClaimStatus.PENDING:
        raise ValidationError(_("Über diesen Anspruch wurde bereits entschieden."))
    return locked


def _notify(claim: OrganisationClaim, *, reason: str, base_url: str | None) -> None:
    send_templated_mail(
        "ecosystem/email/claim_decision",
        claim.user.email,
        {
            "claim": claim,
            "organisation": claim.organisation,
            "approved": claim.status == ClaimStatus.APPROVED,
            "reason": reason,
            "organisation_url": absolute_url(
                claim.organisation.get_absolute_url(), base_url=base_url
            ),
            "dashboard_url": absolute_url(reverse("accounts:dashboard"), base_url=base_url),
        },
    )


@transaction.atomic
def approve_claim(
    claim: OrganisationClaim,
    *,
    decided_by: Any,
    verify: bool = True,
    base_url: str | None = None,
) -> OrganisationClaim:
    """Approve: the claimant becomes profile admin; optionally verify the organisation."""
    claim = _locked_pending(claim)
    person = ensure_person_for_user(claim.user)
    membership, created = Membership.objects.get_or_create(
        person=person, organisation=claim.organisation, defaults={"role": MembershipRole.ADMIN}
    )
    if not created and membership.role != MembershipRole.ADMIN:
        membership.role = MembershipRole.ADMIN
        membership.save(update_fields=["role"])
    if verify and not claim.organisation.verified:
        verify_organisation(claim.organisation, verified_by=decided_by)
    claim.status = ClaimStatus.APPROVED
    claim.decided_by = decided_by
    claim.decided_at = timezone.now()
    claim.save(update_fields=["status", "decided_by", "decided_at"])
    _notify(claim, reason="", base_url=base_url)
    return claim


@transaction.atomic
def reject_claim(
    claim: OrganisationClaim,
    *,
    decided_by: Any,
    reason: str = "",
    base_url: str | None = None,
) -> OrganisationClaim:
    claim = _locked_pending(claim)
    claim.status = ClaimStatus.REJECTED
    claim.decided_by = decided_by
    claim.decided_at = timezone.now()
    claim.save(update_fields=["status", "decided_by", "decided_at"])
    _notify(claim, reason=(reason or "").strip()[:MAX_MESSAGE_LENGTH], base_url=base_url)
    return claim
