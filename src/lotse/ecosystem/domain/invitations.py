"""Invitations: a profile admin invites a colleague by e-mail.

The mail carries a link with a random token (``secrets.token_urlsafe``).  The
invitation is accepted by a logged-in account that has *verified* the invited
address; accepting creates the membership.  Invitations expire after
``LOTSE_INVITATION_VALID_DAYS`` (14) days and can be used once.  One account
sends at most ``LOTSE_INVITATIONS_PER_DAY`` (30) invitation mails in 24 hours
(network managers are not limited), so a compromised account cannot turn the
platform into a mail cannon.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lotse.ecosystem.domain.mails import absolute_url, send_templated_mail
from lotse.ecosystem.domain.organisations import ensure_person_for_user
from lotse.ecosystem.member_selectors import invitation_cutoff, verified_emails
from lotse.ecosystem.models import (
    Invitation,
    Membership,
    MembershipRole,
    Organisation,
)


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 43 characters, 256 bits


def _normalise_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError(
            {"email": _("Bitte geben Sie eine gültige E-Mail-Adresse ein.")}
        ) from error
    local, _at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def invitations_per_day() -> int:
    return int(getattr(settings, "LOTSE_INVITATIONS_PER_DAY", 30))


def _check_daily_limit(invited_by: Any) -> None:
    if getattr(invited_by, "is_network_manager", False) or getattr(
        invited_by, "is_superuser", False
    ):
        return
    since = timezone.now() - dt.timedelta(hours=24)
    sent = Invitation.objects.filter(invited_by=invited_by, created_at__gte=since).count()
    if sent >= invitations_per_day():
        raise ValidationError(
            {
                "email": ngettext(
                    "Sie haben in den letzten 24 Stunden bereits %(n)s Einladung "
                    "verschickt. Bitte versuchen Sie es später erneut.",
                    "Sie haben in den letzten 24 Stunden bereits %(n)s Einladungen "
                    "verschickt. Bitte versuchen Sie es später erneut.",
                    sent,
                )
                % {"n": sent}
            }
        )


@transaction.atomic
def invite_colleague(
    organisation: Organisation,
    *,
    email: str,
    invited_by: Any,
    role: str = MembershipRole.MEMBER,
    base_url: str | None = None,
) -> Invitation:
    """Invite ``email`` to ``organisation`` and send the invitation mail.

    An open invitation for the same address is renewed (new token, new date)
    instead of duplicated.  When the mail cannot be sent, nothing is saved.
    """
    email = _normalise_email(email)
    _check_daily_limit(invited_by)
    if role not in MembershipRole.values:
        raise ValidationError({"role": _("Unbekannte Rolle.")})
    already_member = Membership.objects.filter(
        organisation=organisation, person__user__email__iexact=email
    ).exists()
    if already_member:
        raise ValidationError({"email": _("Diese Person ist bereits Mitglied der Organisation.")})
    invitation = (
        Invitation.objects.select_for_update()
        .filter(organisation=organisation, email__iexact=email, accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        invitation = Invitation(organisation=organisation, email=email)
    invitation.role = role
    invitation.token = new_token()
    invitation.invited_by = invited_by
    invitation.created_at = timezone.now()
    invitation.save()
    inviter = getattr(invited_by, "person", None)
    send_templated_mail(
        "ecosystem/email/invitation",
        email,
        {
            "invitation": invitation,
            "organisation": organisation,
            "inviter_name": inviter.name if inviter else getattr(invited_by, "email", ""),
            "accept_url": absolute_url(
                reverse("ecosystem:invitation_accept", kwargs={"token": invitation.token}),
                base_url=base_url,
            ),
        },
    )
    return invitation


def check_invitation(invitation: Invitation | None, *, user: Any) -> Invitation:
    """The invitation if ``user`` may accept it now; otherwise a clear ValidationError."""
    if invitation is None:
        raise ValidationError(_("Diese Einladung gibt es nicht (mehr)."), code="unknown")
    if invitation.accepted_at is not None:
        raise ValidationError(_("Diese Einladung wurde bereits angenommen."), code="used")
    if invitation.created_at < invitation_cutoff():
        raise ValidationError(
            _("Diese Einladung ist abgelaufen. Bitten Sie um eine neue Einladung."),
            code="expired",
        )
    if invitation.email.lower() not in verified_emails(user):
        raise ValidationError(
            _(
                "Diese Einladung gilt für %(email)s. Bitte melden Sie sich mit dieser "
                "bestätigten E-Mail-Adresse an."
            )
            % {"email": invitation.email},
            code="wrong_email",
        )
    return invitation


@transaction.atomic
def accept_invitation(token: str, *, user: Any) -> Membership:
    """Accept the invitation ``token`` for ``user``; returns the membership.

    An existing membership keeps the higher of its role and the invited role.
    """
    invitation = Invitation.objects.select_for_update().filter(token=token).first()
    check_invitation(invitation, user=user)
    assert invitation is not None  # checked above
    person = ensure_person_for_user(user)
    membership, created = Membership.objects.get_or_create(
        person=person, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    if not created and invitation.role == MembershipRole.ADMIN:
        membership.role = MembershipRole.ADMIN
        membership.save(update_fields=["role"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


@transaction.atomic
def revoke_invitation(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise ValidationError(_("Eine angenommene Einladung kann nicht zurückgezogen werden."))
    invitation.delete()
