"""Shared fixtures: users of each role, organisations, terms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lotse.accounts.models import User
from lotse.ecosystem.domain.organisations import create_organisation, ensure_person_for_user
from lotse.ecosystem.models import Membership, MembershipRole, Organisation, Term


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    counter = {"n": 0}

    def make(email: str | None = None, *, manager: bool = False, **extra: Any) -> User:
        counter["n"] += 1
        email = email or f"user{counter['n']}@example.org"
        user = User.objects.create_user(email=email, password="s3cret-Passwort!", **extra)
        if manager:
            user.is_network_manager = True
            user.is_staff = True
            user.save()
        return user

    return make


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    return make_user("manager@example.org", manager=True)


@pytest.fixture
def organisation(db: None) -> Organisation:
    return create_organisation(name="Hafenmedien GmbH", kind="media_house", city="Hamburg")


@pytest.fixture
def other_organisation(db: None) -> Organisation:
    return create_organisation(name="Isar Studio", kind="production_studio", city="München")


@pytest.fixture
def member(make_user: Callable[..., User], organisation: Organisation) -> User:
    """An account that administers ``organisation``'s profile."""
    user = make_user("member@example.org")
    person = ensure_person_for_user(user)
    Membership.objects.create(person=person, organisation=organisation, role=MembershipRole.ADMIN)
    return user


@pytest.fixture
def other_member(make_user: Callable[..., User], other_organisation: Organisation) -> User:
    user = make_user("other@example.org")
    person = ensure_person_for_user(user)
    Membership.objects.create(
        person=person, organisation=other_organisation, role=MembershipRole.ADMIN
    )
    return user


@pytest.fixture
def term(db: None) -> Callable[[str], Term]:
    def get(slug: str) -> Term:
        return Term.objects.get(slug=slug)

    return get
