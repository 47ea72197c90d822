"""The network management page: claims, verification, stale profiles, taxonomy."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import get_commands
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lotse.ecosystem import access, member_selectors, selectors
from lotse.ecosystem.domain import claims as claim_domain
from lotse.ecosystem.domain import curation
from lotse.ecosystem.domain import organisations as org_domain
from lotse.ecosystem.domain import taxonomy as taxonomy_domain
from lotse.ecosystem.member_forms import (
    ClaimDecisionForm,
    StaleFilterForm,
    TermAddForm,
    TermDecisionForm,
    TermRenameForm,
    VerificationFilterForm,
    VerifyForm,
)
from lotse.ecosystem.models import Organisation, OrganisationClaim, Term, TermStatus, Vocabulary

logger = logging.getLogger(__name__)
View = Callable[..., HttpResponse]


def manager_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.can_manage_network(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _back(request: HttpRequest, anchor: str = "") -> HttpResponse:
    """Back to the page the form was on (keeps filters), else the management page."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("ecosystem:manage")
    return redirect(f"{target}{anchor}" if anchor and "#" not in target else target)


def _remind_stale_url() -> str | None:
    try:
        return reverse("ecosystem:remind_stale")
    except NoReverseMatch:
        return None


@manager_required
def manage(request: HttpRequest) -> HttpResponse:
    stale_form = StaleFilterForm(request.GET or None)
    stale_filter = stale_form.cleaned_data if stale_form.is_valid() else {}
    stale = member_selectors.stale_organisations(
        query=stale_filter.get("q") or "",
        region=stale_filter.get("region") or "",
        kind=stale_filter.get("kind") or "",
        reminded=stale_filter.get("reminded") or "",
        older_than_days=stale_filter.get("older_than_days"),
    )
    verification_form = VerificationFilterForm(request.GET or None)
    verification_filter = verification_form.cleaned_data if verification_form.is_valid() else {}
    candidates = member_selectors.organisations_for_verification(
        query=verification_filter.get("vq") or "",
        verified=verification_filter.get("verified") or "",
    )
    context = {
        "claims": member_selectors.pending_claims()[:100],
        "claim_form": ClaimDecisionForm(initial={"verify": True}),
        "stale_form": stale_form,
        "stale_page": Paginator(stale, 25).get_page(request.GET.get("stale_page")),
        "verification_form": verification_form,
        "verification_page": Paginator(candidates, 25).get_page(request.GET.get("verify_page")),
        "suggested": selectors.suggested_terms(),
        "term_add_form": TermAddForm(),
        "vocabularies": [
            (label, selectors.approved_terms(value).order_by("position", "name"))
            for value, label in Vocabulary.choices
        ],
        "remind_stale_url": _remind_stale_url(),
        "remind_stale_command": "remind_stale" in get_commands(),
    }
    return render(request, "ecosystem/manage.html", context)


@manager_required
@require_POST
def claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(OrganisationClaim, pk=pk)
    form = ClaimDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie „bestätigen“ oder „ablehnen“."))
        return _back(request, "#claims")
    base_url = request.build_absolute_uri("/")
    try:
        if form.cleaned_data["decision"] == "approve":
            claim_domain.approve_claim(
                claim,
                decided_by=request.user,
                verify=form.cleaned_data["verify"],
                base_url=base_url,
            )
            messages.success(
                request, _("Der Anspruch wurde bestätigt und die Person benachrichtigt.")
            )
        else:
            claim_domain.reject_claim(
                claim,
                decided_by=request.user,
                reason=form.cleaned_data["reason"],
                base_url=base_url,
            )
            messages.success(
                request, _("Der Anspruch wurde abgelehnt und die Person benachrichtigt.")
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except (OSError, smtplib.SMTPException):
        logger.exception("claim decision mail failed")
        messages.error(
            request,
            _(
                "Die Benachrichtigung konnte nicht versendet werden; die Entscheidung wurde "
                "nicht gespeichert. Bitte versuchen Sie es später erneut."
            ),
        )
    return _back(request, "#claims")


@manager_required
@require_POST
def organisation_verify(request: HttpRequest, key: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, key=key)
    form = VerifyForm(request.POST)
    verified = form.is_valid() and form.cleaned_data["verified"]
    org_domain.verify_organisation(organisation, verified_by=request.user, verified=verified)
    if verified:
        messages.success(
            request, _("%(name)s ist jetzt verifiziert.") % {"name": organisation.name}
        )
    else:
        messages.success(
            request, _("%(name)s ist nicht mehr verifiziert.") % {"name": organisation.name}
        )
    return _back(request, "#verification")


@manager_required
@require_POST
def term_decide(request: HttpRequest, pk: int) -> HttpResponse:
    term = get_object_or_404(Term, pk=pk, status=TermStatus.SUGGESTED)
    form = TermDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie „freigeben“ oder „ablehnen“."))
    else:
        approve = form.cleaned_data["decision"] == "approve"
        taxonomy_domain.decide_term(term, approve=approve)
        if approve:
            messages.success(request, _("„%(name)s“ ist freigegeben.") % {"name": term.name})
        else:
            messages.success(request, _("„%(name)s“ wurde abgelehnt.") % {"name": term.name})
    return _back(request, "#taxonomy")


@manager_required
@require_POST
def term_add(request: HttpRequest) -> HttpResponse:
    form = TermAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte füllen Sie Vokabular und Bezeichnung aus."))
        return _back(request, "#taxonomy")
    try:
        term = curation.add_term(
            vocabulary=form.cleaned_data["vocabulary"],
            name=form.cleaned_data["name"],
            name_en=form.cleaned_data["name_en"],
            added_by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("„%(name)s“ wurde hinzugefügt.") % {"name": term.name})
    return _back(request, "#taxonomy")


@manager_required
def term_rename(request: HttpRequest, pk: int) -> HttpResponse:
    term = get_object_or_404(Term, pk=pk)
    form = TermRenameForm(
        request.POST or None, initial={"name": term.name, "name_en": term.name_en}
    )
    if request.method == "POST" and form.is_valid():
        try:
            curation.rename_term(
                term, name=form.cleaned_data["name"], name_en=form.cleaned_data["name_en"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Der Begriff heißt jetzt „%(name)s“.") % {"name": term.name}
            )
            return redirect(reverse("ecosystem:manage") + "#taxonomy")
    return render(
        request,
        "ecosystem/form.html",
        {
            "form": form,
            "title": _("Begriff umbenennen: %(name)s") % {"name": term.name},
            "cancel_url": reverse("ecosystem:manage") + "#taxonomy",
        },
        status=400 if form.errors else 200,
    )
