"""Editing pages: organisations, people, offers and needs, term suggestions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lotse.ecosystem import access, selectors
from lotse.ecosystem.domain import listings as listing_domain
from lotse.ecosystem.domain import organisations as org_domain
from lotse.ecosystem.domain import people as people_domain
from lotse.ecosystem.domain import taxonomy as taxonomy_domain
from lotse.ecosystem.forms import (
    NeedForm,
    OfferForm,
    OrganisationForm,
    PersonForm,
    TermSuggestionForm,
)
from lotse.ecosystem.models import Need, Offer, Organisation


def _organisation_or_404(key: str) -> Organisation:
    organisation = selectors.get_organisation(key)
    if organisation is None:
        raise Http404
    return organisation


def _apply_validation_error(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        topics, sectors = data.pop("topics"), data.pop("sectors")
        name, kind = data.pop("name"), data.pop("kind")
        try:
            organisation = org_domain.create_organisation(
                name=name,
                kind=kind,
                created_by=request.user,
                topics=topics,
                sectors=sectors,
                **{k: v for k, v in data.items() if v not in (None, "")},
            )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("Die Organisation wurde angelegt."))
            return redirect(organisation)
    return render(
        request,
        "ecosystem/form.html",
        {"form": form, "title": _("Organisation anlegen"), "multipart": True},
    )


@login_required
def organisation_edit(request: HttpRequest, key: str) -> HttpResponse:
    organisation = _organisation_or_404(key)
    if not access.can_edit_organisation(request.user, organisation):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, request.FILES or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        topics, sectors = data.pop("topics"), data.pop("sectors")
        if data.get("logo") is None:
            data.pop("logo", None)
        elif data.get("logo") is False:
            data["logo"] = ""
        try:
            org_domain.update_organisation(organisation, topics=topics, sectors=sectors, **data)
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("Die Änderungen wurden gespeichert."))
            return redirect(organisation)
    return render(
        request,
        "ecosystem/form.html",
        {
            "form": form,
            "title": _("%(name)s bearbeiten") % {"name": organisation.name},
            "multipart": True,
            "cancel_url": organisation.get_absolute_url(),
        },
    )


@login_required
@require_POST
def organisation_confirm(request: HttpRequest, key: str) -> HttpResponse:
    organisation = _organisation_or_404(key)
    if not access.can_edit_organisation(request.user, organisation):
        raise PermissionDenied
    org_domain.confirm_organisation(organisation)
    messages.success(request, _("Danke! Das Profil ist als aktuell bestätigt."))
    return redirect(organisation)


@login_required
def organisation_delete(request: HttpRequest, key: str) -> HttpResponse:
    organisation = _organisation_or_404(key)
    if not access.can_delete_organisation(request.user, organisation):
        raise PermissionDenied
    if request.method == "POST":
        org_domain.delete_organisation(organisation)
        messages.success(request, _("Die Organisation wurde gelöscht."))
        return redirect("ecosystem:organisation_list")
    return render(request, "ecosystem/confirm_delete.html", {"object": organisation})


@login_required
def person_edit(request: HttpRequest, key: str) -> HttpResponse:
    person = selectors.get_person(key)
    if person is None or not access.can_view_person(request.user, person):
        raise Http404
    if not access.can_edit_person(request.user, person):
        raise PermissionDenied
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in PersonForm.Meta.fields}
        try:
            people_domain.update_person(
                person,
                expertise=form.cleaned_data["expertise"],
                field_visibility=form.field_visibility(),
                languages=form.cleaned_data["languages"],
                **data,
            )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("Das Profil wurde gespeichert."))
            return redirect(person)
    return render(
        request,
        "ecosystem/person_form.html",
        {"form": form, "person": person, "title": _("Profil bearbeiten")},
    )


def _listing_form_class(model: type[Offer] | type[Need]) -> type[OfferForm] | type[NeedForm]:
    return OfferForm if model is Offer else NeedForm


def _save_listing(request: HttpRequest, form: Any, listing: Any = None, **create: Any) -> Any:
    data = dict(form.cleaned_data)
    topics, sectors = data.pop("topics"), data.pop("sectors")
    if listing is None:
        title, kind = data.pop("title"), data.pop("kind")
        return listing_domain.create_listing(
            form._meta.model,
            title=title,
            kind=kind,
            topics=topics,
            sectors=sectors,
            **create,
            **data,
        )
    return listing_domain.update_listing(listing, topics=topics, sectors=sectors, **data)


def _listing_create(
    request: HttpRequest, key: str, model: type[Offer] | type[Need]
) -> HttpResponse:
    organisation = _organisation_or_404(key)
    if not access.can_create_listing_for(request.user, organisation):
        raise PermissionDenied
    form = _listing_form_class(model)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            listing = _save_listing(request, form, organisation=organisation)
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("Der Eintrag wurde veröffentlicht."))
            return redirect(listing)
    title = _("Neues Angebot") if model is Offer else _("Neuer Bedarf")
    return render(
        request,
        "ecosystem/form.html",
        {
            "form": form,
            "title": f"{title}: {organisation.name}",
            "cancel_url": organisation.get_absolute_url(),
        },
    )


def _listing_edit(request: HttpRequest, key: str, model: type[Offer] | type[Need]) -> HttpResponse:
    listing = selectors.get_listing(model, key)
    if listing is None or not access.can_view_listing(request.user, listing):
        raise Http404
    if not access.can_edit_listing(request.user, listing):
        raise PermissionDenied
    form = _listing_form_class(model)(request.POST or None, instance=listing)
    if request.method == "POST" and form.is_valid():
        try:
            _save_listing(request, form, listing)
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("Die Änderungen wurden gespeichert."))
            return redirect(listing)
    return render(
        request,
        "ecosystem/form.html",
        {
            "form": form,
            "title": _("%(title)s bearbeiten") % {"title": listing.title},
            "cancel_url": listing.get_absolute_url(),
        },
    )


def _listing_delete(
    request: HttpRequest, key: str, model: type[Offer] | type[Need]
) -> HttpResponse:
    listing = selectors.get_listing(model, key)
    if listing is None or not access.can_view_listing(request.user, listing):
        raise Http404
    if not access.can_delete_listing(request.user, listing):
        raise PermissionDenied
    if request.method == "POST":
        organisation = listing.organisation
        listing_domain.delete_listing(listing)
        messages.success(request, _("Der Eintrag wurde gelöscht."))
        return redirect(organisation)
    return render(request, "ecosystem/confirm_delete.html", {"object": listing})


@login_required
def offer_create(request: HttpRequest, key: str) -> HttpResponse:
    return _listing_create(request, key, Offer)


@login_required
def need_create(request: HttpRequest, key: str) -> HttpResponse:
    return _listing_create(request, key, Need)


@login_required
def offer_edit(request: HttpRequest, key: str) -> HttpResponse:
    return _listing_edit(request, key, Offer)


@login_required
def need_edit(request: HttpRequest, key: str) -> HttpResponse:
    return _listing_edit(request, key, Need)


@login_required
def offer_delete(request: HttpRequest, key: str) -> HttpResponse:
    return _listing_delete(request, key, Offer)


@login_required
def need_delete(request: HttpRequest, key: str) -> HttpResponse:
    return _listing_delete(request, key, Need)


@login_required
def term_suggest(request: HttpRequest) -> HttpResponse:
    form = TermSuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            taxonomy_domain.suggest_term(
                vocabulary=form.cleaned_data["vocabulary"],
                name=form.cleaned_data["name"],
                suggested_by=request.user,
            )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("Danke! Der Begriff wird nach Prüfung durch das Netzwerk-Management sichtbar."),
            )
            return redirect("ecosystem:term_suggest")
    return render(request, "ecosystem/form.html", {"form": form, "title": _("Begriff vorschlagen")})
