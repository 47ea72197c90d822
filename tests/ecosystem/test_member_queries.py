"""No N+1 on the member list, the management page and the dashboard."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lotse.ecosystem.domain.claims import claim_organisation
from lotse.ecosystem.domain.organisations import create_organisation, ensure_person_for_user
from lotse.ecosystem.domain.taxonomy import suggest_term
from lotse.ecosystem.models import Invitation, Membership, Organisation


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def _grow(n: int, organisation: Organisation, make_user: Any, start: int) -> None:
    for i in range(start, start + n):
        user = make_user(f"person{i}@example.org")
        Membership.objects.create(person=ensure_person_for_user(user), organisation=organisation)
        Invitation.objects.create(
            organisation=organisation, email=f"i{i}@example.org", token=f"t{i}"
        )
        other = create_organisation(name=f"Org {i}", kind="agency")
        Organisation.objects.filter(pk=other.pk).update(
            last_confirmed=timezone.localdate() - dt.timedelta(days=900)
        )
        claim_organisation(other, user=user, message="meins")
        suggest_term(vocabulary="capability", name=f"Vorschlag {i}", suggested_by=user)


@pytest.mark.django_db
def test_page_queries_do_not_grow_with_rows(
    member: Any, manager: Any, organisation: Organisation, make_user: Any
) -> None:
    admin, management = Client(), Client()
    admin.force_login(member)
    management.force_login(manager)
    members_url = f"/verzeichnis/organisationen/{organisation.key}/mitglieder/"
    _grow(2, organisation, make_user, 0)
    before = (_queries(admin, members_url), _queries(management, "/verzeichnis/verwaltung/"))
    _grow(8, organisation, make_user, 100)
    after = (_queries(admin, members_url), _queries(management, "/verzeichnis/verwaltung/"))
    assert after == before


@pytest.mark.django_db
def test_dashboard_queries_do_not_grow(member: Any, make_user: Any) -> None:
    client = Client()
    client.force_login(member)
    person = member.person
    first = _queries(client, "/konto/")
    for i in range(6):
        organisation = create_organisation(name=f"Org {i}", kind="agency")
        Membership.objects.create(person=person, organisation=organisation)
        claim_organisation(create_organisation(name=f"X {i}", kind="agency"), user=member)
    assert _queries(client, "/konto/") == first
