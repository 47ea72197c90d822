"""Forged form posts (no CSRF token) are refused with a clear page and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lotse.accounts.models import User
from lotse.ecosystem.models import ClaimStatus, Invitation, Membership, OrganisationClaim


def _assert_refused(response: Any) -> None:
    html = response.content.decode()
    assert response.status_code == 403
    assert "Sicherheitsprüfung" in html
    assert "nicht gespeichert" in html
    assert 'class="site-header"' in html


@pytest.mark.django_db
def test_forged_sign_up_is_refused() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/signup/",
        {"email": "forged@example.org", "password1": "Abc-12345-xyz", "password2": "Abc-12345-xyz"},
    )
    _assert_refused(response)
    assert not User.objects.filter(email="forged@example.org").exists()


@pytest.mark.django_db
def test_forged_invitation_is_refused(member: User, organisation: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(
        f"/verzeichnis/organisationen/{organisation.key}/mitglieder/",
        {"email": "angreifer@example.org", "role": "admin"},
    )
    _assert_refused(response)
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_forged_member_removal_is_refused(member: User, organisation: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    membership = Membership.objects.get(organisation=organisation)
    response = client.post(
        f"/verzeichnis/organisationen/{organisation.key}/mitglieder/{membership.pk}/entfernen/"
    )
    _assert_refused(response)
    assert Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_forged_claim_decision_is_refused(manager: User, make_user: Any, organisation: Any) -> None:
    claim = OrganisationClaim.objects.create(organisation=organisation, user=make_user())
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    response = client.post(
        f"/verzeichnis/verwaltung/ansprueche/{claim.pk}/entscheiden/", {"decision": "approve"}
    )
    _assert_refused(response)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PENDING


@pytest.mark.django_db
def test_a_genuine_post_with_token_passes() -> None:
    """The counter-check: the same client with the token from the form gets through."""
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/signup/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/accounts/signup/",
        {
            "email": "echt@example.org",
            "password1": "Abc-12345-xyz",
            "password2": "Abc-12345-xyz",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(email="echt@example.org").exists()
