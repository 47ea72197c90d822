"""Suggestion pages, introduction requests (inbox/outbox, accept/decline), alliances."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lotse.ecosystem import access
from lotse.ecosystem import selectors as directory
from lotse.ecosystem.models import Need, Offer, Person
from lotse.matching import domain, selectors
from lotse.matching.domain import IntroductionError
from lotse.matching.forms import (
    AllianceForm,
    FundingProfileForm,
    IntroductionForm,
    ListingFilterForm,
    ReportForm,
)
from lotse.matching.models import IntroductionRequest


def _error_text(error: IntroductionError) -> str:
    return " ".join(str(m) for m in error.messages)


# --- Suggestions ----------------------------------------------------------------------


def _listing_suggestions(
    request: HttpRequest, model: type[Offer] | type[Need], key: str
) -> HttpResponse:
    listing = directory.get_listing(model, key)
    if listing is None or not access.can_view_listing(request.user, listing):
        raise Http404
    entity = "need" if model is Offer else "offer"  # what is suggested
    filters = selectors.ListingFilters.from_params(request.GET, entity=entity, percent=True)
    form = ListingFilterForm(request.GET or None, entity=entity)
    form.is_valid()  # only to show the chosen values; parsing is tolerant above
    source, pool = selectors.listing_pool(listing, filters)
    # Fair exposure: among comparably good matches, under-exposed organisations move up.
    shown = domain.rank_fairly(pool, k=filters.limit, record=bool(request.user.is_authenticated))
    selectors.explain_listing_matches(source, shown)
    title = (
        _("Passende Angebote für Ihren Bedarf")
        if model is Need
        else _("Passende Bedarfe für Ihr Angebot")
    )
    return render(
        request,
        "matching/suggestions.html",
        {
            "title": title,
            "subject": listing,
            "matches": shown,
            "form": form,
            "entity": entity,
            "filters": filters,
        },
    )


def need_suggestions(request: HttpRequest, key: str) -> HttpResponse:
    return _listing_suggestions(request, Need, key)


def offer_suggestions(request: HttpRequest, key: str) -> HttpResponse:
    return _listing_suggestions(request, Offer, key)


@login_required
def my_contacts(request: HttpRequest) -> HttpResponse:
    person = selectors.person_of(request.user)
    if person is None:
        messages.info(request, _("Legen Sie zuerst Ihr Profil an, dann schlagen wir Kontakte vor."))
        return redirect("accounts:dashboard")
    return redirect("matching:person_suggestions", key=person.key)


@login_required
def person_suggestions(request: HttpRequest, key: str) -> HttpResponse:
    person = get_object_or_404(Person, key=key)
    if not (access.is_own_person(request.user, person) or access.is_manager(request.user)):
        raise PermissionDenied
    matches = selectors.match_person(request.user, person)
    if access.is_own_person(request.user, person):
        domain.record_person_suggestions([m.pk for m in matches])
    return render(
        request,
        "matching/suggestions.html",
        {
            "title": _("Passende Kontakte"),
            "subject": person,
            "matches": matches,
            "entity": "person",
        },
    )


@login_required
def funding_suggestions(request: HttpRequest, key: str) -> HttpResponse:
    organisation = directory.get_organisation(key)
    if organisation is None:
        raise Http404
    matches = selectors.match_funding(organisation)
    profile = getattr(organisation, "funding_profile", None)
    title = (
        _("Passende Investoren")
        if profile is not None and profile.role == "startup"
        else _("Passende Start-ups")
    )
    return render(
        request,
        "matching/suggestions.html",
        {
            "title": title,
            "subject": organisation,
            "matches": matches,
            "entity": "funding",
            "no_profile": profile is None,
            "can_edit_profile": access.can_edit_organisation(request.user, organisation),
        },
    )


@login_required
def funding_profile_edit(request: HttpRequest, key: str) -> HttpResponse:
    organisation = directory.get_organisation(key)
    if organisation is None:
        raise Http404
    if not access.can_edit_organisation(request.user, organisation):
        raise PermissionDenied
    profile = getattr(organisation, "funding_profile", None)
    initial: dict[str, Any] = {"active": True}
    if profile is not None:
        initial = {
            "role": profile.role,
            "stages": profile.stages,
            "amount_sought_eur": profile.amount_sought_eur,
            "ticket_min_eur": profile.ticket_min_eur,
            "ticket_max_eur": profile.ticket_max_eur,
            "sectors": list(profile.sectors.all()),
            "regions": ", ".join(profile.regions or []),
            "active": profile.active,
        }
    elif organisation.kind in ("startup", "investor"):
        initial["role"] = organisation.kind
    form = FundingProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            domain.save_funding_profile(
                organisation,
                role=data["role"],
                stages=data["stages"],
                amount_sought_eur=data["amount_sought_eur"],
                ticket_min_eur=data["ticket_min_eur"],
                ticket_max_eur=data["ticket_max_eur"],
                sectors=data["sectors"],
                regions=data["region_list"],
                active=data["active"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Das Finanzierungsprofil wurde gespeichert."))
            return redirect("matching:funding_suggestions", key=organisation.key)
    return render(
        request,
        "ecosystem/form.html",
        {
            "form": form,
            "title": _("Finanzierungsprofil: %(name)s") % {"name": organisation.name},
            "cancel_url": organisation.get_absolute_url(),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- Introduction requests ------------------------------------------------------------


@login_required
def requests_box(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "matching/requests.html",
        {
            "inbox": selectors.inbox(request.user)[:100],
            "outbox": selectors.outbox(request.user)[:100],
            "daily_limit": selectors.daily_request_limit(),
        },
    )


def _request_form(
    request: HttpRequest, recipient: Person, *, organisation: Any = None
) -> HttpResponse:
    if not access.can_view_person(request.user, recipient) and organisation is None:
        raise Http404
    form = IntroductionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            domain.send_introduction(
                sender=request.user,  # type: ignore[arg-type]
                recipient=recipient,
                message=form.cleaned_data["message"],
                organisation=organisation,
                context=request.POST.get("context", ""),
            )
        except IntroductionError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(
                request,
                _(
                    "Ihre Anfrage wurde gesendet. "
                    "Sie erhalten eine E-Mail, sobald sie beantwortet ist."
                ),
            )
            return redirect("matching:requests")
    name = organisation.name if organisation is not None else recipient.name
    return render(
        request,
        "matching/request_form.html",
        {
            "form": form,
            "recipient_name": name,
            "context_value": request.GET.get("anlass", request.POST.get("context", ""))[:200],
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


@login_required
def request_create(request: HttpRequest, key: str) -> HttpResponse:
    return _request_form(request, get_object_or_404(Person, key=key))


@login_required
def request_create_for_organisation(request: HttpRequest, key: str) -> HttpResponse:
    organisation = directory.get_organisation(key)
    if organisation is None:
        raise Http404
    contact = selectors.organisation_contact(organisation)
    if contact is None:
        messages.error(
            request,
            _("Diese Organisation hat noch niemanden mit Konto, der Anfragen beantworten kann."),
        )
        return redirect(organisation)
    return _request_form(request, contact, organisation=organisation)


def _own_request(request: HttpRequest, pk: int) -> IntroductionRequest:
    intro = get_object_or_404(
        IntroductionRequest.objects.select_related(
            "sender", "sender_person", "recipient", "recipient__user", "organisation"
        ),
        pk=pk,
    )
    if not selectors.can_view_request(request.user, intro):
        raise Http404
    return intro


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    intro = _own_request(request, pk)
    return render(
        request,
        "matching/request_detail.html",
        {
            "intro": intro,
            "contact": selectors.contact_details(request.user, intro),
            "can_decide": selectors.can_decide_request(request.user, intro),
            "can_mark_alliance": selectors.can_mark_alliance(request.user, intro),
            "is_recipient": intro.recipient.user_id == request.user.pk,
            "alliance": getattr(intro, "alliance", None),
        },
    )


def _decide(request: HttpRequest, pk: int, action: Any, success: str) -> HttpResponse:
    intro = _own_request(request, pk)
    try:
        action(intro, by=request.user)
    except IntroductionError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success)
    return redirect("matching:request_detail", pk=intro.pk)


@login_required
@require_POST
def request_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        domain.accept_introduction,
        _("Angenommen. Sie beide sehen jetzt die Kontaktdaten und erhalten sie per E-Mail."),
    )


@login_required
@require_POST
def request_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        domain.decline_introduction,
        _("Abgelehnt. Es wurden keine Kontaktdaten weitergegeben."),
    )


@login_required
@require_POST
def request_block(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        domain.block_sender,
        _("Blockiert. Diese Person kann Ihnen keine Anfragen mehr senden."),
    )


@login_required
def request_report(request: HttpRequest, pk: int) -> HttpResponse:
    intro = _own_request(request, pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            domain.report_introduction(
                intro,
                by=request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"],
            )
        except IntroductionError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("Danke. Das Netzwerk-Management prüft Ihre Meldung."))
            return redirect("matching:request_detail", pk=intro.pk)
    return render(
        request,
        "matching/simple_form.html",
        {"form": form, "title": _("Anfrage melden"), "intro": intro},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def alliance_create(request: HttpRequest, pk: int) -> HttpResponse:
    intro = _own_request(request, pk)
    if not selectors.can_mark_alliance(request.user, intro):
        messages.error(
            request,
            _(
                "Eine Allianz lässt sich nur einmal und nur nach einer "
                "angenommenen Vorstellung vermerken."
            ),
        )
        return redirect("matching:request_detail", pk=intro.pk)
    form = AllianceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            domain.mark_alliance(
                intro,
                by=request.user,  # type: ignore[arg-type]
                description=form.cleaned_data["description"],
                kind=form.cleaned_data["kind"],
            )
        except IntroductionError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("Schön! Die Zusammenarbeit ist vermerkt."))
            return redirect("matching:request_detail", pk=intro.pk)
    return render(
        request,
        "matching/simple_form.html",
        {"form": form, "title": _("Daraus ist eine Zusammenarbeit entstanden"), "intro": intro},
        status=400 if request.method == "POST" else 200,
    )
