"""Members of an organisation: list, invite, change role, remove; accept invitations; claims."""

from __future__ import annotations

import logging
import smtplib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lotse.ecosystem import access, member_selectors, selectors
from lotse.ecosystem.domain import claims as claim_domain
from lotse.ecosystem.domain import invitations as invitation_domain
from lotse.ecosystem.domain import members as member_domain
from lotse.ecosystem.member_forms import ClaimForm, InviteForm, MemberRoleForm
from lotse.ecosystem.models import Invitation, Membership, Organisation

logger = logging.getLogger(__name__)
MAIL_ERRORS = (OSError, smtplib.SMTPException)


def _organisation_for_admin(request: HttpRequest, key: str) -> Organisation:
    organisation = selectors.get_organisation(key)
    if organisation is None:
        raise Http404
    if not access.can_manage_members(request.user, organisation):
        raise PermissionDenied
    return organisation


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@login_required
def organisation_members(request: HttpRequest, key: str) -> HttpResponse:
    organisation = _organisation_for_admin(request, key)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_domain.invite_colleague(
                organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                base_url=_base_url(request),
            )
        except ValidationError as error:
            form.add_error(None, error)  # field errors land on their fields
        except MAIL_ERRORS:
            logger.exception("invitation mail failed")
            form.add_error(
                None,
                _(
                    "Die Einladung konnte nicht per E-Mail versendet werden und wurde nicht "
                    "gespeichert. Bitte versuchen Sie es später erneut."
                ),
            )
        else:
            messages.success(
                request,
                _("Die Einladung an %(email)s wurde versendet.") % form.cleaned_data,
            )
            return redirect("ecosystem:organisation_members", key=organisation.key)
    context = {
        "organisation": organisation,
        "memberships": member_selectors.organisation_members(organisation),
        "invitations": member_selectors.open_invitations_for_organisation(organisation),
        "form": form,
        "role_form": MemberRoleForm(),
    }
    return render(request, "ecosystem/members.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def member_role(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    organisation = _organisation_for_admin(request, key)
    membership = get_object_or_404(Membership, pk=pk, organisation=organisation)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie eine gültige Rolle."))
    else:
        try:
            member_domain.change_member_role(membership, role=form.cleaned_data["role"])
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Die Rolle wurde geändert."))
    return redirect("ecosystem:organisation_members", key=organisation.key)


@login_required
@require_POST
def member_remove(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    organisation = _organisation_for_admin(request, key)
    membership = get_object_or_404(Membership, pk=pk, organisation=organisation)
    try:
        member_domain.remove_member(membership)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Die Person gehört der Organisation nicht mehr an."))
    return redirect("ecosystem:organisation_members", key=organisation.key)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    organisation = _organisation_for_admin(request, key)
    invitation = get_object_or_404(Invitation, pk=pk, organisation=organisation)
    try:
        invitation_domain.revoke_invitation(invitation)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Die Einladung wurde zurückgezogen."))
    return redirect("ecosystem:organisation_members", key=organisation.key)


@login_required
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = member_selectors.get_invitation(token)
    try:
        invitation_domain.check_invitation(invitation, user=request.user)
        if request.method == "POST":
            membership = invitation_domain.accept_invitation(token, user=request.user)
            messages.success(
                request,
                _("Willkommen! Sie gehören jetzt zu %(name)s.")
                % {"name": membership.organisation.name},
            )
            return redirect(membership.organisation)
    except ValidationError as error:
        return render(
            request,
            "ecosystem/invitation_accept.html",
            {"invitation": invitation, "error": _error_text(error)},
            status=404 if invitation is None else 400,
        )
    return render(request, "ecosystem/invitation_accept.html", {"invitation": invitation})


@login_required
def organisation_claim(request: HttpRequest, key: str) -> HttpResponse:
    organisation = selectors.get_organisation(key)
    if organisation is None:
        raise Http404
    if not access.can_claim_organisation(request.user, organisation):
        messages.info(request, _("Sie verwalten das Profil dieser Organisation bereits."))
        return redirect(organisation)
    pending = member_selectors.pending_claim(request.user, organisation)
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and pending is None and form.is_valid():
        try:
            claim_domain.claim_organisation(
                organisation, user=request.user, message=form.cleaned_data["message"]
            )
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(
                request,
                _(
                    "Danke! Das Netzwerk-Management prüft Ihren Anspruch; Sie erhalten "
                    "eine E-Mail mit der Entscheidung."
                ),
            )
            return redirect("accounts:dashboard")
    context = {"organisation": organisation, "form": form, "pending": pending}
    return render(request, "ecosystem/claim_form.html", context, status=400 if form.errors else 200)
