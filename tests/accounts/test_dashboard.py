"""The dashboard: my profile, my organisations with role, invitations, claims."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lotse.ecosystem.domain.claims import claim_organisation
from lotse.ecosystem.models import Invitation, Organisation


@pytest.mark.django_db
def test_dashboard_needs_login() -> None:
    response = Client().get("/konto/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_dashboard_shows_profile_organisations_invitations_claims(
    member: Any, organisation: Organisation, other_organisation: Organisation, verified_user: Any
) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    invitation = Invitation.objects.create(
        organisation=other_organisation, email="MEMBER@example.org", token="a" * 43
    )
    # An invitation for an address the member has not verified stays invisible.
    Invitation.objects.create(
        organisation=other_organisation, email="fremd@example.org", token="b" * 43
    )
    third = type(organisation).objects.create(key="dritte", name="Dritte Org", kind="agency")
    claim_organisation(third, user=member, message="meins")

    client = Client()
    client.force_login(member)
    html = client.get("/konto/").content.decode()
    assert member.person.name in html
    assert f"/verzeichnis/personen/{member.person.key}/bearbeiten/" in html
    assert "Hafenmedien GmbH" in html
    assert "Profilverwaltung" in html
    assert f"/verzeichnis/organisationen/{organisation.key}/mitglieder/" in html
    assert f"/verzeichnis/einladung/{invitation.token}/" in html
    assert "b" * 43 not in html
    assert "Dritte Org" in html
    assert "offen" in html
    assert "/verzeichnis/organisationen/neu/" in html
