"""The network management page: verification, stale profiles, taxonomy curation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lotse.ecosystem.domain.curation import add_term, rename_term
from lotse.ecosystem.domain.organisations import create_organisation
from lotse.ecosystem.domain.taxonomy import suggest_term
from lotse.ecosystem.models import Organisation, Term, TermStatus

MANAGE = "/verzeichnis/verwaltung/"


@pytest.fixture
def manager_client(manager: Any) -> Client:
    client = Client()
    client.force_login(manager)
    return client


def _stale(name: str, days: int, **fields: Any) -> Organisation:
    organisation = create_organisation(name=name, kind="agency", **fields)
    Organisation.objects.filter(pk=organisation.pk).update(
        last_confirmed=timezone.localdate() - dt.timedelta(days=days)
    )
    return organisation


@pytest.mark.django_db
def test_page_links_the_django_admin_and_manager_reaches_it(manager_client: Client) -> None:
    page = manager_client.get(MANAGE).content.decode()
    assert 'href="/admin/"' in page
    assert manager_client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_verify_and_unverify(
    manager_client: Client, manager: Any, organisation: Organisation
) -> None:
    url = f"{MANAGE}organisationen/{organisation.key}/verifizieren/"
    response = manager_client.post(url, {"verified": "on", "next": f"{MANAGE}?vq=Hafen"})
    assert response.status_code == 302
    assert response["Location"] == f"{MANAGE}?vq=Hafen#verification"
    organisation.refresh_from_db()
    assert organisation.verified
    assert organisation.verified_by == manager
    page = manager_client.get(f"{MANAGE}?vq=Hafen").content.decode()
    assert "Verifizierung von Hafenmedien GmbH aufheben" in page

    manager_client.post(url, {})
    organisation.refresh_from_db()
    assert not organisation.verified
    assert organisation.verified_by is None


@pytest.mark.django_db
def test_verify_needs_post_and_a_manager(member: Any, organisation: Organisation) -> None:
    client = Client()
    client.force_login(member)
    url = f"{MANAGE}organisationen/{organisation.key}/verifizieren/"
    assert client.post(url, {"verified": "on"}).status_code == 403
    organisation.refresh_from_db()
    assert not organisation.verified


@pytest.mark.django_db
def test_stale_list_filters(manager_client: Client) -> None:
    _stale("Alte Agentur", 800, region="Hamburg")
    _stale("Staubige Agentur", 400, region="Bayern")
    create_organisation(name="Frische Agentur", kind="agency")
    page = manager_client.get(MANAGE).content.decode()
    assert "Alte Agentur" in page
    assert "Staubige Agentur" in page
    assert "Frische Agentur" not in page.split('id="stale"')[1].split('id="taxonomy"')[0]

    page = manager_client.get(f"{MANAGE}?region=Hamburg").content.decode()
    stale_section = page.split('id="stale"')[1].split('id="taxonomy"')[0]
    assert "Alte Agentur" in stale_section
    assert "Staubige Agentur" not in stale_section

    page = manager_client.get(f"{MANAGE}?older_than_days=500").content.decode()
    stale_section = page.split('id="stale"')[1].split('id="taxonomy"')[0]
    assert "Alte Agentur" in stale_section
    assert "Staubige Agentur" not in stale_section


@pytest.mark.django_db
def test_bad_stale_filter_is_a_message_not_a_500(manager_client: Client) -> None:
    response = manager_client.get(f"{MANAGE}?older_than_days=viele&kind=quatsch")
    assert response.status_code == 200
    assert "Bitte prüfen Sie die Filter." in response.content.decode()


@pytest.mark.django_db
def test_approve_and_reject_suggested_terms(manager_client: Client, make_user: Any) -> None:
    user = make_user()
    good = suggest_term(vocabulary="capability", name="Podcast-Schnitt", suggested_by=user)
    bad = suggest_term(vocabulary="capability", name="Kaffeekochen", suggested_by=user)
    page = manager_client.get(MANAGE).content.decode()
    assert "Podcast-Schnitt" in page
    assert "Kaffeekochen" in page
    manager_client.post(f"{MANAGE}begriffe/{good.pk}/entscheiden/", {"decision": "approve"})
    manager_client.post(f"{MANAGE}begriffe/{bad.pk}/entscheiden/", {"decision": "reject"})
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == TermStatus.APPROVED
    assert bad.status == TermStatus.REJECTED
    # Decided terms cannot be decided again through this form.
    response = manager_client.post(
        f"{MANAGE}begriffe/{bad.pk}/entscheiden/", {"decision": "approve"}
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_add_term_and_duplicates(manager_client: Client) -> None:
    response = manager_client.post(
        f"{MANAGE}begriffe/neu/",
        {
            "vocabulary": "use_case",
            "name": "Barrierefreie Untertitel",
            "name_en": "Accessible captions",
        },
        follow=True,
    )
    assert "wurde hinzugefügt" in response.content.decode()
    term = Term.objects.get(slug="barrierefreie-untertitel")
    assert term.status == TermStatus.APPROVED
    assert term.name_en == "Accessible captions"
    response = manager_client.post(
        f"{MANAGE}begriffe/neu/",
        {"vocabulary": "use_case", "name": "Barrierefreie  Untertitel"},
        follow=True,
    )
    assert "gibt es in diesem Vokabular bereits" in response.content.decode()
    assert Term.objects.filter(slug="barrierefreie-untertitel").count() == 1


@pytest.mark.django_db
def test_adding_a_rejected_term_approves_it(make_user: Any) -> None:
    rejected = suggest_term(vocabulary="sector", name="Zirkus", suggested_by=make_user())
    Term.objects.filter(pk=rejected.pk).update(status=TermStatus.REJECTED)
    term = add_term(vocabulary="sector", name="Zirkus")
    assert term.pk == rejected.pk
    assert term.status == TermStatus.APPROVED


@pytest.mark.django_db
def test_rename_keeps_the_slug(manager_client: Client) -> None:
    term = Term.objects.filter(status=TermStatus.APPROVED).first()
    assert term is not None
    slug = term.slug
    url = f"{MANAGE}begriffe/{term.pk}/umbenennen/"
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(url, {"name": "Neuer Name", "name_en": "New name"})
    assert response.status_code == 302
    term.refresh_from_db()
    assert (term.name, term.name_en, term.slug) == ("Neuer Name", "New name", slug)
    response = manager_client.post(url, {"name": "   "})
    assert response.status_code == 400
    term.refresh_from_db()
    assert term.name == "Neuer Name"


@pytest.mark.django_db
def test_rename_refuses_overlong_names() -> None:
    from django.core.exceptions import ValidationError

    term = Term.objects.first()
    assert term is not None
    with pytest.raises(ValidationError):
        rename_term(term, name="x" * 121)
